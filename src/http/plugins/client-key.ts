import type { IncomingHttpHeaders } from 'node:http';

/**
 * The client's tollgate key, however its SDK sends it: Bearer, x-api-key, x-goog-api-key, or `?key=` when
 * the caller passes the query (the Google surface only).
 */
export function clientKey(headers: IncomingHttpHeaders, query?: URLSearchParams): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1]) return match[1];
  }
  const apiKey = headers['x-api-key'] ?? headers['x-goog-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') return apiKey.trim();
  const fromQuery = query?.get('key');
  return fromQuery ? fromQuery : undefined;
}
