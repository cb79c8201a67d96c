import type { GatewayError, ErrorCode } from '../../core/errors.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const TYPE_AND_CODE: Record<ErrorCode, [type: string, code: string]> = {
  TG_ERR_BAD_REQUEST: ['invalid_request_error', 'invalid_request'],
  TG_ERR_UNAUTHORIZED: ['invalid_request_error', 'invalid_api_key'],
  TG_ERR_INSUFFICIENT_BALANCE: ['insufficient_quota', 'insufficient_balance'],
  TG_ERR_FORBIDDEN: ['permission_error', 'permission_denied'],
  TG_ERR_NOT_FOUND: ['invalid_request_error', 'not_found'],
  TG_ERR_MODEL_NOT_FOUND: ['invalid_request_error', 'model_not_found'],
  TG_ERR_MODEL_NOT_PRICED: ['permission_error', 'model_not_priced'],
  TG_ERR_CONFLICT: ['invalid_request_error', 'conflict'],
  TG_ERR_PAYLOAD_TOO_LARGE: ['invalid_request_error', 'request_too_large'],
  TG_ERR_REQUEST_TIMEOUT: ['invalid_request_error', 'request_timeout'],
  TG_ERR_RATE_LIMITED: ['rate_limit_error', 'rate_limit_exceeded'],
  TG_ERR_INTERNAL: ['server_error', 'internal_error'],
  TG_ERR_UPSTREAM_UNREACHABLE: ['server_error', 'upstream_unreachable'],
  TG_ERR_PROVIDER_NOT_CONFIGURED: ['server_error', 'provider_not_configured'],
  TG_ERR_UNAVAILABLE: ['server_error', 'service_unavailable'],
  TG_ERR_UPSTREAM_TIMEOUT: ['server_error', 'upstream_timeout'],
};

export function openAIErrorBody(err: GatewayError): OpenAIErrorBody {
  const [type, code] = TYPE_AND_CODE[err.code];
  return { error: { message: err.message, type, param: err.param ?? null, code } };
}

/** A mid-stream error as the openai SDK recognises it: a `data:` payload with an `error` key. */
export function openAIStreamErrorEvent(err: GatewayError): string {
  return `data: ${JSON.stringify(openAIErrorBody(err))}\n\n`;
}
