import { shaped, type RequestEstimate } from '../../core/estimate.js';
import { walkJson } from '../../lib/json-strings.js';
import {
  ANTHROPIC_BUILTIN_TOOL_TOKENS,
  ANTHROPIC_MEDIA,
  ANTHROPIC_TOOL_SYSTEM_PROMPT_TOKENS,
  approximateTokens,
  blobTokens,
} from '../../lib/token-count.js';

/**
 * Token figures of an Anthropic Messages request before it is forwarded: an upper bound of its input
 * tokens, `max_tokens` (which includes any extended-thinking budget) and one answer.
 *
 * Text: every string of the body, keys included, by the bytes bound (`approximateTokens`; there is no
 * local Claude tokenizer). Images (`type: "image"`, inline, by URL or by file id) by a per-image
 * allowance; inline PDFs by bytes; documents by URL or file id by a heuristic allowance; a long
 * base64-looking value elsewhere (pasted text, `redacted_thinking` data) at one token per byte. Thinking
 * `signature`s are opaque and not billed as text. When `tools` is non-empty Anthropic adds a hidden
 * tool-use system prompt, and its own tools (`computer_…`, `bash_…`, `text_editor_…`) add more.
 *
 * `/v1/messages/count_tokens` is free and other paths are not metered here: `undefined`.
 */

/** Per-turn framing not visible in the body, beyond what the counted keys already cover. */
export const ANTHROPIC_REQUEST_OVERHEAD_TOKENS = 16;

const DATED_TOOL_TYPE = /_\d{8}$/;

export function estimateAnthropicRequest(path: string, body: Buffer): RequestEstimate | undefined {
  if (withoutQuery(path) !== '/v1/messages') return undefined;

  let textTokens = 0;
  let pastedBlobTokens = 0;
  let mediaTokens = 0;
  let images = 0;
  let imageBlobs = 0;
  let documents = 0;
  let documentBlobs = 0;
  let inlineDocuments = 0;
  let tools = 0;
  let builtinTools = 0;
  let maxTokens: number | undefined;

  const walk = walkJson(body, (t) => {
    if (t.kind === 'number') {
      if (t.depth === 1 && t.keyIs('max_tokens')) {
        const v = t.numberValue();
        maxTokens = Number.isFinite(v) && v >= 0 ? Math.ceil(v) : undefined;
      }
      return;
    }
    if (t.blob) {
      if (t.keyIs('data') && t.parentKeyIs('source')) {
        const blob = t.blobInfo();
        if (blob.kind === 'image') imageBlobs++;
        else {
          documentBlobs++;
          mediaTokens += blobTokens(ANTHROPIC_MEDIA, blob.kind, blob.bytes);
        }
      } else if (!t.keyIs('signature')) {
        pastedBlobTokens += t.utf8Length;
      }
      return;
    }
    textTokens += approximateTokens(t.utf8Length);
    if (t.kind !== 'string') return;
    if (t.keyIs('type')) {
      if (t.parentKeyIs('source')) {
        if (t.is('text') || t.is('content')) inlineDocuments++; // a document given as text or content blocks
      } else if (t.parentKeyIs('tools') && t.depth === 3) {
        if (DATED_TOOL_TYPE.test(t.text())) builtinTools++;
      } else if (t.is('image')) {
        images++;
      } else if (t.is('document')) {
        documents++;
      }
    } else if (t.keyIs('name') && t.parentKeyIs('tools') && t.depth === 3) {
      tools++;
    }
  });

  const referencedDocuments = Math.max(0, documents - documentBlobs - inlineDocuments);
  const inputTokens =
    textTokens +
    pastedBlobTokens +
    mediaTokens +
    Math.max(images, imageBlobs) * ANTHROPIC_MEDIA.image +
    referencedDocuments * ANTHROPIC_MEDIA.referenced +
    (tools > 0 ? ANTHROPIC_TOOL_SYSTEM_PROMPT_TOKENS : 0) +
    builtinTools * ANTHROPIC_BUILTIN_TOOL_TOKENS +
    ANTHROPIC_REQUEST_OVERHEAD_TOKENS;

  return shaped(maxTokens === undefined ? { inputTokens, choices: 1 } : { inputTokens, maxOutputTokens: maxTokens, choices: 1 }, walk.complete, referencedDocuments > 0);
}

function withoutQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}
