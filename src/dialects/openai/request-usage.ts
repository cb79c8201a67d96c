import type { RequestUsage } from '../../core/estimate.js';
import type { Usage } from '../../core/usage.js';
import { readTopLevelFields } from '../../lib/json-fields.js';
import { countOpenAITokens } from '../../lib/token-count.js';

export type { RequestUsage } from '../../core/estimate.js';

/**
 * What the request itself says will be billed, for endpoints whose answers report no usage:
 * text-to-speech by input characters (or, for token-priced speech models, by text and audio tokens),
 * DALL·E images by count, size and quality.
 */
export function openAIRequestUsage(path: string, body: Buffer): RequestUsage | undefined {
  if (path === '/v1/audio/speech') {
    const { input, instructions, speed } = readTopLevelFields(body, ['input', 'instructions', 'speed']);
    if (typeof input !== 'string') return undefined;
    const tokenUsage = speechTokens(input, typeof instructions === 'string' ? instructions : '', typeof speed === 'number' ? speed : 1);
    return { usage: { inputTokens: 0, outputTokens: 0, units: { character: [...input].length } }, tokenUsage };
  }
  if (path === '/v1/images/generations') {
    const { n, size, quality } = readTopLevelFields(body, ['n', 'size', 'quality']);
    const count = typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 1;
    const variant = `${typeof size === 'string' ? size : '1024x1024'}/${typeof quality === 'string' ? quality : 'standard'}`;
    return { usage: { inputTokens: 0, outputTokens: 0, units: { image: count } }, imageVariant: variant };
  }
  return undefined;
}

/**
 * Audio tokens per second of speech: OpenAI prices gpt-4o-mini-tts audio output at $12 per 1M tokens and
 * estimates it at $0.015 a minute, i.e. 1,250 tokens a minute.
 */
const AUDIO_TOKENS_PER_SECOND = 1250 / 60;
/** Slow speech, to bound the audio's length from above: 10 characters a second (CJK scripts: 4). */
const CHARACTERS_PER_SECOND = 10;
const CJK_CHARACTERS_PER_SECOND = 4;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * A speech call in tokens, for token-priced speech models (gpt-4o-mini-tts): the input text and
 * instructions are text input tokens; the audio is bounded by reading the text slowly (and slower still at
 * a `speed` below 1), in audio output tokens. The speech answer is bare audio with no usage, so this upper
 * bound is what is billed.
 */
export function speechTokens(input: string, instructions: string, speed: number): Usage {
  let seconds = 0;
  for (const ch of input) seconds += CJK.test(ch) ? 1 / CJK_CHARACTERS_PER_SECOND : 1 / CHARACTERS_PER_SECOND;
  const slowdown = Number.isFinite(speed) && speed > 0 && speed < 1 ? 1 / Math.max(speed, 0.25) : 1;
  const audio = Math.ceil(seconds * slowdown * AUDIO_TOKENS_PER_SECOND);
  const text = countOpenAITokens(input) + (instructions ? countOpenAITokens(instructions) : 0);
  return { inputTokens: text, outputTokens: audio, audioOutputTokens: audio };
}
