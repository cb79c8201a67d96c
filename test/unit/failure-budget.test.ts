import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientAddress } from '../../src/http/plugins/client-address.js';
import { FailureBudget } from '../../src/services/auth/failure-budget.js';

const MINUTE = 60_000;

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('FailureBudget', () => {
  test('10 failures within the window lock the client for a minute; fewer lock nothing', () => {
    const clock = fakeClock();
    const budget = new FailureBudget(clock);
    for (let i = 1; i < 10; i++) assert.equal(budget.fail('a'), 0, `failure ${i}`);
    assert.equal(budget.lockedFor('a'), 0);
    assert.equal(budget.fail('a'), MINUTE, 'the 10th failure trips the lock');
    assert.equal(budget.lockedFor('a'), MINUTE);
    assert.equal(budget.lockedFor('b'), 0, 'other clients are not locked');
    clock.advance(MINUTE - 1);
    assert.equal(budget.lockedFor('a'), 1);
    clock.advance(1);
    assert.equal(budget.lockedFor('a'), 0, 'the lock ends');
  });

  test('failures spread wider than the window never lock', () => {
    const clock = fakeClock();
    const budget = new FailureBudget(clock);
    for (let window = 0; window < 5; window++) {
      for (let i = 0; i < 9; i++) assert.equal(budget.fail('slow'), 0);
      clock.advance(10 * MINUTE);
    }
    assert.equal(budget.lockedFor('slow'), 0);
  });

  test('each new lock doubles, capped at an hour', () => {
    const clock = fakeClock();
    const budget = new FailureBudget(clock);
    const locks: number[] = [];
    for (let trip = 0; trip < 9; trip++) {
      let lock = 0;
      for (let i = 0; i < 10; i++) lock = budget.fail('a');
      locks.push(lock / MINUTE);
      clock.advance(lock);
      assert.equal(budget.lockedFor('a'), 0);
    }
    assert.deepEqual(locks, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  test('a client quiet for longer than the longest lock starts afresh', () => {
    const clock = fakeClock();
    const budget = new FailureBudget(clock);
    for (let trip = 0; trip < 3; trip++) {
      let lock = 0;
      for (let i = 0; i < 10; i++) lock = budget.fail('a');
      clock.advance(lock);
    }
    clock.advance(60 * MINUTE);
    let lock = 0;
    for (let i = 0; i < 10; i++) lock = budget.fail('a');
    assert.equal(lock, MINUTE);
  });

  test('memory is bounded: past maxClients the least recently failing client is forgotten', () => {
    const clock = fakeClock();
    const budget = new FailureBudget(clock, { maxClients: 100 });
    for (let i = 0; i < 10; i++) budget.fail('attacker');
    for (let i = 0; i < 99; i++) budget.fail(`ip-${i}`);
    assert.equal(budget.size, 100);
    assert.ok(budget.lockedFor('attacker') > 0, 'still remembered, and asking keeps it fresh');
    for (let i = 99; i < 1000; i++) budget.fail(`ip-${i}`);
    assert.equal(budget.size, 100);
    assert.equal(budget.lockedFor('ip-0'), 0);
  });
});

describe('clientAddress', () => {
  test('IPv4 as it is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    assert.equal(clientAddress('203.0.113.7'), '203.0.113.7');
    assert.equal(clientAddress('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientAddress('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientAddress('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
    assert.equal(clientAddress('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientAddress('::1'), '0:0:0:0::/64');
    assert.equal(clientAddress('fe80::1%eth0'), 'fe80:0:0:0::/64');
  });
});
