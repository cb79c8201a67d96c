import type { GatewayError, ErrorCode } from '../../core/errors.js';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

const TYPES: Record<ErrorCode, string> = {
  TG_ERR_BAD_REQUEST: 'invalid_request_error',
  TG_ERR_UNAUTHORIZED: 'authentication_error',
  TG_ERR_INSUFFICIENT_BALANCE: 'billing_error',
  TG_ERR_FORBIDDEN: 'permission_error',
  TG_ERR_NOT_FOUND: 'not_found_error',
  TG_ERR_MODEL_NOT_FOUND: 'not_found_error',
  TG_ERR_MODEL_NOT_PRICED: 'permission_error',
  TG_ERR_CONFLICT: 'invalid_request_error',
  TG_ERR_PAYLOAD_TOO_LARGE: 'request_too_large',
  TG_ERR_REQUEST_TIMEOUT: 'invalid_request_error',
  TG_ERR_RATE_LIMITED: 'rate_limit_error',
  TG_ERR_INTERNAL: 'api_error',
  TG_ERR_UPSTREAM_UNREACHABLE: 'api_error',
  TG_ERR_PROVIDER_NOT_CONFIGURED: 'api_error',
  TG_ERR_UNAVAILABLE: 'overloaded_error',
  TG_ERR_UPSTREAM_TIMEOUT: 'timeout_error',
};

export function anthropicErrorBody(err: GatewayError): AnthropicErrorBody {
  return { type: 'error', error: { type: TYPES[err.code], message: err.message } };
}

/** A mid-stream error as the Anthropic SDK recognises it: a named `error` event. */
export function anthropicStreamErrorEvent(err: GatewayError): string {
  return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(err))}\n\n`;
}
