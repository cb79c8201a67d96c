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

/** The usage tap for a native OpenAI-dialect call, or undefined for paths that report no usage. */
export function openAINativeTap(method: string, path: string, stream: boolean): UsageTap | undefined {
  if (method !== 'POST') return undefined;
  const op = JSON_OPS[path];
  if (!op) return undefined;
  if (stream && (op === 'chat' || op === 'completions')) return new OpenAIChatStreamTap();
  if (stream && op === 'responses') return new OpenAIResponsesStreamTap();
  if (stream) return undefined;
  return openAIJsonTap(op);
}

/**
 * Calls that start work the provider bills later, out of this request's sight (batches, fine-tuning,
 * Assistants runs, video jobs, realtime sessions, vector-store storage): they cannot be metered here.
 */
export function openAIUnmeteredWork(method: string, path: string): boolean {
  return method === 'POST' && /^\/v1\/(?:batches|fine_tuning\/jobs|videos|realtime\/|vector_stores|evals|threads\/runs|threads\/[^/]+\/runs)/.test(path);
}
