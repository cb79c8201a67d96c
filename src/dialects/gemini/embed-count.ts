import type { UsageRecount } from '../../core/dialect.js';
import { isJsonObject } from '../../lib/json-value.js';

/** `/v1beta/models/{model}:embedContent` or `:batchEmbedContents` (canonical path). */
const EMBED_PATH = /^(\/v1(?:beta)?\/models\/[^/:]+):(embedContent|batchEmbedContents)$/;
/** A batch larger than this is billed by the bound rather than by a burst of count calls. */
const MAX_COUNTS = 100;

/**
 * Gemini's embedding answers state no token count (docs/reference/gemini.md §6); `countTokens` on the
 * same model (free, §1) states what Google bills: `{contents: [content]}` → `{totalTokens}`. One count per
 * embedded content, so each text's count can be cached on its own. gemini-embedding-001 lists countTokens
 * among its methods; a model that refuses it is billed by the request's byte bound instead.
 */
export function geminiEmbeddingRecount(path: string, body: Buffer): UsageRecount | undefined {
  const match = EMBED_PATH.exec(path);
  if (!match) return undefined;
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isJsonObject(request)) return undefined;
  const contents = match[2] === 'embedContent' ? [request.content] : Array.isArray(request.requests) ? request.requests.map((r) => (isJsonObject(r) ? r.content : undefined)) : [];
  if (contents.length === 0 || contents.length > MAX_COUNTS || !contents.every(isJsonObject)) return undefined;
  const countPath = `${match[1]}:countTokens`;
  return {
    requests: contents.map((content) => ({ path: countPath, body: Buffer.from(JSON.stringify({ contents: [content] }), 'utf8') })),
    tokens: (answer) => {
      const total = isJsonObject(answer) ? answer.totalTokens : undefined;
      return typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? total : undefined;
    },
  };
}
