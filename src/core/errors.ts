/** Every refusal the gateway itself makes; each surface renders it in its own error shape. */
export type ErrorCode =
  | 'TG_ERR_BAD_REQUEST'
  | 'TG_ERR_UNAUTHORIZED'
  | 'TG_ERR_INSUFFICIENT_BALANCE'
  | 'TG_ERR_FORBIDDEN'
  | 'TG_ERR_NOT_FOUND'
  | 'TG_ERR_MODEL_NOT_FOUND'
  | 'TG_ERR_MODEL_NOT_PRICED'
  | 'TG_ERR_CONFLICT'
  | 'TG_ERR_PAYLOAD_TOO_LARGE'
  | 'TG_ERR_REQUEST_TIMEOUT'
  | 'TG_ERR_RATE_LIMITED'
  | 'TG_ERR_INTERNAL'
  | 'TG_ERR_UPSTREAM_UNREACHABLE'
  | 'TG_ERR_PROVIDER_NOT_CONFIGURED'
  | 'TG_ERR_UNAVAILABLE'
  | 'TG_ERR_UPSTREAM_TIMEOUT';

const STATUS: Record<ErrorCode, number> = {
  TG_ERR_BAD_REQUEST: 400,
  TG_ERR_UNAUTHORIZED: 401,
  TG_ERR_INSUFFICIENT_BALANCE: 402,
  TG_ERR_FORBIDDEN: 403,
  TG_ERR_NOT_FOUND: 404,
  TG_ERR_MODEL_NOT_FOUND: 404,
  // The model exists but this gateway cannot bill it: refused, never served at cost 0 unless the admin allows.
  TG_ERR_MODEL_NOT_PRICED: 403,
  TG_ERR_CONFLICT: 409,
  TG_ERR_PAYLOAD_TOO_LARGE: 413,
  // The client stopped sending its request body.
  TG_ERR_REQUEST_TIMEOUT: 408,
  TG_ERR_RATE_LIMITED: 429,
  TG_ERR_INTERNAL: 500,
  TG_ERR_UPSTREAM_UNREACHABLE: 502,
  TG_ERR_PROVIDER_NOT_CONFIGURED: 503,
  TG_ERR_UNAVAILABLE: 503,
  TG_ERR_UPSTREAM_TIMEOUT: 504,
};

export class GatewayError extends Error {
  readonly status: number;
  /** Headers the answer carries besides the body (a 429's `retry-after` and `x-ratelimit-*`). */
  headers?: Readonly<Record<string, string>>;
  /** What the request history records instead of `code`, when it says more (`rate_limit:key:rpm`). */
  historyError?: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The request field at fault, when there is one. */
    readonly param?: string,
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = STATUS[code];
  }
}

export const badRequest = (message: string, param?: string) => new GatewayError('TG_ERR_BAD_REQUEST', message, param);
export const notFound = (message: string) => new GatewayError('TG_ERR_NOT_FOUND', message);
export const unauthorized = (message: string) => new GatewayError('TG_ERR_UNAUTHORIZED', message);

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
