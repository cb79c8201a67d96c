import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandlers } from '../../src/http/plugins/errors.js';
import { CONTENT_SECURITY_POLICY, defaultWebRoot, webAppRoutes } from '../../src/http/plugins/web-app.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

async function appServing(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandlers(app, () => 'openai');
  await app.register(async (scope) => webAppRoutes(scope, { root }));
  await app.ready();
  return app;
}

function assertPageHeaders(headers: Record<string, unknown>): void {
  assert.equal(headers['content-security-policy'], EXPECTED_CSP);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'same-origin');
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['cache-control'], 'no-cache');
  assert.match(String(headers['content-type']), /^text\/html; charset=utf-8/);
}

describe('the dashboard is served from dist/web', () => {
  let root: string;
  let app: FastifyInstance;
  const page = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tollgate-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), page);
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1);');
    writeFileSync(join(root, 'assets', 'style-def456.css'), 'body{}');
    app = await appServing(root);
  });
  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('every dashboard route answers index.html with the strict CSP and security headers', async () => {
    assert.equal(CONTENT_SECURITY_POLICY, EXPECTED_CSP);
    for (const url of ['/', '/login', '/signup', '/reset?token=abc', '/keys', '/history', '/usage', '/quickstart', '/models', '/topup', '/profile', '/console', '/console/users', '/console/users/usr_abc', '/console/models', '/console/upstreams', '/console/audit']) {
      const res = await app.inject({ method: 'GET', url, headers: HTML });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, page, url);
      assertPageHeaders(res.headers);
    }
  });

  test('a client that asks for JSON only gets the JSON 404, never the page', async () => {
    const res = await app.inject({ method: 'GET', url: '/keys', headers: { accept: 'application/json' } });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.equal(res.json().error.code, 'not_found');
  });

  test('curl (no Accept, or */*) gets the page', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/', headers: { accept: '*/*' } })).body, page);
  });

  test('paths outside the dashboard, and other methods, stay JSON 404s', async () => {
    for (const url of ['/nothing', '/admin', '/admin/users/usr_1', '/v1/nothing', '/api/nothing', '/keysx', '/index.html']) {
      const res = await app.inject({ method: 'GET', url, headers: HTML });
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /application\/json/, url);
    }
    const post = await app.inject({ method: 'POST', url: '/login', headers: HTML, payload: {} });
    assert.equal(post.statusCode, 404);
  });

  test('hashed assets are immutable for a year; a missing asset is a JSON 404', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    assert.match(String(js.headers['content-type']), /javascript/);
    const css = await app.inject({ method: 'GET', url: '/assets/style-def456.css' });
    assert.match(String(css.headers['content-type']), /text\/css/);
    const missing = await app.inject({ method: 'GET', url: '/assets/gone-000.js', headers: HTML });
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /application\/json/);
    const climb = await app.inject({ method: 'GET', url: '/assets/..%2Findex.html' });
    assert.notEqual(climb.statusCode, 200);
  });

  test('index.html revalidates: its ETag answers 304, and a rebuilt page is served at once', async () => {
    const first = await app.inject({ method: 'GET', url: '/', headers: HTML });
    const etag = String(first.headers.etag);
    assert.ok(etag.startsWith('"'));
    const again = await app.inject({ method: 'GET', url: '/keys', headers: { ...HTML, 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    const rebuilt = page.replace('abc123', 'fff999');
    writeFileSync(join(root, 'index.html'), rebuilt);
    const fresh = await app.inject({ method: 'GET', url: '/', headers: { ...HTML, 'if-none-match': etag } });
    assert.equal(fresh.statusCode, 200);
    assert.equal(fresh.body, rebuilt);
    writeFileSync(join(root, 'index.html'), page);
  });
});

describe('without a build', () => {
  test('the dashboard routes answer a short page saying to run npm run build', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tollgate-noweb-'));
    const app = await appServing(join(root, 'missing'));
    try {
      const res = await app.inject({ method: 'GET', url: '/', headers: HTML });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /npm run build/);
      assertPageHeaders(res.headers);
      assert.equal((await app.inject({ method: 'GET', url: '/assets/index-abc123.js' })).statusCode, 404);
    } finally {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('in the gateway, API paths never answer HTML', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  test('a browser-like Accept on API, admin, native and ops paths still gets JSON', async () => {
    const paths = ['/v1/models', '/v1/nothing', '/api/session', '/api/nothing', '/api/keys', '/admin/users', '/admin/nothing', '/openai/v1/models', '/anthropic/v1/messages', '/proxyapi/balance', '/health', '/ready', '/nothing'];
    for (const path of paths) {
      const res = await fetch(gw.url + path, { headers: HTML });
      const type = res.headers.get('content-type') ?? '';
      await res.text();
      assert.ok(!type.includes('text/html'), `${path} answered ${type}`);
      assert.match(type, /application\/json/, path);
    }
  });

  test('the unknown-route 404 keeps its JSON shape', async () => {
    const res = await fetch(`${gw.url}/admin/nothing-here`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  test('/ and the console pages answer HTML with the CSP (the app, or the "not built" page)', async () => {
    for (const path of ['/', '/console/users/usr_x']) {
      const res = await fetch(gw.url + path, { headers: HTML });
      assert.ok(res.status === 200 || res.status === 503, `${path}: ${res.status}`);
      assert.equal(res.headers.get('content-security-policy'), EXPECTED_CSP);
      assert.match(await res.text(), /<!doctype html>/i);
    }
  });
});

describe('the built page fits the CSP', () => {
  test('web/index.html has no inline script or style (Vite keeps it so)', () => {
    const source = readFileSync(join(defaultWebRoot(), '..', '..', 'web', 'index.html'), 'utf8');
    assert.doesNotMatch(source, /<script(?![^>]*\bsrc=)[^>]*>/i, 'every <script> has a src');
    assert.doesNotMatch(source, /<style|\sstyle=/i);
  });

  test('dist/web/index.html, when built, loads only same-origin files', { skip: !existsSync(join(defaultWebRoot(), 'index.html')) }, () => {
    const built = readFileSync(join(defaultWebRoot(), 'index.html'), 'utf8');
    assert.doesNotMatch(built, /<script(?![^>]*\bsrc=)[^>]*>/i);
    assert.doesNotMatch(built, /<style|\sstyle=/i);
    for (const [, url] of built.matchAll(/(?:src|href)="([^"]+)"/g)) assert.match(url!, /^\/assets\/[\w.-]+-[\w-]{8}\.\w+$/, url);
  });
});
