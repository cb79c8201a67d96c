import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { checkTopupAmount, failureText, KNOWN_FAILURE_REASONS, wholeRub } from '../../web/src/lib/topup.js';

const RUB = 1_000_000;

describe('the top-up form', () => {
  test('an amount typed in rubles becomes the wire string POST /api/payments takes, within the bounds', () => {
    assert.deepEqual(checkTopupAmount('500', 100 * RUB, 100_000 * RUB), { ok: true, micro: 500n * 1_000_000n, wire: '500' });
    assert.deepEqual(checkTopupAmount(' 1 499,9 ', 100 * RUB, 100_000 * RUB), { ok: true, micro: 1_499_900_000n, wire: '1499.90' });
    assert.deepEqual(checkTopupAmount('100.05', 100 * RUB, 100_000 * RUB), { ok: true, micro: 100_050_000n, wire: '100.05' });
    assert.deepEqual(checkTopupAmount('100000', 100 * RUB, 100_000 * RUB), { ok: true, micro: 100_000_000_000n, wire: '100000' });
  });

  test('empty, not a number, a third decimal, a sign, below or above the bounds are refused with the reason', () => {
    const reason = (text: string) => {
      const check = checkTopupAmount(text, 100 * RUB, 100_000 * RUB);
      return check.ok ? 'ok' : check.reason;
    };
    assert.deepEqual(['', '  ', 'abc', '1e3', '-500', '+500', '100.555', '99.99', '0', '100000.01'].map(reason), ['empty', 'empty', 'format', 'format', 'format', 'format', 'decimals', 'min', 'min', 'max']);
  });

  test('preset labels drop zero kopecks only; failure reasons known to the page are translated, others shown raw', () => {
    assert.equal(wholeRub(1000 * RUB, 'ru'), '1\u00a0000\u00a0₽');
    assert.equal(wholeRub(5000 * RUB, 'en'), '₽5,000');
    assert.equal(wholeRub(100_500_000, 'en'), '₽100.50');
    const t = (key: string) => `«${key}»`;
    assert.equal(failureText('insufficient_funds', t), '«payments.reasons.insufficient_funds»');
    assert.equal(failureText('fraud_suspected', t), 'fraud_suspected');
    assert.equal(failureText(null, t), null);
  });

  test('every reason the page explains has its words in Russian and English', () => {
    for (const lang of ['ru', 'en']) {
      const strings = JSON.parse(readFileSync(new URL(`../../web/src/i18n/${lang}.json`, import.meta.url), 'utf8')) as { payments: { reasons: Record<string, string> } };
      assert.deepEqual(Object.keys(strings.payments.reasons).sort(), [...KNOWN_FAILURE_REASONS].sort(), lang);
    }
  });
});
