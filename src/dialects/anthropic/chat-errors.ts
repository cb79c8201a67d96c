import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/**
 * Anthropic errors → the OpenAI error shape of the unified API (docs/reference/translation.md §16).
 *
 * `code` carries Anthropic's own error type, `param` is always null (Anthropic names no field).
 * Status decisions where we depart from "keep the status":
 * - 529 `overloaded_error` → 503: OpenAI clients know 503 as "overloaded, retry" (the SDKs retry both).
 * - 500 `api_error` and other unknown 5xx → 502: the failure is the upstream's, not the gateway's.
 * - 402 `billing_error` → 503: the gateway's own Anthropic account is out of credit; the client can
 *   only wait (a 402 from this gateway means the *client's* balance).
 * - 429 spend-limit variant → 429 with code `insufficient_quota` (OpenAI's "don't retry" signal).
 * 401/403/404/413/429/504 keep their status.
 */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export interface MappedError {
  status: number;
  body: { error: OpenAIErrorObject };
}

const BY_TYPE: Record<string, { status: number; type: string }> = {
  invalid_request_error: { status: 400, type: 'invalid_request_error' },
  authentication_error: { status: 401, type: 'invalid_request_error' },
  billing_error: { status: 503, type: 'server_error' },
  permission_error: { status: 403, type: 'permission_error' },
  not_found_error: { status: 404, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  rate_limit_error: { status: 429, type: 'rate_limit_error' },
  api_error: { status: 502, type: 'server_error' },
  timeout_error: { status: 504, type: 'server_error' },
  overloaded_error: { status: 503, type: 'server_error' },
};

function byStatus(status: number): { status: number; type: string } {
  if (status === 529) return BY_TYPE.overloaded_error!;
  if (status === 503 || status === 504) return { status, type: 'server_error' };
  if (status >= 500 || status < 400) return { status: 502, type: 'server_error' };
  if (status === 401) return BY_TYPE.authentication_error!;
  if (status === 403) return BY_TYPE.permission_error!;
  if (status === 429) return BY_TYPE.rate_limit_error!;
  return { status, type: 'invalid_request_error' };
}

/** A non-2xx Anthropic answer (any body: Anthropic's error JSON, or HTML from a proxy) as an OpenAI error. */
export function anthropicErrorToOpenAI(status: number, body: unknown): MappedError {
  const err = isJsonObject(body) && isJsonObject(body.error) ? body.error : undefined;
  const anthropicType = typeof err?.type === 'string' ? err.type : undefined;
  const message = typeof err?.message === 'string' && err.message !== '' ? err.message : `Anthropic answered HTTP ${status}.`;
  const known = anthropicType !== undefined ? BY_TYPE[anthropicType] : undefined;
  const mapped = known ?? byStatus(status);
  if (anthropicType === 'rate_limit_error' && isSpendLimit(err)) {
    return { status: 429, body: { error: { message, type: 'insufficient_quota', param: null, code: 'insufficient_quota' } } };
  }
  return { status: mapped.status, body: { error: { message, type: mapped.type, param: null, code: anthropicType ?? `http_${status}` } } };
}

/** The payload of an Anthropic in-stream `error` event (`{type:"error", error:{type, message}}`) as an OpenAI error object. */
export function anthropicStreamErrorToOpenAI(data: unknown): OpenAIErrorObject {
  const err = isJsonObject(data) && isJsonObject(data.error) ? data.error : undefined;
  const type = typeof err?.type === 'string' ? err.type : 'api_error';
  // An in-stream error stands for the HTTP status it would have had before the stream began.
  return anthropicErrorToOpenAI(BY_TYPE[type]?.status ?? 502, data).body.error;
}

function isSpendLimit(err: JsonObject | undefined): boolean {
  return isJsonObject(err?.details) && err.details.error_code === 'enforced_spend_limit_reached';
}
