import { GatewayError, isGatewayError } from '../core/errors.js';
import type { Surface } from '../core/surface.js';
import { isStoreUnavailable } from '../store/index.js';
import { anthropicErrorBody, anthropicStreamErrorEvent } from '../dialects/anthropic/errors.js';
import { geminiErrorBody, geminiStreamErrorEvent } from '../dialects/gemini/errors.js';
import { openAIErrorBody, openAIStreamErrorEvent } from '../dialects/openai/errors.js';

export type { Surface } from '../core/surface.js';

/**
 * Any thrown value as a safe GatewayError: a database that cannot be reached or written is a 503 (retry
 * later); any other unknown failure a generic 500, never its message.
 */
export function asGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  if (isStoreUnavailable(err)) return new GatewayError('TG_ERR_UNAVAILABLE', 'The gateway cannot reach its database right now; retry shortly.');
  return new GatewayError('TG_ERR_INTERNAL', 'The gateway failed to handle this request.');
}

export function errorBody(surface: Surface, err: GatewayError): object {
  switch (surface) {
    case 'anthropic':
      return anthropicErrorBody(err);
    case 'gemini':
      return geminiErrorBody(err);
    default:
      return openAIErrorBody(err);
  }
}

/** The bytes that tell a streaming client of this surface that the stream failed. */
export function streamErrorEvent(surface: Surface, err: GatewayError): string {
  switch (surface) {
    case 'anthropic':
      return anthropicStreamErrorEvent(err);
    case 'gemini':
      return geminiStreamErrorEvent(err);
    default:
      return openAIStreamErrorEvent(err);
  }
}
