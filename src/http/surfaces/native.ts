import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import { nativeSideOf, type ProviderSpec } from '../../providers/index.js';
import { canonicalPath, isCanonicalPath } from '../../lib/canonical-path.js';
import type { IdleWatchdog } from '../../lib/idle-watchdog.js';
import { readTopLevelFields } from '../../lib/json-fields.js';
import { formModelProblem, multipartBoundary, readFormFields } from '../../lib/multipart-fields.js';
import { asGatewayError, errorBody, type RelayRequest, type Services, type Surface } from '../../services/index.js';
import { declaredLength, drainRest, hasBody, limitStream, readWhole, tooLarge } from '../plugins/body.js';
import { clientKey } from '../plugins/client-key.js';
import { logRefusal } from '../plugins/access-log.js';
import { responseSink } from '../response-sink.js';

const NO_HEADERS = Object.freeze({});
const NO_OPTIONS = Object.freeze({});
const JSON_FIELDS = ['model', 'stream'] as const;
const FORM_FIELDS = ['model'] as const;

interface Route {
  provider: ProviderSpec;
  /** `/openai/v1`: what the URL starts with. */
  prefix: string;
  /** `/v1`: what the upstream path starts with; nothing after it may climb above it. */
  version: string;
  surface: Surface;
  /** The key may come as `?key=` (Google's SDKs send it so). */
  queryKey: boolean;
}

/**
 * `/openai/v1/*`, `/anthropic/v1/*`, `/google/v1beta/*`…: any method and sub-path, forwarded as bytes.
 * This is the hottest path, so it is served straight from node:http ahead of Fastify's router (see
 * server.ts); every other route, and every URL outside these mounts, goes through Fastify.
 * Returns a handler that answers true when it took the request.
 */
export function nativeHandler(
  services: Services,
  log: Logger,
  isClosing: () => boolean,
  /** Answers 408 for a body that stops arriving; none: bodies may pause for ever. */
  bodyWatchdog?: IdleWatchdog,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const routes = new Map<string, Route>();
  for (const [mount, provider] of services.providers.mounts()) {
    for (const version of provider.versions) {
      routes.set(`${mount}/${version}`, { provider, prefix: `${mount}/${version}`, version: `/${version}`, surface: provider.dialect, queryKey: services.relay.acceptsQueryKey(provider) });
    }
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const route = routes.get(prefixOf(url));
    if (!route) return false;
    if (isClosing()) {
      // Draining: in-flight work finishes, new work is turned away so the client retries elsewhere.
      sendError(res, surfaceAt(route, url), new GatewayError('TG_ERR_UNAVAILABLE', 'The gateway is shutting down; retry the request.'), true);
      return true;
    }
    handleNative(services, route, req, res, bodyWatchdog, log).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const failure = asGatewayError(err);
      if (failure.code === 'TG_ERR_INTERNAL' && !req.destroyed) log.error({ err }, 'native request failed');
      // A stalled upload would keep the connection: close it once the 408 is out.
      sendError(res, surfaceAt(route, url), failure, failure.code === 'TG_ERR_REQUEST_TIMEOUT');
      drainRest(req, bodyWatchdog);
    });
    return true;
  };
}

