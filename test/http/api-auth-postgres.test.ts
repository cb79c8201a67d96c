import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { PASSWORD, startDashboard, type Dashboard } from '../helpers/session-browser.js';

let emails = 0;
const newEmail = () => `pg${++emails}-${process.pid}@example.com`;

/** Two gateway nodes on one PostgreSQL: sessions and the login throttle live in the database, so they hold across nodes. */
describe('dashboard sessions on PostgreSQL, two nodes', () => {
  let database: TestDatabase;
  let one: Dashboard;
  let two: Dashboard;
  before(async () => {
    database = await postgresDatabase();
    one = await startDashboard({ TRUST_PROXY: '127.0.0.1' }, database);
    two = await startDashboard({ TRUST_PROXY: '127.0.0.1' }, database);
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await database?.drop();
  });

  it('a session opened on one node works on the other; a logout on either ends it on both', async () => {
    const email = newEmail();
    const onOne = one.browser();
    assert.equal((await onOne.signup(email)).status, 201);
    const onTwo = two.browser();
    onTwo.cookie = onOne.cookie;
    assert.equal(await onTwo.whoami(), email);
    assert.equal((await onTwo.call('POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'changed on node two' })).status, 204);
    const other = one.browser();
    assert.equal((await other.login(email, 'changed on node two')).status, 200);
    assert.equal((await onTwo.call('GET', '/api/auth/sessions')).body.data.length, 2);
    assert.equal((await onOne.call('POST', '/api/auth/logout')).status, 204);
    onOne.cookie = onTwo.cookie;
    assert.equal(await onTwo.whoami(), null, 'logged out on node one: gone on node two');
    assert.equal(await other.whoami(), email);
  });

  it('failures counted on one node lock the account on the other', async () => {
    const email = newEmail();
    await one.browser().signup(email);
    for (let i = 0; i < 5; i++) {
      const node = i % 2 === 0 ? one : two;
      assert.equal((await node.browser({ 'x-forwarded-for': `198.51.100.${i + 1}` }).login(email, 'wrong password')).status, 401);
    }
    const locked = await two.browser({ 'x-forwarded-for': '198.51.100.99' }).login(email);
    assert.equal(locked.status, 429);
    assert.equal(locked.headers.get('retry-after'), '30');
    one.advance(31_000);
    assert.equal((await one.browser({ 'x-forwarded-for': '198.51.100.99' }).login(email)).status, 200);
  });

  it('concurrent failures on both nodes all count', async () => {
    const email = newEmail();
    await one.browser().signup(email);
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).browser({ 'x-forwarded-for': `192.0.2.${i + 1}` }).login(email, 'wrong password')));
    const rows = await one.app.store.loginFailures.find([`acct:${email}`]);
    assert.equal(rows[0]?.failures, 6);
    assert.equal((await two.browser({ 'x-forwarded-for': '192.0.2.50' }).login(email)).status, 429);
  });

  it('blocking on one node ends the session and the keys on the other', async () => {
    const browser = two.browser();
    const user = (await browser.signup(newEmail())).body.account;
    const key = await one.app.services.accounts.createKey(user.id, {});
    const models = () => fetch(`${two.url}/v1/models`, { headers: { authorization: `Bearer ${key.key}` } });
    assert.equal((await models()).status, 200);
    await one.app.services.sessions.block(user.id);
    assert.equal(await browser.whoami(), null, 'the session ends at once on the other node');
    // The other node's key cache trusts an entry for at most KEY_CACHE_MS (1 s).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await models()).status, 403);
  });
});
