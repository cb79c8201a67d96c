import { shaped, type RequestEstimate } from '../../core/estimate.js';
import { walkJson } from '../../lib/json-strings.js';
import {
  ANTHROPIC_MEDIA,
  GEMINI_MEDIA,
  OPENAI_GPT_4O_MINI_IMAGE_TOKENS,
  OPENAI_MEDIA,
  TextTally,
  blobTokens,
} from '../../lib/token-count.js';

/**
 * Token figures of an OpenAI-style request before it is forwarded (issue "Estimate before forwarding"):
 * an upper bound of its input tokens, its own output cap and the number of answers.
 *
 * Text: every string of the body — keys included, which over-counts a little and covers the chat
 * format's per-message framing (3 tokens a message + 3 to prime the answer, by OpenAI's cookbook) and
 * the rendering of `tools` — counted with o200k for models that use it (small strings within a
 * per-request budget, see `TextTally`), by the bytes bound otherwise. The OpenAI dialect also serves
 * OpenRouter, xAI, DeepSeek and custom hosts whose models use other tokenizers: o200k counts would
 * not bound those, so they get the bytes bound (and the largest image allowance of the three dialects).
 *
 * Media: image parts (`image_url`, `input_image`, inline or by URL or id) by a per-image allowance;
 * inline audio and files by bytes (`lib/token-count.ts`); a base64-looking value in a text position
 * (pasted into a message) at one token per byte, its strict bound; files, stored conversations and
 * prompts referenced by id by a heuristic allowance.
 *
 * Known gaps: base64, hex or other random-looking runs *inside* a longer text (over 1 KB, so not
 * tokenized) get the 2-bytes-a-token approximation, which o200k beats (base64 ≈ 1.46 characters a
 * token): such a string can be under-counted by up to ~27%. Content fetched by server-side tools
 * (web or file search) and `detail: "original"` images on the newest models are not bounded here.
 */

type Endpoint = 'chat' | 'completions' | 'responses' | 'embeddings';

const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/responses': 'responses',
  '/v1/embeddings': 'embeddings',
};

/** Framing and hidden instructions not visible in the body (reply priming, a reasoning model's preamble). */
export const OPENAI_REQUEST_OVERHEAD_TOKENS = 16;
/** The legacy Completions API generates at most 16 tokens when `max_tokens` is not set (OpenAI API reference). */
export const LEGACY_COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

export interface OpenAIEstimateOptions {
  /** How to count text: o200k (gpt-tokenizer) or the bytes bound. Default: o200k for OpenAI models that use it. */
  tokenizer?: 'o200k' | 'approximate';
  /** Most bytes of text tokenized for this request (default `TOKENIZE_BUDGET_BYTES`, 8 KB). */
  tokenizeBudgetBytes?: number;
  /** No tokenizer call is started after this much time on this request (default `TOKENIZE_TIME_BUDGET_MS`, 0.25 ms). */
  tokenizeTimeBudgetMs?: number;
}

/** What one walk of a request body found: the fields that set the output cap, and what its input holds. */
interface Seen {
  model: string | undefined;
  maxTokens: number | undefined;
  maxCompletionTokens: number | undefined;
  maxOutputTokens: number | undefined;
  n: number | undefined;
  bestOf: number | undefined;
  tokenIds: number;
  pastedBlobTokens: number;
  mediaTokens: number;
  /** By bytes; each also at least one image allowance, known only once the model is. */
  unknownBlobTokens: number[];
  imageParts: number;
  imageBlobs: number;
  fileParts: number;
  fileBlobs: number;
  referenced: number;
  wellFormed: boolean;
}