function sendError(res: ServerResponse, surface: Surface, failure: GatewayError, closeConnection: boolean): void {
  const body = JSON.stringify(errorBody(surface, failure));
  res.writeHead(failure.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...failure.headers,
    ...(closeConnection ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** The dialect the gateway's own errors speak at `url`: the mount's, or a sub-surface's (Gemini's `/v1beta/openai/*`). */
function surfaceAt(route: Route, url: string): Surface {
  if (!route.provider.nativeSubSurfaces) return route.surface;
  const query = url.indexOf('?');
  return nativeSideOf(route.provider, route.version + (query < 0 ? url : url.slice(0, query)).slice(route.prefix.length)).dialect;
}

/** `/openai/v1/chat/completions?x` → `/openai/v1`; the mount and version segments only. */
function prefixOf(url: string): string {
  const second = url.indexOf('/', 1);
  if (second < 0) return '';
  let end = second + 1;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
  return url.slice(0, end);
}

async function handleNative(services: Services, route: Route, req: IncomingMessage, res: ServerResponse, bodyWatchdog: IdleWatchdog | undefined, log: Logger): Promise<void> {
  let call: RelayRequest;
  try {
    call = await nativeCall(services, route, req, bodyWatchdog);
  } catch (err) {
    // Refused at the edge (a bad key, a bad path, a body too large): the relay, which logs its calls, never saw it.
    const failure = asGatewayError(err);
    if (failure.code !== 'TG_ERR_INTERNAL') logRefusal(log, req, req.url ?? '/', failure);
    throw err;
  }
  await services.relay.forward(call, responseSink(res));
}

/** The native request as the relay takes it: authenticated, its path canonical, its body read when metered. */
async function nativeCall(services: Services, route: Route, req: IncomingMessage, bodyWatchdog: IdleWatchdog | undefined): Promise<RelayRequest> {
  const startedAt = Date.now();
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawQuery = queryStart < 0 ? '' : url.slice(queryStart + 1);
  // Only Google's SDKs put the key in the query; everywhere else a key there would end up in access logs.
  const query = rawQuery && route.queryKey ? new URLSearchParams(rawQuery) : undefined;
  const path = upstreamPath(route, queryStart < 0 ? url : url.slice(0, queryStart));

  const principal = await services.auth.authenticate(clientKey(req.headers, query));

  const limit = services.maxBodyBytes;
  const length = declaredLength(req);
  if (length !== undefined && length > limit) {
    req.resume(); // read and drop the upload so the client can read the 413
    throw tooLarge(limit);
  }
  const method = req.method ?? 'GET';
  const { body, fields } = await readBody(req, services.relay.endpoint(route.provider, method, path), limit, bodyWatchdog);

  const call = { method, path, query: withoutKey(rawQuery), clientHeaders: req.headers, headers: NO_HEADERS, body, contentLength: Buffer.isBuffer(body) ? body.length : length };
  const surface = route.provider.nativeSubSurfaces ? nativeSideOf(route.provider, path).dialect : route.surface;
  return { provider: route.provider, surface, principal, startedAt, call, fields, options: NO_OPTIONS };
}

/**
 * The path sent upstream, and metered: `<version>` + the canonical rest of the URL (lib/canonical-path.ts).
 * A path that cannot be made canonical, or climbs above the version with `..`, is refused.
 */
function upstreamPath(route: Route, urlPath: string): string {
  const rest = urlPath.slice(route.prefix.length);
  if (isCanonicalPath(rest)) return route.version + rest;
  const canonical = canonicalPath(rest);
  if (!canonical.ok) throw new GatewayError('TG_ERR_BAD_REQUEST', `${canonical.reason} Send the endpoint's plain path, e.g. ${route.prefix}/….`);
  return route.version + canonical.path;
}

/**
 * Metered endpoints are read whole (within the size limit) whatever the content type says, so what is
 * estimated and checked is what is sent: JSON ones must be JSON, form ones a multipart form whose model
 * is named once. Other JSON bodies are read for their model; anything else streams through.
 */
async function readBody(
  req: IncomingMessage,
  endpoint: ReturnType<Services['relay']['endpoint']>,
  limit: number,
  watchdog: IdleWatchdog | undefined,
): Promise<{ body: Buffer | Readable | undefined; fields: Record<string, unknown> }> {
  const contentType = req.headers['content-type'];
  if (endpoint.kind === 'metered') {
    if (!hasBody(req)) {
      throw new GatewayError('TG_ERR_BAD_REQUEST', endpoint.body === 'json' ? 'This endpoint needs a JSON request body.' : 'This endpoint needs a multipart/form-data request body.');
    }
    if (endpoint.body === 'json') {
      const body = await readWhole(req, limit, watchdog);
      return { body, fields: readTopLevelFields(body, JSON_FIELDS) };
    }
    const boundary = multipartBoundary(contentType);
    if (boundary === undefined) {
      req.resume();
      throw new GatewayError('TG_ERR_BAD_REQUEST', 'This endpoint needs a multipart/form-data request body with a boundary.');
    }
    const body = await readWhole(req, limit, watchdog);
    // The model is priced and checked against the key from the first field; a second one could be what runs.
    const problem = formModelProblem(body, boundary);
    if (problem) throw new GatewayError('TG_ERR_BAD_REQUEST', problem, 'model');
    return { body, fields: readFormFields(body, boundary, FORM_FIELDS) };
  }
  if (!hasBody(req)) return { body: undefined, fields: {} };
  if (isJson(contentType) || (req.method === 'POST' && isUntypedText(contentType))) {
    const body = await readWhole(req, limit, watchdog);
    return { body, fields: readTopLevelFields(body, JSON_FIELDS) };
  }
  return { body: limitStream(req, limit, watchdog), fields: {} };
}

/**
 * Bodies sent without a type, or as text/plain (fetch's default for a string), are JSON to the providers'
 * APIs all the same: read them as JSON so their model can be checked and priced.
 */
function isUntypedText(contentType: string | undefined): boolean {
  return contentType === undefined || /^text\/plain\b/i.test(contentType);
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType);
}

/** The query string minus the client's `key`, otherwise byte-for-byte as sent. */
function withoutKey(rawQuery: string): string {
  if (!rawQuery || !rawQuery.includes('key')) return rawQuery;
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
