import { GatewayError, isGatewayError } from '../core/errors.js';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** Turns what undici threw into the gateway's vocabulary, without leaking addresses or secrets. */
export function classifyUpstreamError(err: unknown, provider: string): GatewayError {
  if (isGatewayError(err)) return err;
  const code = errorCode(err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new GatewayError('TG_ERR_UPSTREAM_TIMEOUT', `The ${provider} upstream did not answer in time.`);
  }
  return new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', `The ${provider} upstream could not be reached.`);
}

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Failures before the request reached the provider: another key or host may be tried without running it twice. */
const NOT_SENT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function failedBeforeSending(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && NOT_SENT_CODES.has(code);
}
