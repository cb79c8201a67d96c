import type { IncomingHttpHeaders } from 'node:http';

/** Never forwarded upstream: hop-by-hop headers, the client's credentials, and what identifies the client's network. */
const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'cookie',
  'forwarded',
  'x-real-ip',
  // Asked of the upstream as identity so the usage tap can read the stream.
  'accept-encoding',
  // The upstream account is the operator's: a client may not pick another organisation, project or quota.
  'openai-organization',
  'openai-project',
  'anthropic-organization-id',
  'anthropic-workspace-id',
  'x-goog-user-project',
]);

export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  auth: Record<string, string>,
  contentLength: number | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const hopByHop = connectionOptions(incoming.connection);
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || DROP_REQUEST.has(name) || name.startsWith('x-forwarded-') || hopByHop?.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (contentLength !== undefined) out['content-length'] = String(contentLength);
  return Object.assign(out, auth);
}

/** The header names a `Connection:` header lists: hop-by-hop for this connection only (RFC 9110 §7.6.1). */
function connectionOptions(value: string | undefined): Set<string> | undefined {
  if (value === undefined || /^\s*(?:keep-alive|close)\s*$/i.test(value)) return undefined;
  const names = new Set<string>();
  for (const option of value.split(',')) {
    const name = option.trim().toLowerCase();
    if (name !== '') names.add(name);
  }
  return names;
}

/** Passed back to the client: the body's type and the provider's request ids, rate limits and retry hints. */
const KEEP_RESPONSE = new Set([
  'content-type',
  'content-length',
  'content-disposition',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  'x-request-id',
  'request-id',
  'openai-processing-ms',
  'openai-version',
]);
const KEEP_RESPONSE_PREFIXES = ['x-ratelimit-', 'anthropic-ratelimit-'];

export function clientResponseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined) continue;
    if (KEEP_RESPONSE.has(name) || KEEP_RESPONSE_PREFIXES.some((prefix) => name.startsWith(prefix))) out[name] = value;
  }
  return out;
}

export function upstreamRequestId(headers: Record<string, string | string[] | undefined>): string | null {
  const value = headers['x-request-id'] ?? headers['request-id'];
  return typeof value === 'string' ? value.slice(0, 200) : null;
}