/** `undefined` for paths other than chat completions, completions, responses and embeddings. */
export function estimateOpenAIRequest(path: string, body: Buffer, options: OpenAIEstimateOptions = {}): RequestEstimate | undefined {
  const endpoint = ENDPOINTS[withoutQuery(path)];
  if (endpoint === undefined) return undefined;
  const text = new TextTally(body, options.tokenizeBudgetBytes);
  const seen = walkRequest(body, endpoint, text);
  const family = modelFamily(seen.model);
  const tokenize = (options.tokenizer ?? (family === 'o200k' ? 'o200k' : 'approximate')) === 'o200k';
  const referenced = Math.max(0, seen.fileParts - seen.fileBlobs) + seen.referenced;
  const inputTokens = text.total(tokenize, options.tokenizeTimeBudgetMs) + mediaAndOtherTokens(seen, family, referenced);
  return shaped(capped(endpoint, seen, family, inputTokens), seen.wellFormed, referenced > 0);
}

function walkRequest(body: Buffer, endpoint: Endpoint, text: TextTally): Seen {
  const seen: Seen = {
    model: undefined, maxTokens: undefined, maxCompletionTokens: undefined, maxOutputTokens: undefined, n: undefined, bestOf: undefined,
    tokenIds: 0, pastedBlobTokens: 0, mediaTokens: 0, unknownBlobTokens: [], imageParts: 0, imageBlobs: 0, fileParts: 0, fileBlobs: 0,
    referenced: 0, wellFormed: false,
  };
  const walk = walkJson(body, (t) => {
    if (t.kind === 'number') {
      if (t.depth === 1) {
        if (t.keyIs('max_tokens')) seen.maxTokens = outputCap(t.numberValue());
        else if (t.keyIs('max_completion_tokens')) seen.maxCompletionTokens = outputCap(t.numberValue());
        else if (t.keyIs('max_output_tokens')) seen.maxOutputTokens = outputCap(t.numberValue());
        else if (t.keyIs('n')) seen.n = count(t.numberValue());
        else if (t.keyIs('best_of')) seen.bestOf = count(t.numberValue());
      } else if ((endpoint === 'embeddings' && t.keyIs('input')) || (endpoint === 'completions' && t.keyIs('prompt'))) {
        seen.tokenIds++; // a prompt given as token ids: one token each
      }
      return;
    }
    if (t.blob) {
      if (isMediaSlot(t)) {
        const blob = t.blobInfo();
        if (t.keyIs('file_data')) seen.fileBlobs++;
        if (blob.kind === 'image') seen.imageBlobs++;
        else if (blob.kind === 'unknown') seen.unknownBlobTokens.push(blobTokens(OPENAI_MEDIA, 'unknown', blob.bytes, 0));
        else seen.mediaTokens += blobTokens(OPENAI_MEDIA, blob.kind, blob.bytes);
      } else {
        seen.pastedBlobTokens += t.utf8Length;
      }
      return;
    }
    text.add(t.start, t.end, t.utf8Length, t.escaped);
    if (t.kind !== 'string') return;
    if (t.keyIs('type')) {
      if (t.is('image_url') || t.is('input_image')) seen.imageParts++;
      else if (t.is('file') || t.is('input_file')) seen.fileParts++;
    } else if (t.depth === 1) {
      if (t.keyIs('model')) seen.model = t.text();
      else if (t.keyIs('previous_response_id') || t.keyIs('conversation')) seen.referenced++;
    } else if (t.depth === 2 && t.keyIs('id') && (t.parentKeyIs('prompt') || t.parentKeyIs('conversation'))) {
      seen.referenced++; // a stored prompt or conversation, by id
    }
  });
  seen.wellFormed = walk.complete;
  return seen;
}

/** Input tokens besides the counted text: token ids, pasted blobs, media, images, referenced content, framing. */
function mediaAndOtherTokens(seen: Seen, family: ReturnType<typeof modelFamily>, referenced: number): number {
  const imageTokens =
    family === 'other'
      ? Math.max(OPENAI_MEDIA.image, ANTHROPIC_MEDIA.image, GEMINI_MEDIA.image)
      : bareModel(seen.model).startsWith('gpt-4o-mini')
        ? OPENAI_GPT_4O_MINI_IMAGE_TOKENS
        : OPENAI_MEDIA.image;
  let mediaTokens = seen.mediaTokens;
  for (const tokens of seen.unknownBlobTokens) mediaTokens += Math.max(tokens, imageTokens);
  const images = Math.max(seen.imageParts, seen.imageBlobs);
  return seen.tokenIds + seen.pastedBlobTokens + mediaTokens + images * imageTokens + referenced * OPENAI_MEDIA.referenced + OPENAI_REQUEST_OVERHEAD_TOKENS;
}

