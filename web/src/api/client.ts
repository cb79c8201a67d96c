import type { ApiErrorBody, SessionState } from './types';

/** An `/api` failure in the gateway's OpenAI error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly param: string | null,
    /** Seconds, from `retry-after` (login throttling). */
    readonly retryAfter: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** Kept from `GET /api/session`; sent as `x-csrf-token` on every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request meant for a signed-in account answers 401 (the session ended). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The one place the web app talks to the server. */
export async function api<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const upper = method.toUpperCase();
  if (MUTATIONS.has(upper) && csrfToken === null) await refreshSession();
  let response = await send(upper, path, body, options);
  if (response.status === 403 && MUTATIONS.has(upper) && (await isCsrfRefusal(response))) {
    // The session's token changed (a new login in another tab): take the current one and try once more.
    await refreshSession();
    response = await send(upper, path, body, options);
  }
  return read<T>(response, path);
}

export async function fetchSession(signal?: AbortSignal): Promise<SessionState> {
  const session = await read<SessionState>(await send('GET', '/api/session', undefined, { signal }), '/api/session');
  setCsrfToken(session.csrf_token);
  return session;
}

async function refreshSession(): Promise<void> {
  await fetchSession().catch(() => undefined);
}

function send(method: string, path: string, body: unknown, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (MUTATIONS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal: options.signal,
  });
}

async function isCsrfRefusal(response: Response): Promise<boolean> {
  const body = (await response.clone().json().catch(() => null)) as ApiErrorBody | null;
  return /csrf/i.test(body?.error?.message ?? '');
}

async function read<T>(response: Response, path: string): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (response.ok) return parsed as T;
  const error = (parsed as ApiErrorBody | undefined)?.error;
  if (response.status === 401 && !path.startsWith('/api/auth/') && onUnauthorized) onUnauthorized();
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(
    response.status,
    error?.message ?? `${response.status} ${response.statusText}`,
    error?.code ?? null,
    error?.param ?? null,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `?a=1&b=x` from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** One per credit dialog: a retried or double-clicked submit is applied once by the server. */
export function newIdempotencyKey(): string {
  // getRandomValues, not randomUUID: the latter exists only in secure contexts (a plain-http LAN address is not one).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
