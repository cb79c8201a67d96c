import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PASSWORD, startDashboard, type Dashboard } from '../helpers/session-browser.js';

const HOUR = 3_600_000;
let emails = 0;
const newEmail = () => `auth${++emails}-${process.pid}@example.com`;

describe('dashboard sessions (/api/session, /api/auth/*)', () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard({ SESSION_TTL_HOURS: '1' });
  });
  after(async () => {
    // No answer ever carried a password hash, a session token's hash or a CSRF secret.
    const rows = await dash.app.store.db.kysely.selectFrom('sessions').select(['token_hash', 'csrf_secret']).execute();
    const everything = dash.answers.join('\n');
    assert.ok(rows.length > 5);
    for (const row of rows) {
      assert.ok(!everything.includes(row.token_hash), 'a session token hash leaked');
      assert.ok(!everything.includes(row.csrf_secret), 'a CSRF secret leaked');
    }
    assert.ok(!everything.includes('scrypt$'), 'a password hash leaked');
    assert.ok(!/password_hash|token_hash|csrf_secret/.test(everything));
    assert.ok(!dash.logs.join('').includes(PASSWORD), 'a password reached the log');
    await dash.close();
  });

  it('signs up, reads the session, logs out; the old cookie is dead everywhere', async () => {
    const browser = dash.browser();
    const email = newEmail();
    const signup = await browser.signup(email);
    assert.equal(signup.status, 201, signup.text);
    assert.deepEqual(Object.keys(signup.body.account).sort(), ['created_at', 'email', 'id', 'role']);
    assert.equal(signup.body.account.email, email);
    assert.equal(signup.body.account.role, 'user');
    assert.match(signup.sessionCookie!, /; HttpOnly/);
    assert.match(signup.sessionCookie!, /; SameSite=Lax/);
    assert.match(signup.sessionCookie!, /; Path=\//);
    assert.match(signup.sessionCookie!, /; Max-Age=3600/);
    assert.doesNotMatch(signup.sessionCookie!, /Secure/, 'auto over plain HTTP: not Secure');
    const row = await dash.app.store.db.kysely.selectFrom('sessions').selectAll().where('user_id', '=', signup.body.account.id).executeTakeFirstOrThrow();
    assert.equal(row.token_hash, createHash('sha256').update(browser.cookie!).digest('hex'), 'the row keeps only the sha256');

    const session = await browser.call('GET', '/api/session');
    assert.equal(session.status, 200);
    assert.deepEqual(session.body.account, signup.body.account);
    assert.equal(session.body.signup, 'open');
    assert.equal(typeof session.body.csrf_token, 'string');

    const oldCookie = browser.cookie;
    const logout = await browser.call('POST', '/api/auth/logout');
    assert.equal(logout.status, 204);
    assert.match(logout.sessionCookie!, /tg_session=;/);
    assert.equal(browser.cookie, undefined);
    browser.cookie = oldCookie;
    assert.equal(await browser.whoami(), null, 'the revoked row ends the session');
    assert.equal((await browser.call('GET', '/api/auth/sessions')).status, 401);
  });

  it('one 401 message for an unknown email and a wrong password; a right one signs in', async () => {
    const email = newEmail();
    await dash.browser().signup(email);
    const wrong = await dash.browser().login(email, 'not the password');
    const unknown = await dash.browser().login(newEmail(), 'not the password');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.equal(wrong.body.error.message, 'Wrong email or password.');
    const browser = dash.browser();
    const right = await browser.login(email.toUpperCase());
    assert.equal(right.status, 200, right.text);
    assert.equal(right.body.account.email, email);
    assert.equal(await browser.whoami(), email);
  });

  it('signing in again from the same browser ends its previous session', async () => {
    const email = newEmail();
    const browser = dash.browser();
    await browser.signup(email);
    const first = browser.cookie;
    assert.equal((await browser.login(email)).status, 200);
    assert.notEqual(browser.cookie, first, 'a new session, never the old one kept (no fixation)');
    const stale = dash.browser();
    stale.cookie = first;
    assert.equal(await stale.whoami(), null);
    assert.equal(((await browser.call('GET', '/api/auth/sessions')).body.data as unknown[]).length, 1);
  });

  it('refuses a body that breaks the schema with a 400 in the OpenAI shape; unknown /api paths are JSON 404s', async () => {
    const short = await dash.browser().call('POST', '/api/auth/signup', { email: newEmail(), password: 'short' });
    assert.equal(short.status, 400);
    assert.equal(short.body.error.type, 'invalid_request_error');
    assert.match(short.body.error.message, /password/);
    const missing = await dash.browser().call('POST', '/api/auth/login', { email: newEmail() });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /password/);
    for (const path of ['/api/nothing-here', '/api/auth/nope', '/api']) {
      const answer = await dash.browser().call('GET', path);
      assert.equal(answer.status, 404, path);
      assert.match(answer.headers.get('content-type')!, /application\/json/);
      assert.equal(answer.body.error.code, 'not_found');
    }
  });

  describe('CSRF', () => {
    it('refuses a state-changing call without the token or with another session’s', async () => {
      const ana = dash.browser();
      const bob = dash.browser();
      await ana.signup(newEmail());
      await bob.signup(newEmail());
      const body = { current_password: PASSWORD, new_password: 'another long password' };
      const none = await ana.call('POST', '/api/auth/password', body, { 'x-csrf-token': undefined });
      assert.equal(none.status, 403);
      assert.equal(none.body.error.message, 'CSRF token missing or invalid.');
      const bobs = await ana.call('POST', '/api/auth/password', body, { 'x-csrf-token': bob.csrf });
      assert.equal(bobs.status, 403);
      const forged = await ana.call('POST', '/api/auth/password', body, { 'x-csrf-token': `${ana.csrf}x` });
      assert.equal(forged.status, 403);
      const crossSite = await ana.call('POST', '/api/auth/sessions/revoke-others', undefined, { origin: 'https://evil.example' });
      assert.equal(crossSite.status, 403, 'a cross-site Origin is refused even with the token');
      assert.equal((await ana.call('DELETE', `/api/auth/sessions/anything`, undefined, { 'x-csrf-token': undefined })).status, 403);
      const own = await ana.call('POST', '/api/auth/password', body);
      assert.equal(own.status, 204, own.text);
    });

    it('refuses the sign-in form from another origin, without any origin, or as a form post', async () => {
      const email = newEmail();
      await dash.browser().signup(email);
      const credentials = { email, password: PASSWORD };
      const browser = dash.browser();
      assert.equal((await browser.call('POST', '/api/auth/login', credentials, { origin: 'https://evil.example' })).status, 403);
      assert.equal((await browser.call('POST', '/api/auth/login', credentials, { origin: undefined })).status, 403);
      assert.equal((await browser.call('POST', '/api/auth/login', credentials, { origin: undefined, 'sec-fetch-site': 'cross-site' })).status, 403);
      const form = await browser.call('POST', '/api/auth/login', `email=${encodeURIComponent(email)}&password=x`, {
        'content-type': 'application/x-www-form-urlencoded',
      });
      assert.equal(form.status, 403);
      assert.equal((await browser.call('POST', '/api/auth/signup', { email: newEmail(), password: PASSWORD }, { origin: 'null' })).status, 403);
      assert.equal(browser.cookie, undefined, 'no refused form opened a session');
      const sameSite = await browser.call('POST', '/api/auth/login', credentials, { origin: undefined, 'sec-fetch-site': 'same-origin' });
      assert.equal(sameSite.status, 200, 'Sec-Fetch-Site: same-origin stands in for a missing Origin');
    });
  });

  it('a session unused for the TTL ends; each use slides it', async () => {
    const browser = dash.browser();
    const email = newEmail();
    await browser.signup(email);
    dash.advance(0.9 * HOUR);
    const renewed = await browser.call('GET', '/api/session');
    assert.equal(renewed.body.account.email, email);
    assert.match(renewed.sessionCookie!, /Max-Age=3600/, 'the cookie is renewed with the sliding expiry');
    dash.advance(0.9 * HOUR);
    assert.equal(await browser.whoami(), email, 'used 0.9 h ago: alive 1.8 h after sign-in');
    dash.advance(HOUR + 1000);
    const expired = await browser.call('GET', '/api/session');
    assert.equal(expired.body.account, null);
    assert.equal(expired.body.csrf_token, null);
    assert.match(expired.sessionCookie!, /tg_session=;/, 'a dead cookie is cleared');
  });

  it('a password change ends every other session and the old password', async () => {
    const email = newEmail();
    const laptop = dash.browser();
    const phone = dash.browser();
    await laptop.signup(email);
    await phone.login(email);
    const sessions = await laptop.call('GET', '/api/auth/sessions');
    assert.equal(sessions.body.data.length, 2);
    assert.deepEqual(sessions.body.data.map((s: { current: boolean }) => s.current).sort(), [false, true]);
    assert.deepEqual(Object.keys(sessions.body.data[0]).sort(), ['created_at', 'current', 'expires_at', 'id', 'ip', 'last_seen_at', 'user_agent']);
    const wrong = await laptop.call('POST', '/api/auth/password', { current_password: 'not it at all', new_password: 'brand new password' });
    assert.equal(wrong.status, 403);
    assert.equal(await phone.whoami(), email, 'a refused change ends nothing');
    assert.equal((await laptop.call('POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'brand new password' })).status, 204);
    assert.equal(await phone.whoami(), null);
    assert.equal(await laptop.whoami(), email);
    assert.equal((await dash.browser().login(email)).status, 401);
    assert.equal((await dash.browser().login(email, 'brand new password')).status, 200);
  });

  it('lists, revokes one (never another user’s) and revokes the others', async () => {
    const email = newEmail();
    const [a, b, c] = [dash.browser(), dash.browser(), dash.browser()];
    await a.signup(email);
    await b.login(email);
    await c.login(email);
    const stranger = dash.browser();
    await stranger.signup(newEmail());
    const strangers = await stranger.call('GET', '/api/auth/sessions');
    const theirs = strangers.body.data[0].id as string;
    assert.equal((await a.call('DELETE', `/api/auth/sessions/${theirs}`)).status, 404);
    assert.ok(await stranger.whoami());
    const list = (await a.call('GET', '/api/auth/sessions')).body.data as Array<{ id: string; current: boolean }>;
    const bId = list.find((s) => !s.current)!.id;
    assert.equal((await a.call('DELETE', `/api/auth/sessions/${bId}`)).status, 204);
    assert.equal(((await a.call('GET', '/api/auth/sessions')).body.data as unknown[]).length, 2);
    assert.equal((await a.call('POST', '/api/auth/sessions/revoke-others')).status, 204);
    assert.equal(await b.whoami(), null);
    assert.equal(await c.whoami(), null);
    assert.equal(await a.whoami(), email);
  });

  it('changes the email with the password; a taken email is a 409', async () => {
    const browser = dash.browser();
    const taken = newEmail();
    await dash.browser().signup(taken);
    await browser.signup(newEmail());
    const next = newEmail();
    assert.equal((await browser.call('POST', '/api/auth/email', { password: 'wrong password', email: next })).status, 403);
    assert.equal((await browser.call('POST', '/api/auth/email', { password: PASSWORD, email: taken })).status, 409);
    const changed = await browser.call('POST', '/api/auth/email', { password: PASSWORD, email: next.toUpperCase() });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.account.email, next);
    assert.equal(await browser.whoami(), next);
  });

  it('a reset link works once, within the hour, and ends every session', async () => {
    const email = newEmail();
    const browser = dash.browser();
    const user = (await browser.signup(email)).body.account;
    const link = await dash.app.services.passwordResets.issue(user.id, 'test', dash.url);
    assert.match(link.url, new RegExp(`^${dash.url}/reset\\?token=[\\w-]{43}$`));
    const token = new URL(link.url).searchParams.get('token')!;
    const anonymous = dash.browser();
    assert.equal((await anonymous.call('POST', '/api/auth/password-reset/confirm', { token, password: 'reset password 1' }, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await anonymous.call('POST', '/api/auth/password-reset/confirm', { token, password: 'reset password 1' })).status, 204);
    assert.equal(await browser.whoami(), null, 'the reset ended the session');
    const again = await anonymous.call('POST', '/api/auth/password-reset/confirm', { token, password: 'reset password 2' });
    assert.equal(again.status, 400);
    assert.equal(again.body.error.param, 'token');
    assert.equal((await dash.browser().login(email, 'reset password 1')).status, 200);

    const late = new URL((await dash.app.services.passwordResets.issue(user.id, 'test', dash.url)).url).searchParams.get('token')!;
    dash.advance(HOUR + 1000);
    assert.equal((await anonymous.call('POST', '/api/auth/password-reset/confirm', { token: late, password: 'reset password 3' })).status, 400, 'expired');
    assert.equal((await anonymous.call('POST', '/api/auth/password-reset/confirm', { token: 'x'.repeat(43), password: 'reset password 3' })).status, 400);
  });

  it('the forgot-password form answers 202 for any email and mails nothing without SMTP', async () => {
    const email = newEmail();
    await dash.browser().signup(email);
    for (const address of [email, newEmail()]) {
      const answer = await dash.browser().call('POST', '/api/auth/password-reset/request', { email: address });
      assert.equal(answer.status, 202);
      assert.equal(answer.text, '');
    }
    const rows = await dash.app.store.db.kysely.selectFrom('password_resets').innerJoin('users', 'users.id', 'password_resets.user_id').select('users.email').where('users.email', '=', email).execute();
    assert.equal(rows.length, 0, 'no SMTP: no link is even made');
    assert.equal((await dash.browser().call('GET', '/api/session')).body.password_reset_mail, false);
  });

  it('a blocked user’s session and keys stop at once', async () => {
    const browser = dash.browser();
    const user = (await browser.signup(newEmail())).body.account;
    const key = await dash.app.services.accounts.createKey(user.id, {});
    const models = () => fetch(`${dash.url}/v1/models`, { headers: { authorization: `Bearer ${key.key}` } });
    assert.equal((await models()).status, 200, 'the key works (and is cached)');
    await dash.app.services.sessions.block(user.id);
    const refused = await models();
    assert.equal(refused.status, 403, 'refused at once, not after the cache expires');
    assert.equal(await browser.whoami(), null);
    assert.equal((await dash.browser().login(user.email)).status, 403);
    await dash.app.services.sessions.unblock(user.id);
    assert.equal((await models()).status, 200);
    assert.equal((await dash.browser().login(user.email)).status, 200);
  });

  it('the OpenAPI document lists the auth routes with their schemas', async () => {
    const doc = (await dash.browser().call('GET', '/api/openapi.json')).body;
    assert.match(doc.openapi, /^3\./);
    for (const path of ['/api/session', '/api/auth/login', '/api/auth/signup', '/api/auth/logout', '/api/auth/password', '/api/auth/email', '/api/auth/sessions', '/api/auth/sessions/{id}', '/api/auth/sessions/revoke-others', '/api/auth/password-reset/request', '/api/auth/password-reset/confirm']) {
      assert.ok(doc.paths[path], `${path} in the document`);
    }
    const login = doc.paths['/api/auth/login'].post;
    assert.deepEqual(login.requestBody.content['application/json'].schema.required.sort(), ['email', 'password']);
    assert.ok(login.responses['429']);
    assert.ok(!doc.paths['/api/openapi.json'] && !doc.paths['/api/*'], 'plumbing routes are hidden');
    assert.ok(!Object.keys(doc.paths).some((p) => !p.startsWith('/api')), 'only the dashboard API');
  });
});

describe('sign-up settings', () => {
  it('SIGNUP=closed refuses sign-up and says so', async () => {
    const dash = await startDashboard({ SIGNUP: 'closed' });
    try {
      const browser = dash.browser();
      assert.equal((await browser.call('GET', '/api/session')).body.signup, 'closed');
      const refused = await browser.signup(newEmail());
      assert.equal(refused.status, 403);
      assert.match(refused.body.error.message, /Sign-up is closed/);
      assert.equal(browser.cookie, undefined);
      assert.equal((await dash.app.store.users.search({ limit: 10 })).length, 0);
    } finally {
      await dash.close();
    }
  });

  it('WELCOME_CREDIT lands as exactly one ledger row', async () => {
    const dash = await startDashboard({ WELCOME_CREDIT: '12.5' });
    try {
      const browser = dash.browser();
      const user = (await browser.signup(newEmail())).body.account;
      const ledger = await dash.app.store.ledger.listByUser(user.id, 10);
      assert.deepEqual(ledger.map((r) => [r.kind, r.amount_micro, r.balance_after_micro, r.note]), [['credit', 12_500_000, 12_500_000, 'Welcome credit']]);
      assert.equal((await dash.app.store.users.findById(user.id))?.balance_micro, 12_500_000);
      const balance = await browser.call('GET', '/api/balance');
      assert.equal(balance.body.balance_micro, 12_500_000);
    } finally {
      await dash.close();
    }
  });
});

describe('the Secure flag', () => {
  const flagOf = async (env: Record<string, string>, headers: Record<string, string>) => {
    const dash = await startDashboard(env);
    try {
      // Behind a TLS proxy the page's origin is https (a browser sends that), whatever the proxy's hop to us was.
      const origin: Record<string, string> = headers['x-forwarded-proto'] === 'https' && env['TRUST_PROXY'] ? { origin: dash.url.replace('http:', 'https:') } : {};
      const answer = await dash.browser({ ...headers, ...origin }).signup(newEmail());
      assert.equal(answer.status, 201, answer.text);
      return /; Secure/.test(answer.sessionCookie!);
    } finally {
      await dash.close();
    }
  };

  it('on: always; off: never; auto: when HTTPS, and X-Forwarded-Proto only from TRUST_PROXY', async () => {
    assert.equal(await flagOf({ SESSION_COOKIE_SECURE: 'on' }, {}), true);
    assert.equal(await flagOf({ SESSION_COOKIE_SECURE: 'off', TRUST_PROXY: '127.0.0.1' }, { 'x-forwarded-proto': 'https' }), false);
    assert.equal(await flagOf({ TRUST_PROXY: '127.0.0.1' }, { 'x-forwarded-proto': 'https' }), true);
    assert.equal(await flagOf({}, { 'x-forwarded-proto': 'https' }), false, 'an untrusted peer cannot claim HTTPS');
  });
});
