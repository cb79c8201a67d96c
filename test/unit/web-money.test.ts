import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDecimal, formatRub, formatUsd, microToInput, multiplyDecimals, parseRubToMicro, formatScaled, toMicro } from '../../web/src/lib/money.js';

const NBSP = '\u00a0';
/** ru-RU groups with a narrow or normal no-break space depending on the ICU version: compare without it. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('the dashboard formats money from integer micro-rubles', () => {
  test('rubles with ru-RU and en-US grouping, kopecks rounded half up', () => {
    assert.equal(plain(formatRub(1_234_567_890_000, 'ru')), '1 234 567,89 ₽');
    assert.equal(formatRub(1_234_567_890_000, 'en'), '₽1,234,567.89');
    assert.equal(plain(formatRub(5_000, 'ru')), '0,01 ₽', '0.005 ₽ rounds up to a kopeck');
    assert.equal(plain(formatRub(4_999, 'ru')), '0,00 ₽');
    assert.equal(formatRub(-2_500_000, 'en'), '-₽2.50');
    assert.ok(formatRub(0, 'ru').endsWith(`${NBSP}₽`));
  });

  test('per-request costs keep up to six decimals', () => {
    assert.equal(formatRub(12_345, 'en', { precision: 'precise' }), '₽0.012345');
    assert.equal(formatRub(1_500_000, 'en', { precision: 'precise' }), '₽1.50');
    assert.equal(plain(formatRub(1, 'ru', { precision: 'precise' })), '0,000001 ₽');
  });

  test('amounts beyond 2^53 micro-rubles are exact as strings or BigInt, and floats are refused', () => {
    assert.equal(formatRub(12_345_678_901_234_567_891n, 'en'), '₽12,345,678,901,234.57');
    assert.equal(formatRub('900719925474099312', 'en'), '₽900,719,925,474.10');
    assert.throws(() => toMicro(0.1));
    assert.throws(() => toMicro('1.5'));
  });

  test('what a person types becomes micro-rubles exactly', () => {
    assert.equal(parseRubToMicro('1 500,50'), 1_500_500_000n);
    assert.equal(parseRubToMicro('0.1'), 100_000n);
    assert.equal(parseRubToMicro('0.000001'), 1n);
    assert.equal(parseRubToMicro('0.0000001'), null, 'finer than a micro-ruble');
    assert.equal(parseRubToMicro('abc'), null);
    assert.equal(parseRubToMicro(''), null);
    assert.equal(microToInput(1_500_500_000), '1500.5');
    assert.equal(microToInput(null), '');
  });

  test('USD strings, and USD price × rate × markup with no float in between', () => {
    assert.equal(formatUsd('12.3456', 'en'), '$12.35');
    assert.equal(formatUsd(null, 'en'), '—');
    assert.equal(formatDecimal('92.5', 'ru', 2, 4), '92,50');
    const rub = multiplyDecimals('0.15', '95.5', '1.2');
    assert.ok(rub);
    assert.equal(formatScaled(rub, 'en', 2, 4), '17.19', '0.15 × 95.5 × 1.2 = 17.19');
    assert.equal(formatScaled(multiplyDecimals('0.1', '0.2')!, 'en', 0, 6), '0.02');
    assert.equal(multiplyDecimals('1', null), null);
  });
});
