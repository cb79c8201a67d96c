// Review of the dashboard's backend as an attacker would probe it: CSRF on every state-changing /api
// route (enumerated from the surface, not hand-listed), content-type tricks, session fixation, the
// session cookie outside /api, the static plugin's paths, and concurrent sign-ups with a welcome credit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import Fastify from 'fastify';
import { apiRoutes } from '../../src/http/surfaces/api/index.js';
import type { Services } from '../../src/services/index.js';
import { ADMIN_TOKEN } from '../helpers/gateway.js';
import { startDashboard, type Browser, type Dashboard } from '../helpers/session-browser.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every state-changing route of the /api surface, as it registers them, with its path params filled in. */
async function stateChangingRoutes(services: Services): Promise<Array<{ method: string; url: string; preSession: boolean }>> {
  const app = Fastify();
  const routes: Array<{ method: string; url: string; preSession: boolean }> = [];
  app.addHook('onRoute', (route) => {
    const preSession = (route.config as { preSession?: boolean } | undefined)?.preSession === true;
    const url = route.url.replace(/:[a-z_]+/g, 'usr_00000000000000000000000000').replace(/\*$/, 'openai/gpt-4o');
    for (const method of [route.method].flat()) if (STATE_CHANGING.has(method)) routes.push({ method, url, preSession });
  });
  await app.register(async (scope) => apiRoutes(scope, services));
  await app.ready();
  await app.close();
  return routes;
}

