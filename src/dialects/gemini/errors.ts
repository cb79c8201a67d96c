import type { GatewayError, ErrorCode } from '../../core/errors.js';

export interface GeminiErrorBody {
  error: { code: number; message: string; status: string };
}

const STATUSES: Record<ErrorCode, string> = {
  TG_ERR_BAD_REQUEST: 'INVALID_ARGUMENT',
  TG_ERR_UNAUTHORIZED: 'UNAUTHENTICATED',
  TG_ERR_INSUFFICIENT_BALANCE: 'RESOURCE_EXHAUSTED',
  TG_ERR_FORBIDDEN: 'PERMISSION_DENIED',
  TG_ERR_NOT_FOUND: 'NOT_FOUND',
  TG_ERR_MODEL_NOT_FOUND: 'NOT_FOUND',
  TG_ERR_MODEL_NOT_PRICED: 'PERMISSION_DENIED',
  TG_ERR_CONFLICT: 'ABORTED',
  TG_ERR_PAYLOAD_TOO_LARGE: 'INVALID_ARGUMENT',
  TG_ERR_REQUEST_TIMEOUT: 'DEADLINE_EXCEEDED',
  TG_ERR_RATE_LIMITED: 'RESOURCE_EXHAUSTED',
  TG_ERR_INTERNAL: 'INTERNAL',
  TG_ERR_UPSTREAM_UNREACHABLE: 'UNAVAILABLE',
  TG_ERR_PROVIDER_NOT_CONFIGURED: 'UNAVAILABLE',
  TG_ERR_UNAVAILABLE: 'UNAVAILABLE',
  TG_ERR_UPSTREAM_TIMEOUT: 'DEADLINE_EXCEEDED',
};

export function geminiErrorBody(err: GatewayError): GeminiErrorBody {
  return { error: { code: err.status, message: err.message, status: STATUSES[err.code] } };
}

/** A mid-stream error as the Google SDK recognises it in an `alt=sse` stream: a chunk with an `error` key. */
export function geminiStreamErrorEvent(err: GatewayError): string {
  return `data: ${JSON.stringify(geminiErrorBody(err))}\n\n`;
}
