import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's pages (web/, built by Vite into dist/web/). Only these paths answer the app's
 * index.html; everything else — /v1, /api, the /admin bearer API, the native mounts, /health — never
 * gets HTML, and the admin console's pages live under /console so no path means two things.
 */
export const DASHBOARD_PAGES = ['/', '/login', '/signup', '/reset', '/keys', '/history', '/usage', '/quickstart', '/models', '/topup', '/profile', '/console', '/console/*'] as const;

/** No inline script or style anywhere: the bundle is files from this origin (web/vite.config.ts). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  // Revalidated on every load (the ETag makes that a 304), so a deploy's new asset names are seen at once.
  'cache-control': 'no-cache',
  vary: 'accept',
} as const;

/** Asset names carry a content hash: a changed file is a new URL, so each may be cached for ever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tollgate</title></head>
<body><h1>The dashboard is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it when needed), then reload this page.</p>
<p>The API (<code>/v1</code>, the provider mounts, <code>/admin</code>) works without it.</p></body></html>
`;

export interface WebAppOptions {
  /** The built app; default: dist/web of this checkout. */
  root?: string;
}

/** dist/web, whether this file runs compiled (dist/src/http/plugins) or from source under tsx (src/http/plugins). */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const top = join(here, '..', '..', '..');
  const projectRoot = basename(top) === 'dist' ? dirname(top) : top;
  return join(projectRoot, 'dist', 'web');
}

/**
 * A browser navigating asks for text/html; `*\/*` or no Accept (curl) is served the page too. A client that
 * asks for JSON only gets the API's JSON 404 instead, so a misdirected API call never parses HTML.
 */
function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return accept === undefined || accept.includes('text/html') || accept.includes('*/*');
}

interface CachedPage {
  mtimeMs: number;
  body: Buffer;
  etag: string;
}

export async function webAppRoutes(app: FastifyInstance, options: WebAppOptions = {}): Promise<void> {
  const root = options.root ?? defaultWebRoot();
  const assets = join(root, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      wildcard: true,
      index: false,
      decorateReply: false,
      cacheControl: false,
      setHeaders: (reply) => {
        void reply.header('cache-control', IMMUTABLE).header('x-content-type-options', 'nosniff');
      },
    });
  }

  let cached: CachedPage | undefined;
  const indexPage = async (): Promise<CachedPage | undefined> => {
    const file = join(root, 'index.html');
    const info = await stat(file).catch(() => undefined);
    if (!info) return undefined;
    if (cached?.mtimeMs !== info.mtimeMs) {
      const body = await readFile(file);
      cached = { mtimeMs: info.mtimeMs, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    return cached;
  };

  const servePage = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!acceptsHtml(request)) return reply.callNotFound();
    const page = await indexPage();
    void reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8');
    if (!page) return reply.code(503).send(NOT_BUILT);
    void reply.header('etag', page.etag);
    if (request.headers['if-none-match'] === page.etag) return reply.code(304).send();
    return reply.send(page.body);
  };
  for (const path of DASHBOARD_PAGES) app.get(path, servePage);
}
