import { shaped, type RequestEstimate } from '../../core/estimate.js';
import { walkJson } from '../../lib/json-strings.js';
import { GEMINI_MEDIA, approximateTokens, blobTokens } from '../../lib/token-count.js';

/**
 * Token figures of a Gemini request before it is forwarded: an upper bound of its input tokens,
 * `generationConfig.maxOutputTokens` and `candidateCount` (snake_case spellings accepted too).
 *
 * Text: every string of the body, keys included, by the bytes bound (`approximateTokens`). Media:
 * `inline_data` payloads by kind (image allowance; audio, video and PDF by bytes — the MIME type is not
 * needed, the payload's magic bytes tell); `file_data` parts by the image allowance when their MIME type
 * is an image, else by a heuristic allowance (an uploaded file's size is unknown here), as is a
 * `cachedContent`. Thought signatures are opaque and not billed as text; another long base64-looking
 * value in a text position counts one token per byte.
 *
 * Thinking: `maxOutputTokens` caps thoughts and answer together, so it is the whole output cap and
 * `thinkingConfig.thinkingBudget` is not added. Google's thinking guide presents the two as separate,
 * but every measurement we found says otherwise: on 2.5 Flash and Pro, thoughts alone exhaust
 * `maxOutputTokens` with `finishReason: MAX_TOKENS` and an empty answer (googleapis/python-genai#782,
 * #811; langchain-ai/langchain-google#1020: max 3,072 → 3,071 thought + 0 answer tokens), and on
 * Gemini 3 thought + answer tokens never exceed it (googleapis/python-genai#2062). `thinkingBudget` is
 * itself only guidance ("the model may overflow or underflow the budget"), so it bounds nothing alone;
 * without `maxOutputTokens` the model's maximum output applies.
 */

/** Framing not visible in the body, beyond what the counted keys already cover. */
export const GEMINI_REQUEST_OVERHEAD_TOKENS = 16;

const METHOD_IN_PATH = /\/(?:models|tunedModels)\/[^/:]+:([A-Za-z]+)$/;
const GENERATE = new Set(['generateContent', 'streamGenerateContent']);
const EMBED = new Set(['embedContent', 'batchEmbedContents']);

/** For `…/models/{model}:generateContent` (also `:streamGenerateContent`, `:embedContent`, `:batchEmbedContents`); else `undefined`. */
export function estimateGeminiRequest(path: string, body: Buffer): RequestEstimate | undefined {
  const method = METHOD_IN_PATH.exec(withoutQuery(path))?.[1];
  if (method === undefined || (!GENERATE.has(method) && !EMBED.has(method))) return undefined;

  let textTokens = 0;
  let pastedBlobTokens = 0;
  let mediaTokens = 0;
  let inlineParts = 0;
  let inlineBlobs = 0;
  let imageBlobs = 0;
  let fileParts = 0;
  let imageFiles = 0;
  let referenced = 0;
  let maxOutputTokens: number | undefined;
  let candidateCount: number | undefined;

  const walk = walkJson(body, (t) => {
    if (t.kind === 'number') {
      if (t.depth === 2 && (t.parentKeyIs('generationConfig') || t.parentKeyIs('generation_config'))) {
        const v = t.numberValue();
        if (t.keyIs('maxOutputTokens') || t.keyIs('max_output_tokens')) {
          maxOutputTokens = Number.isFinite(v) && v >= 0 ? Math.ceil(v) : undefined;
        } else if (t.keyIs('candidateCount') || t.keyIs('candidate_count')) {
          candidateCount = Number.isFinite(v) && v >= 1 ? Math.floor(v) : undefined;
        }
      }
      return;
    }
    if (t.kind === 'key') {
      if (t.is('inline_data') || t.is('inlineData')) inlineParts++;
      else if (t.is('file_data') || t.is('fileData')) fileParts++;
    }
    if (t.blob) {
      if (t.keyIs('data') && (t.parentKeyIs('inline_data') || t.parentKeyIs('inlineData'))) {
        const blob = t.blobInfo();
        inlineBlobs++;
        if (blob.kind === 'image') imageBlobs++;
        else mediaTokens += blobTokens(GEMINI_MEDIA, blob.kind, blob.bytes);
      } else if (!t.keyIs('thoughtSignature') && !t.keyIs('thought_signature')) {
        pastedBlobTokens += t.utf8Length;
      }
      return;
    }
    textTokens += approximateTokens(t.utf8Length);
    if (t.kind !== 'string') return;
    if ((t.keyIs('mime_type') || t.keyIs('mimeType')) && (t.parentKeyIs('file_data') || t.parentKeyIs('fileData'))) {
      if (t.startsWith('image/')) imageFiles++;
    } else if (t.depth === 1 && (t.keyIs('cachedContent') || t.keyIs('cached_content'))) {
      referenced++;
    }
  });

  // inline payloads under the blob size (a thumbnail, a fraction of a second of audio) get the image allowance
  const smallInline = Math.max(0, inlineParts - inlineBlobs);
  const otherFiles = Math.max(0, fileParts - imageFiles);
  const inputTokens =
    textTokens +
    pastedBlobTokens +
    mediaTokens +
    (imageBlobs + smallInline + imageFiles) * GEMINI_MEDIA.image +
    (otherFiles + referenced) * GEMINI_MEDIA.referenced +
    GEMINI_REQUEST_OVERHEAD_TOKENS;

  if (EMBED.has(method)) return shaped({ inputTokens, maxOutputTokens: 0, choices: 1 }, walk.complete, otherFiles + referenced > 0);
  const choices = candidateCount ?? 1;
  return shaped(maxOutputTokens === undefined ? { inputTokens, choices } : { inputTokens, maxOutputTokens, choices }, walk.complete, otherFiles + referenced > 0);
}

function withoutQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}