/** The estimate with the endpoint's own output cap and number of answers. */
function capped(endpoint: Endpoint, seen: Seen, family: ReturnType<typeof modelFamily>, inputTokens: number): RequestEstimate {
  switch (endpoint) {
    case 'chat':
      return withCap(inputTokens, seen.maxCompletionTokens ?? seen.maxTokens, seen.n ?? 1);
    case 'completions': {
      // unset max_tokens means 16 on OpenAI itself; other hosts of this dialect keep their own defaults
      const officialDefault = family !== 'other' && seen.model !== undefined && !seen.model.includes('/');
      const cap = seen.maxTokens ?? (officialDefault ? LEGACY_COMPLETIONS_DEFAULT_MAX_TOKENS : undefined);
      // best_of candidates are generated (and billed) server-side even though only n are returned
      return withCap(inputTokens, cap, Math.max(seen.n ?? 1, seen.bestOf ?? 1));
    }
    case 'responses':
      return withCap(inputTokens, seen.maxOutputTokens, 1);
    case 'embeddings':
      return { inputTokens, maxOutputTokens: 0, choices: 1 };
  }
}

/** Where an OpenAI request carries media bytes: image URLs, audio data, file data. */
function isMediaSlot(t: { keyIs(name: string): boolean; parentKeyIs(name: string): boolean }): boolean {
  return (
    (t.keyIs('url') && t.parentKeyIs('image_url')) ||
    t.keyIs('image_url') ||
    t.keyIs('file_data') ||
    (t.keyIs('data') && t.parentKeyIs('input_audio'))
  );
}

/**
 * `o200k`: OpenAI models tokenized with o200k_base (gpt-4o, 4.1, 4.5, 5, o-series, …); `cl100k`: older
 * OpenAI models (gpt-4, gpt-4-turbo, gpt-3.5, text-embedding-*), whose counts o200k does not bound;
 * `other`: anything else (or no model).
 */
export function modelFamily(model: string | undefined): 'o200k' | 'cl100k' | 'other' {
  const name = bareModel(model);
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|gpt-realtime|gpt-audio|gpt-image|chatgpt-|o[1-9]|codex-|computer-use-|omni-moderation)/.test(name)) {
    return 'o200k';
  }
  if (/^(gpt-4|gpt-3\.5|text-embedding-|text-moderation|davinci-|babbage-)/.test(name)) return 'cl100k';
  return 'other';
}

/** `openai/gpt-4o` (OpenRouter) and `ft:gpt-4o-mini:org::id` (fine-tunes) name the base model after the prefix. */
function bareModel(model: string | undefined): string {
  if (model === undefined) return '';
  let name = model.toLowerCase();
  if (name.startsWith('openai/')) name = name.slice('openai/'.length);
  if (name.startsWith('ft:')) name = name.slice('ft:'.length);
  return name;
}

function withCap(inputTokens: number, cap: number | undefined, choices: number): RequestEstimate {
  return cap === undefined ? { inputTokens, choices } : { inputTokens, maxOutputTokens: cap, choices };
}

/** An output cap: a finite non-negative number (rounded up); otherwise ignored. */
function outputCap(v: number): number | undefined {
  return Number.isFinite(v) && v >= 0 ? Math.ceil(v) : undefined;
}

/** A count of answers: a finite number ≥ 1 (rounded down); otherwise ignored. */
function count(v: number): number | undefined {
  return Number.isFinite(v) && v >= 1 ? Math.floor(v) : undefined;
}

function withoutQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}
