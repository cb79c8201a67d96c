import type { Usage } from '../../core/usage.js';
import { isJsonObject } from '../../lib/json-value.js';

/**
 * Gemini `usageMetadata` (docs/reference/gemini.md §3.2, §8). Pure, never throws.
 *
 * - `promptTokenCount` already INCLUDES `cachedContentTokenCount`; `toolUsePromptTokenCount` (server
 *   tool results fed back to the model) is input too: `inputTokens = prompt + toolUsePrompt`.
 * - `candidatesTokenCount` EXCLUDES thoughts: `outputTokens = candidates + thoughts`,
 *   `reasoningTokens = thoughts`.
 * - `promptTokensDetails` / `cacheTokensDetails` split the prompt and the cached part by modality: the
 *   `AUDIO` parts are audio input tokens (Gemini prices audio input apart from text, image and video).
 * - Absent counts mean 0. Zero-valued optional fields are omitted.
 */

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.trunc(v) : 0;
}

/**
 * `usageMetadata` of a GenerateContentResponse. Also accepts a whole no-`alt` stream body (a JSON
 * array of responses): the last element carrying `usageMetadata` wins.
 */
export function usageFromGenerateContent(body: unknown): Usage | undefined {
  if (Array.isArray(body)) {
    for (let i = body.length - 1; i >= 0; i--) {
      const usage = usageFromGenerateContent(body[i]);
      if (usage) return usage;
    }
    return undefined;
  }
  if (!isJsonObject(body)) return undefined;
  return usageFromMetadata(body.usageMetadata);
}

/** Canonical usage from a raw `usageMetadata` object (`undefined` when it is not an object). */
export function usageFromMetadata(m: unknown): Usage | undefined {
  if (!isJsonObject(m)) return undefined;
  const prompt = count(m.promptTokenCount);
  const thoughts = count(m.thoughtsTokenCount);
  const usage: Usage = {
    inputTokens: prompt + count(m.toolUsePromptTokenCount),
    outputTokens: count(m.candidatesTokenCount) + thoughts,
  };
  const cached = Math.min(count(m.cachedContentTokenCount), prompt);
  if (cached > 0) usage.cachedInputTokens = cached;
  if (thoughts > 0) usage.reasoningTokens = thoughts;
  const audio = Math.min(modalityCount(m.promptTokensDetails, 'AUDIO'), prompt);
  const cachedAudio = Math.min(modalityCount(m.cacheTokensDetails, 'AUDIO'), cached, audio);
  if (audio > 0) usage.audioInputTokens = audio;
  if (cachedAudio > 0) usage.cachedAudioInputTokens = cachedAudio;
  return usage;
}

/** The tokens of one modality in a `[{modality, tokenCount}]` list. */
function modalityCount(details: unknown, modality: string): number {
  if (!Array.isArray(details)) return 0;
  let n = 0;
  for (const d of details) if (isJsonObject(d) && d.modality === modality) n += count(d.tokenCount);
  return n;
}
