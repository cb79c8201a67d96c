import { GatewayError, isGatewayError } from '../core/errors.js';
import type { Surface } from '../core/surface.js';
import { DIALECTS } from '../dialects/index.js';
import { isStoreUnavailable } from '../store/index.js';

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
  return DIALECTS[surface].errors.body(err);
}

/** The bytes that tell a streaming client of this surface that the stream failed. */
export function streamErrorEvent(surface: Surface, err: GatewayError): string {
  return DIALECTS[surface].errors.streamEvent(err);
}