/** A raw HTTP call (fetch cannot forge Host). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url + path, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dashboard API under attack', () => {
  let dash: Dashboard;
  let admin: Browser;
  before(async () => {
    dash = await startDashboard({ WELCOME_CREDIT: '100' });
    admin = dash.browser();
    const signed = await admin.signup('boss@example.com');
    assert.equal(signed.status, 201);
    await dash.app.services.sessions.setRole(signed.body.account.id, 'admin');
    await admin.whoami();
  });
  after(() => dash.close());

  it('every state-changing /api route refuses a signed-in admin without a CSRF token, with a text/plain or form body too', async () => {
    const routes = await stateChangingRoutes(dash.app.services);
    assert.ok(routes.filter((r) => !r.preSession).length >= 15, `only ${routes.length} routes found`);
    for (const { method, url, preSession } of routes) {
      if (preSession) continue;
      for (const [type, body] of [['application/json', '{}'], ['text/plain', '{}'], ['application/x-www-form-urlencoded', 'a=b']] as const) {
        const answer = await admin.call(method, url, body, { 'x-csrf-token': undefined, 'content-type': type });
        assert.equal(answer.status, 403, `${method} ${url} (${type}) without a token: ${answer.status} ${answer.text}`);
        assert.match(answer.text, /CSRF/);
      }
    }
    assert.equal(await admin.whoami(), 'boss@example.com', 'no refused call signed the admin out');
  });

  it('a CSRF token is bound to its session: another session of the same user is refused', async () => {
    const other = dash.browser();
    await other.login('boss@example.com');
    const answer = await admin.call('POST', '/api/auth/sessions/revoke-others', undefined, { 'x-csrf-token': other.csrf });
    assert.equal(answer.status, 403);
    assert.equal(await other.whoami(), 'boss@example.com');
  });

  it('the pre-session forms need a same-origin Origin (or Sec-Fetch-Site) and a JSON body', async () => {
    const routes = (await stateChangingRoutes(dash.app.services)).filter((r) => r.preSession);
    assert.deepEqual(routes.map((r) => r.url).sort(), ['/api/auth/login', '/api/auth/password-reset/confirm', '/api/auth/password-reset/request', '/api/auth/signup']);
    const stranger = dash.browser();
    for (const { method, url } of routes) {
      const body = JSON.stringify({ email: 'boss@example.com', password: 'correct horse battery', token: 'x' });
      for (const headers of [
        { origin: undefined }, // curl: no Origin, no Sec-Fetch-Site
        { origin: 'https://evil.example' },
        { origin: undefined, 'sec-fetch-site': 'cross-site' },
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/x-www-form-urlencoded' },
      ]) {
        const answer = await stranger.call(method, url, body, headers);
        assert.equal(answer.status, 403, `${method} ${url} ${JSON.stringify(headers)}: ${answer.status} ${answer.text}`);
      }
    }
    const viaFetchMetadata = await stranger.login('boss@example.com', undefined, { origin: undefined, 'sec-fetch-site': 'same-origin' });
    assert.equal(viaFetchMetadata.status, 200);
  });

  it('a cookie planted before sign-in is never the session signed in (no fixation)', async () => {
    const victim = dash.browser();
    const planted = 'A'.repeat(43);
    victim.cookie = planted;
    const answer = await victim.login('boss@example.com');
    assert.equal(answer.status, 200);
    assert.ok(victim.cookie && victim.cookie !== planted && /^[A-Za-z0-9_-]{43}$/.test(victim.cookie));
    const attacker = dash.browser();
    attacker.cookie = planted;
    assert.equal(await attacker.whoami(), null);
  });

  it('the session cookie authenticates nothing outside /api: /admin, /v1, the native mounts, /account', async () => {
    const cookie = { cookie: `tg_session=${admin.cookie}`, origin: dash.url };
    for (const path of ['/admin/users', '/v1/models', '/openai/v1/models', '/v1/balance']) {
      const res = await fetch(dash.url + path, { headers: cookie });
      assert.ok(res.status === 401 || res.status === 404, `${path}: ${res.status}`);
      assert.equal(res.headers.get('set-cookie'), null, `${path} must not touch the session cookie`);
    }
    const bearer = await fetch(`${dash.url}/admin/users`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(bearer.status, 200, 'the admin token still works');
  });

  it('the static plugin serves nothing outside dist/web/assets (traversal, encoded or not)', async () => {
    for (const path of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/....//....//package.json', '/assets/..%5c..%5cpackage.json', '/assets/%252e%252e/package.json']) {
      const answer = await raw(dash.url, 'GET', path, { accept: '*/*' });
      assert.ok(!answer.text.includes('"devDependencies"'), `${path} leaked package.json`);
      assert.notEqual(answer.status, 200, `${path}: ${answer.status}`);
    }
  });

  it('concurrent sign-ups with one email: one account, one welcome credit', async () => {
    const tries = await Promise.all(Array.from({ length: 6 }, () => dash.browser().signup('twin@example.com')));
    assert.deepEqual(tries.map((t) => t.status).sort(), [201, 409, 409, 409, 409, 409]);
    const twin = tries.find((t) => t.status === 201)!;
    const ledger = await dash.app.services.history.accountLedger(twin.body.account.id, {});
    assert.equal(ledger.data.length, 1);
    assert.equal(ledger.data[0]!.amount_micro, 100_000_000);
  });
});

describe('mailed reset links and the Host header', () => {
  const smtp = { SMTP_URL: 'smtp://127.0.0.1:9', SMTP_FROM: 'Tollgate <no-reply@example.com>' };

  it('SMTP_URL without PUBLIC_URL is refused at start: a mailed link never takes its host from a request', async () => {
    await assert.rejects(startDashboard(smtp), /PUBLIC_URL is required with SMTP_URL/);
  });

  it('a forged Host (and a matching Origin) still gets a link on PUBLIC_URL mailed', async () => {
    const dash = await startDashboard({ ...smtp, PUBLIC_URL: 'https://llm.example.com' });
    try {
      const sent: string[] = [];
      const resets = dash.app.services.passwordResets as unknown as { mailer: { sendResetLink(to: string, url: string): Promise<void> } };
      resets.mailer.sendResetLink = async (_to, url) => void sent.push(url);
      await dash.browser().signup('victim@example.com');
      const answer = await raw(dash.url, 'POST', '/api/auth/password-reset/request', { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'application/json' }, JSON.stringify({ email: 'victim@example.com' }));
      assert.equal(answer.status, 202);
      for (let i = 0; i < 50 && sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(sent.length, 1);
      assert.match(sent[0]!, /^https:\/\/llm\.example\.com\/reset\?token=[A-Za-z0-9_-]{43}$/);
    } finally {
      await dash.close();
    }
  });
});
