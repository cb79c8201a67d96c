import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countOf, rateLimitDraftOf, rateLimitsOf, rateLimitsText } from '../../web/src/lib/rate-limits.js';

describe('web: rate limit fields (issue #14)', () => {
  test('empty is no limit; a whole number ≥ 1 is the limit; anything else is invalid', () => {
    assert.equal(countOf(''), null);
    assert.equal(countOf('  '), null);
    assert.equal(countOf(' 60 '), 60);
    assert.equal(countOf('2147483647'), 2147483647);
    for (const bad of ['0', '-1', '1.5', '1e3', 'abc', '2147483648']) assert.equal(countOf(bad), undefined, bad);
  });

  test('a draft round-trips a key’s or an account’s limits; one invalid field makes the whole invalid', () => {
    const draft = rateLimitDraftOf({ rpm_limit: 60, tpm_limit: null, concurrency_limit: 4 });
    assert.deepEqual(draft, { rpm: '60', tpm: '', concurrency: '4' });
    assert.deepEqual(rateLimitsOf(draft), { rpm_limit: 60, tpm_limit: null, concurrency_limit: 4 });
    assert.deepEqual(rateLimitDraftOf(null), { rpm: '', tpm: '', concurrency: '' });
    assert.equal(rateLimitsOf({ ...draft, tpm: '0' }), undefined);
  });

  test('the list’s compact text names only the limits set', () => {
    const t = (key: string, options?: Record<string, unknown>) => `${key}:${String(options?.['n'])}`;
    assert.equal(rateLimitsText({ rpm_limit: 60, tpm_limit: null, concurrency_limit: 4 }, t), 'limits.rpmShort:60 · limits.concurrencyShort:4');
    assert.equal(rateLimitsText({ rpm_limit: null, tpm_limit: null, concurrency_limit: null }, t), null);
  });
});
