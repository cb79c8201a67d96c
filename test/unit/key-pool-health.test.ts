import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idFloor, newId } from '../../src/lib/ids.js';
import { restKey, restRejectedKey } from '../../src/services/relay/key-retry.js';
import { KeyPool } from '../../src/upstream/key-pool.js';

describe('KeyPool health (the admin console’s upstream view)', () => {
  const long = 'sk-live-0123456789abcdefWXYZ';
  const other = 'sk-live-9876543210fedcbaQRST';

  it('names keys by their last 4 characters only, and a short key by none', () => {
    const pool = new KeyPool([long, 'short-key', '']);
    const labels = pool.health(0).map((k) => k.label);
    assert.deepEqual(labels, ['…WXYZ', '…'], 'a key without a value is not listed');
    assert.ok(!JSON.stringify(pool.health(0)).includes('0123456789'));
  });

  it('records the last failure of each key and how long it rests', () => {
    const pool = new KeyPool([long, other]);
    restKey(pool, long, 429, { 'retry-after': '20' }, 1_000);
    restKey(pool, other, 503, {}, 2_000);
    assert.deepEqual(pool.health(1_500), [
      { label: '…WXYZ', restingUntil: 21_000, lastError: 'rate_limited', lastErrorAt: 1_000 },
      { label: '…QRST', restingUntil: null, lastError: 'server_error', lastErrorAt: 2_000 },
    ]);
    restRejectedKey(pool, other, 3_000);
    assert.equal(pool.health(3_000)[1]!.lastError, 'unauthorized');
    assert.equal(pool.health(3_000)[1]!.restingUntil, 3_000 + 5 * 60_000);
    // A rest that has run out is not shown; the last failure still is.
    assert.deepEqual(pool.health(22_000)[0], { label: '…WXYZ', restingUntil: null, lastError: 'rate_limited', lastErrorAt: 1_000 });
    pool.noteFailure('not-a-key-of-this-pool', 'timeout', 5);
    assert.equal(pool.health(0).length, 2);
  });

  it('idFloor bounds the ids minted from a moment on', () => {
    const at = Date.UTC(2026, 11, 2, 10);
    assert.ok(newId('req', at) >= idFloor('req', at));
    assert.ok(newId('req', at - 1) < idFloor('req', at));
  });
});
