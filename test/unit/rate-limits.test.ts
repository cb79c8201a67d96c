import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adjustTat, gcra, WINDOW_MS } from '../../src/services/ratelimit/gcra.js';
import { MemoryLimitStore } from '../../src/services/ratelimit/memory-limiter.js';
import type { ScopeLimits } from '../../src/services/ratelimit/limit-store.js';
import { duration } from '../../src/services/ratelimit/rate-limiter.js';

const T0 = 1_700_000_000_000;

describe('GCRA over a minute', () => {
  test('L units at once, then one every 60 000 / L ms', () => {
    let tat = 0;
    for (let i = 0; i < 60; i++) {
      const verdict = gcra(tat, T0, 60, 1);
      assert.equal(verdict.allowed, true, `unit ${i}`);
      assert.equal(verdict.remaining, 59 - i);
      tat = verdict.tat;
    }
    const refused = gcra(tat, T0, 60, 1);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterMs, 1_000);
    assert.equal(gcra(tat, T0 + 999, 60, 1).allowed, false);
    assert.equal(gcra(tat, T0 + 1_000, 60, 1).allowed, true);
  });

  test('a cost above the limit never fits; corrections give back or take more', () => {
    assert.equal(gcra(0, T0, 100, 101).retryAfterMs, Infinity);
    const spent = gcra(0, T0, 100, 100);
    assert.equal(spent.allowed, true);
    assert.equal(gcra(spent.tat, T0, 100, 1).allowed, false);
    const corrected = adjustTat(spent.tat, T0, 100, -60);
    assert.equal(gcra(corrected, T0, 100, 60).allowed, true);
    assert.equal(adjustTat(0, T0, 100, -50), T0, 'never more than the full allowance');
    assert.equal(adjustTat(T0, T0, 100, 10), T0 + 10 * (WINDOW_MS / 100));
  });

  test('reset headers in OpenAI’s format', () => {
    assert.equal(duration(20), '20ms');
    assert.equal(duration(1_000), '1s');
    assert.equal(duration(58_500), '59s');
    assert.equal(duration(59_500), '1m0s');
    assert.equal(duration(360_000), '6m0s');
  });
});

describe('memory limit store', () => {
  const key = (limits: Partial<ScopeLimits['limits']>): ScopeLimits => ({ scope: 'key', id: 'k1', limits: { rpm: null, tpm: null, concurrency: null, ...limits } });
  const account = (limits: Partial<ScopeLimits['limits']>): ScopeLimits => ({ scope: 'account', id: 'u1', limits: { rpm: null, tpm: null, concurrency: null, ...limits } });

  test('all or nothing: a call the account refuses spends nothing of the key', () => {
    const store = new MemoryLimitStore();
    const scopes = [key({ rpm: 10 }), account({ rpm: 1 })];
    assert.equal(store.admit({ scopes, tokens: 0, now: T0 }).allowed, true);
    const refused = store.admit({ scopes, tokens: 0, now: T0 });
    assert.equal(refused.allowed, false);
    assert.equal(!refused.allowed && refused.scope, 'account');
    const keyOnly = [key({ rpm: 10 })];
    let passed = 0;
    while (store.admit({ scopes: keyOnly, tokens: 0, now: T0 }).allowed) passed += 1;
    assert.equal(passed, 9, 'the key spent one (the call that passed), not two');
  });

  test('concurrency slots come back when a call finishes; tokens are corrected to what was used', () => {
    const store = new MemoryLimitStore();
    const scopes = [key({ concurrency: 1, tpm: 100 })];
    const first = { scopes, tokens: 80, now: T0 };
    assert.equal(store.admit(first).allowed, true);
    const busy = store.admit({ scopes, tokens: 10, now: T0 });
    assert.equal(!busy.allowed && busy.kind, 'concurrency');
    store.finish(first, 20, T0);
    assert.equal(store.admit({ scopes, tokens: 80, now: T0 }).allowed, true, '20 used + 80 fits in 100');
  });
});
