import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { ProviderSpec } from '../../providers/index.js';
import { readTopLevelFields, type Services, type Surface } from '../../services/index.js';
import { declaredLength, hasBody, limitStream, readWhole, tooLarge } from '../plugins/body.js';
import { clientKey } from '../plugins/client-key.js';
import { relayResponse } from '../relay.js';

const SURFACE: Record<ProviderSpec['dialect'], Surface> = { openai: 'openai', anthropic: 'anthropic', gemini: 'gemini' };
const JSON_FIELDS = ['model', 'stream'] as const;

/** `/openai/v1/*`, `/anthropic/v1/*`, `/google/v1beta/*`…: any method and sub-path, forwarded as bytes. */
export async function nativeRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.removeAllContentTypeParsers();
  // Leave every body unread: the handler streams or reads it under the gateway's own limit.
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  for (const [mount, provider] of services.providers.mounts()) {
    for (const version of provider.versions) {
      const handler = (request: FastifyRequest, reply: FastifyReply) => handleNative(services, provider, mount, request, reply);
      app.all(`${mount}/${version}`, handler);
      app.all(`${mount}/${version}/*`, handler);
    }
  }
}

async function handleNative(
  services: Services,
  provider: ProviderSpec,
  mount: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const startedAt = Date.now();
  const raw = request.raw;
  const url = raw.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawQuery = queryStart < 0 ? '' : url.slice(queryStart + 1);
  const query = rawQuery ? new URLSearchParams(rawQuery) : undefined;

  const principal = await services.auth.authenticate(clientKey(raw.headers, query));

  const limit = services.maxBodyBytes;
  const length = declaredLength(raw);
  if (length !== undefined && length > limit) throw tooLarge(limit);
  let body: Buffer | Readable | undefined;
  let fields: Record<string, unknown> = {};
  if (hasBody(raw)) {
    const stream = (request.body as Readable | undefined) ?? raw;
    if (isJson(raw.headers['content-type'])) {
      body = await readWhole(stream, limit);
      fields = readTopLevelFields(body, JSON_FIELDS);
    } else {
      body = limitStream(stream, limit);
    }
  }

  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });

  const response = await services.passthrough.forward({
    provider,
    surface: SURFACE[provider.dialect],
    method: raw.method ?? 'GET',
    path: (queryStart < 0 ? url : url.slice(0, queryStart)).slice(mount.length),
    query: withoutKey(rawQuery),
    headers: raw.headers,
    body,
    contentLength: Buffer.isBuffer(body) ? body.length : length,
    fields,
    principal,
    signal: abort.signal,
    startedAt,
  });
  relayResponse(reply, response, SURFACE[provider.dialect], abort);
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType);
}

/** The query string minus the client's `key`, otherwise byte-for-byte as sent. */
function withoutKey(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      try {
        return decodeURIComponent(name.replace(/\+/g, ' ')) !== 'key';
      } catch {
        return true;
      }
    })
    .join('&');
}
