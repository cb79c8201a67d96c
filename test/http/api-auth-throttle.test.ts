import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startDashboard, type Dashboard } from '../helpers/session-browser.js';

let emails = 0;
const newEmail = () => `throttle${++emails}-${process.pid}@example.com`;
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('login throttling', () => {
  let dash: Dashboard;
  before(async () => {
    // TRUST_PROXY: the tests speak for many client addresses through X-Forwarded-For.
    dash = await startDashboard({ TRUST_PROXY: '127.0.0.1' });
  });
  after(() => dash.close());

  it('per account: past 5 failures (from any addresses) even the right password waits, each further failure doubling the wait', async () => {
    const email = newEmail();
    await dash.browser().signup(email);
    for (let i = 1; i <= 5; i++) {
      const wrong = await dash.browser().login(email, 'wrong password', from(`198.51.100.${i}`));
      assert.equal(wrong.status, 401, `failure ${i}`);
    }
    const locked = await dash.browser().login(email, PASSWORD, from('198.51.100.77'));
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'rate_limit_exceeded');
    assert.equal(locked.headers.get('retry-after'), '30');
    dash.advance(31_000);
    assert.equal((await dash.browser().login(email, 'wrong password', from('198.51.100.78'))).status, 401);
    const longer = await dash.browser().login(email, PASSWORD, from('198.51.100.79'));
    assert.equal(longer.status, 429);
    assert.equal(longer.headers.get('retry-after'), '60', 'the next lock is twice as long');
    dash.advance(61_000);
    const right = await dash.browser().login(email, PASSWORD, from('198.51.100.80'));
    assert.equal(right.status, 200, right.text);
    for (let i = 1; i <= 4; i++) assert.equal((await dash.browser().login(email, 'wrong password', from('198.51.100.81'))).status, 401);
    assert.equal((await dash.browser().login(email, PASSWORD, from('198.51.100.82'))).status, 200, 'a success started the count again');
  });

  it('per address: 20 failures over any accounts lock that address only', async () => {
    const victim = newEmail();
    await dash.browser().signup(victim);
    for (let i = 0; i < 20; i++) assert.equal((await dash.browser().login(newEmail(), 'guess', from('203.0.113.9'))).status, 401);
    const locked = await dash.browser().login(victim, PASSWORD, from('203.0.113.9'));
    assert.equal(locked.status, 429);
    assert.equal(locked.headers.get('retry-after'), '60');
    assert.equal((await dash.browser().login(victim, PASSWORD, from('203.0.113.10'))).status, 200, 'another address signs in');
    dash.advance(61_000);
    assert.equal((await dash.browser().login(victim, PASSWORD, from('203.0.113.9'))).status, 200, 'the lock ends');
  });

  it('an IPv6 /64 counts as one address', async () => {
    const email = newEmail();
    await dash.browser().signup(email);
    for (let i = 0; i < 20; i++) await dash.browser().login(newEmail(), 'guess', from(`2001:db8:1:2::${(i + 1).toString(16)}`));
    assert.equal((await dash.browser().login(email, PASSWORD, from('2001:db8:1:2::ffff'))).status, 429);
    assert.equal((await dash.browser().login(email, PASSWORD, from('2001:db8:1:3::1'))).status, 200);
  });

  it('an unknown email costs the same scrypt as a wrong password', async () => {
    const email = newEmail();
    await dash.browser().signup(email);
    const time = async (address: string) => {
      const started = performance.now();
      assert.equal((await dash.browser().login(address, 'wrong password', from('192.0.2.200'))).status, 401);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(email));
      unknown.push(await time(newEmail()));
    }
    await dash.app.store.loginFailures.clear(`acct:${email}`);
    // scrypt (N=2^14) dominates both; without the dummy hash an unknown email answers in well under a tenth of it.
    assert.ok(median(unknown) > median(known) * 0.4, `unknown ${median(unknown).toFixed(1)} ms vs known ${median(known).toFixed(1)} ms`);
  });

  it('a wrong password on the profile forms counts too', async () => {
    const browser = dash.browser(from('192.0.2.33'));
    const email = newEmail();
    await browser.signup(email);
    for (let i = 0; i < 5; i++) {
      assert.equal((await browser.call('POST', '/api/auth/password', { current_password: 'wrong password', new_password: 'new long password' })).status, 403);
    }
    const locked = await browser.call('POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'new long password' });
    assert.equal(locked.status, 429);
    assert.equal(locked.headers.get('retry-after'), '30');
  });
});
