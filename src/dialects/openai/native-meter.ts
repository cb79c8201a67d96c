import { FREE_ENDPOINT, LATER_BILLED_ENDPOINT, METERED_FORM, METERED_JSON, UNKNOWN_ENDPOINT, type NativeEndpoint } from '../../core/native-endpoint.js';
import type { UsageTap } from '../../core/usage-tap.js';
import { OpenAIChatStreamTap, OpenAIResponsesStreamTap, openAIJsonTap, type OpenAIJsonOp } from './usage-tap.js';

const JSON_OPS: Record<string, OpenAIJsonOp> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/responses': 'responses',
  '/v1/embeddings': 'embeddings',
  '/v1/images/generations': 'images',
  '/v1/images/edits': 'images',
  '/v1/images/variations': 'images',
  '/v1/audio/transcriptions': 'transcription',
  '/v1/audio/translations': 'transcription',
};

/** POST endpoints billed per call (canonical paths), with how their body is read. */
const METERED: Record<string, NativeEndpoint> = {
  '/v1/chat/completions': METERED_JSON,
  '/v1/completions': METERED_JSON,
  '/v1/responses': METERED_JSON,
  '/v1/embeddings': METERED_JSON,
  '/v1/images/generations': METERED_JSON,
  '/v1/audio/speech': METERED_JSON,
  '/v1/images/edits': METERED_FORM,
  '/v1/images/variations': METERED_FORM,
  '/v1/audio/transcriptions': METERED_FORM,
  '/v1/audio/translations': METERED_FORM,
};

/**
 * Free and private to the caller: model lists, moderation (free at OpenAI), token counting (OpenAI's
 * `responses/input_tokens`, xAI's `tokenize-text`). Account-wide reads (files, stored completions and
 * responses, keys, credits, balances) are deliberately absent: under the operator's key they would show
 * every customer's data.
 */
const FREE_POST = new Set(['/v1/moderations', '/v1/responses/input_tokens', '/v1/tokenize-text']);
const FREE_GET = /^\/v1\/(?:models(?:\/[^/]+)?|language-models|image-generation-models|embedding-models)$/;

/** Work the provider bills later, out of this request's sight (batches, fine-tuning, runs, video, realtime, storage). */
const LATER_BILLED = /^\/v1\/(?:batches|fine_tuning\/jobs|videos|realtime(?:\/|$)|vector_stores|evals|threads\/runs|threads\/[^/]+\/runs)/;

/** What an OpenAI-dialect native endpoint is (OpenAI, xAI, DeepSeek, OpenRouter); `path` is canonical. */
export function openAINativeEndpoint(method: string, path: string): NativeEndpoint {
  if (method === 'POST') {
    const metered = METERED[path];
    if (metered) return metered;
    if (FREE_POST.has(path)) return FREE_ENDPOINT;
    if (LATER_BILLED.test(path)) return LATER_BILLED_ENDPOINT;
    return UNKNOWN_ENDPOINT;
  }
  if (method === 'GET' && FREE_GET.test(path)) return FREE_ENDPOINT;
  return UNKNOWN_ENDPOINT;
}

/**
 * The usage tap for a native OpenAI-dialect call, or undefined for paths that report no usage;
 * `reportedCost`: the provider's `usage.cost` is kept (OpenRouter).
 */
export function openAINativeTap(method: string, path: string, stream: boolean, reportedCost = false): UsageTap | undefined {
  if (method !== 'POST') return undefined;
  const op = JSON_OPS[path];
  if (!op) return undefined;
  if (stream && (op === 'chat' || op === 'completions')) return new OpenAIChatStreamTap(reportedCost);
  if (stream && op === 'responses') return new OpenAIResponsesStreamTap();
  if (stream) return undefined;
  return openAIJsonTap(op, undefined, reportedCost);
}
