import type { NativeRules } from '../../core/dialect.js';
import { badRequest } from '../../core/errors.js';
import { FREE_ENDPOINT, LATER_BILLED_ENDPOINT, METERED_JSON, UNKNOWN_ENDPOINT, type NativeEndpoint } from '../../core/native-endpoint.js';
import type { UsageTap } from '../../core/usage-tap.js';
import { geminiEmbeddingRecount } from './embed-count.js';
import { geminiNativeModel } from './native.js';
import { estimateGeminiRequest } from './request-estimate.js';
import { GeminiStreamTap, geminiJsonTap } from './usage-tap.js';

/** `/v1beta/models/{model}:{method}` (canonical: the model segment holds no `/` and no `:`). */
const MODEL_METHOD = /^\/v1(?:beta)?\/models\/[^/:]+:([A-Za-z]+)$/;
const METERED = new Set(['generateContent', 'streamGenerateContent', 'embedContent', 'batchEmbedContents']);
const LATER_BILLED = new Set(['batchGenerateContent', 'asyncBatchEmbedContent', 'predictLongRunning', 'predict']);
const FREE_GET = /^\/v1(?:beta)?\/models(?:\/[^/:]+)?$/;
const CACHED_CONTENTS = /^\/v1(?:beta)?\/cachedContents(?:\/|$)/;

/**
 * What a native Gemini endpoint is (`path` canonical): generation and embeddings are billed; token
 * counting and the model list are free; batches, long-running jobs, Imagen predictions and context
 * caches bill outside this request. Files, tuned models and operations are unknown.
 */
export function geminiNativeEndpoint(method: string, path: string): NativeEndpoint {
  if (method === 'POST') {
    const rpc = MODEL_METHOD.exec(path)?.[1];
    if (rpc !== undefined && METERED.has(rpc)) return METERED_JSON;
    if (rpc === 'countTokens') return FREE_ENDPOINT;
    if ((rpc !== undefined && LATER_BILLED.has(rpc)) || CACHED_CONTENTS.test(path)) return LATER_BILLED_ENDPOINT;
    return UNKNOWN_ENDPOINT;
  }
  if (method === 'GET' && FREE_GET.test(path)) return FREE_ENDPOINT;
  return UNKNOWN_ENDPOINT;
}

/**
 * The usage tap for a native Gemini call; the method is in the path (`models/x:generateContent`). A
 * stream's framing (`alt=sse` or a JSON array) is read off the answer itself, not the query.
 */
export function geminiNativeTap(method: string, path: string): UsageTap | undefined {
  if (method !== 'POST') return undefined;
  if (path.endsWith(':generateContent')) return geminiJsonTap();
  if (path.endsWith(':streamGenerateContent')) return new GeminiStreamTap({ framing: 'auto' });
  return undefined;
}

const EMBED = /:(?:embedContent|batchEmbedContents)$/;

/** The native surface of Gemini: the model is in the path; a rejected key is a 400 that says so. */
export const geminiNativeRules: NativeRules = {
  endpoint: geminiNativeEndpoint,
  meter({ method, path }, body) {
    const endpoint = geminiNativeEndpoint(method, path);
    if (endpoint.kind !== 'metered') return { endpoint, tap: undefined, filter: undefined, body: undefined, basis: undefined };
    const tap = geminiNativeTap(method, path);
    const tokens = body ? estimateGeminiRequest(path, body) : undefined;
    if (tokens?.malformed) throw badRequest('The request body is not valid JSON.');
    if (tokens && EMBED.test(path)) {
      // Gemini's embedding answers carry no token count: the request's own count is what is billed.
      // What Google bills is asked of its countTokens once the answer is out; the bound stands when it cannot say.
      const requestUsage = { usage: { inputTokens: tokens.inputTokens, outputTokens: 0 } };
      const recount = body ? geminiEmbeddingRecount(path, body) : undefined;
      return { endpoint, tap, filter: undefined, body: undefined, requestUsage, basis: { requestUsage }, ...(recount ? { recount } : {}) };
    }
    return { endpoint, tap, filter: undefined, body: undefined, basis: { tokens } };
  },
  // Gemini serves the model named in the path, whatever the body says.
  model: ({ path }) => geminiNativeModel(path)?.slice(0, 200) ?? null,
  keyRejected: (status, body) => status === 400 && body.includes('API_KEY_INVALID'),
  keyInQuery: true,
};
