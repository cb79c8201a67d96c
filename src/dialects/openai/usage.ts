import type { Usage } from '../../core/usage.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/**
 * Usage parsers for OpenAI response bodies (docs/reference/openai.md §1.5, §2.2, §3–§5, §8). Pure, never throw;
 * `undefined` when the body carries no usage. OpenAI counts are already inclusive:
 * `prompt_tokens`/`input_tokens` include cached (and cache-write) tokens, `completion_tokens`/
 * `output_tokens` include reasoning tokens. Zero-valued optional fields are omitted; a subset larger
 * than its total (a broken upstream) is clamped to the total.
 */

/** A token count: a finite non-negative number, truncated to an integer; otherwise undefined. */
function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.trunc(v) : undefined;
}

function child(o: JsonObject, key: string): JsonObject {
  const v = o[key];
  return isJsonObject(v) ? v : {};
}

/** Builds a Usage from inclusive counts, omitting zero subsets and clamping them to their totals. */
export function inclusiveUsage(input: number, output: number, cached = 0, cacheWrite = 0, reasoning = 0): Usage {
  const usage: Usage = { inputTokens: input, outputTokens: output };
  const c = Math.min(cached, input);
  const w = Math.min(cacheWrite, input - c);
  const r = Math.min(reasoning, output);
  if (c > 0) usage.cachedInputTokens = c;
  if (w > 0) usage.cacheWriteTokens = w;
  if (r > 0) usage.reasoningTokens = r;
  return usage;
}

/**
 * Chat Completions (and legacy Completions) `usage`, from a whole response body or from the
 * trailing `choices: []` chunk of a stream (same shape).
 */
export function usageFromChatCompletion(body: unknown): Usage | undefined {
  if (!isJsonObject(body) || !isJsonObject(body.usage)) return undefined;
  const u = body.usage;
  const input = count(u.prompt_tokens);
  const output = count(u.completion_tokens);
  if (input === undefined && output === undefined) return undefined;
  const prompt = child(u, 'prompt_tokens_details');
  const completion = child(u, 'completion_tokens_details');
  const usage = inclusiveUsage(
    input ?? 0,
    output ?? 0,
    count(prompt.cached_tokens),
    count(prompt.cache_write_tokens),
    count(completion.reasoning_tokens),
  );
  return withModalities(usage, count(prompt.audio_tokens), count(prompt.image_tokens), count(completion.audio_tokens));
}

/**
 * The audio and image parts of the counts (`*_details.audio_tokens` / `image_tokens`), which the catalog may
 * price apart (audio input and output of gpt-4o-mini-tts, transcription, audio chat; image input of gpt-image).
 */
function withModalities(usage: Usage, audioIn = 0, imageIn = 0, audioOut = 0): Usage {
  const a = Math.min(audioIn, usage.inputTokens);
  const i = Math.min(imageIn, usage.inputTokens - a);
  const o = Math.min(audioOut, usage.outputTokens);
  if (a > 0) usage.audioInputTokens = a;
  if (i > 0) usage.imageInputTokens = i;
  if (o > 0) usage.audioOutputTokens = o;
  return usage;
}

/** Responses API: `response.usage` of a Response object (non-stream body or a terminal event's `response`). */
export function usageFromResponsesObject(response: unknown): Usage | undefined {
  if (!isJsonObject(response) || !isJsonObject(response.usage)) return undefined;
  return responsesStyleUsage(response.usage);
}

/** `{input_tokens, input_tokens_details, output_tokens, output_tokens_details}` (Responses, images, audio). */
function responsesStyleUsage(u: JsonObject): Usage | undefined {
  const input = count(u.input_tokens);
  const output = count(u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const inDetails = child(u, 'input_tokens_details');
  const outDetails = child(u, 'output_tokens_details');
  const usage = inclusiveUsage(
    input ?? 0,
    output ?? 0,
    count(inDetails.cached_tokens),
    count(inDetails.cache_write_tokens),
    count(outDetails.reasoning_tokens),
  );
  // Transcriptions name it `input_token_details` (docs/reference/openai.md §5).
  const transcription = child(u, 'input_token_details');
  const audioIn = count(inDetails.audio_tokens) ?? count(transcription.audio_tokens);
  return withModalities(usage, audioIn, count(inDetails.image_tokens), count(outDetails.audio_tokens));
}

/** Embeddings: `usage.prompt_tokens` (input only). */
export function usageFromEmbeddings(body: unknown): Usage | undefined {
  if (!isJsonObject(body) || !isJsonObject(body.usage)) return undefined;
  const input = count(body.usage.prompt_tokens) ?? count(body.usage.total_tokens);
  return input === undefined ? undefined : { inputTokens: input, outputTokens: 0 };
}

/**
 * Images (generations/edits, and the streamed `image_generation.completed` / `image_edit.completed`
 * events): gpt-image `usage` in tokens. DALL·E bodies have none → undefined (bill per image from the
 * request). The image part of the input (`input_tokens_details.image_tokens`) is kept: it has its own price.
 */
export function usageFromImages(body: unknown): Usage | undefined {
  if (!isJsonObject(body) || !isJsonObject(body.usage)) return undefined;
  return responsesStyleUsage(body.usage);
}

/**
 * Transcriptions/translations (JSON formats, or the streamed `transcript.text.done` event):
 * `usage.type: "tokens"` → tokens; `usage.type: "duration"` → `units.audio_second`; without usage, a
 * `verbose_json` top-level `duration` → `units.audio_second`. Seconds are rounded up to whole seconds
 * (billing needs integers; rounding up never under-bills by more than a second's price).
 */
export function usageFromTranscription(body: unknown): Usage | undefined {
  if (!isJsonObject(body)) return undefined;
  const u = body.usage;
  if (isJsonObject(u)) {
    if (u.type === 'duration' || (u.type === undefined && u.seconds !== undefined)) return durationUsage(u.seconds);
    return responsesStyleUsage(u);
  }
  return durationUsage(body.duration);
}

function durationUsage(seconds: unknown): Usage | undefined {
  const s = typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
  return s === undefined ? undefined : { inputTokens: 0, outputTokens: 0, units: { audio_second: s } };
}
