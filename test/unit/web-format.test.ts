import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dayToIso, formatCount, formatLatency, formatShortDay } from '../../web/src/lib/format.js';
import { describeUserAgent } from '../../web/src/lib/user-agent.js';

describe('the dashboard formats', () => {
  test('sessions show the browser and system, not the raw User-Agent', () => {
    assert.equal(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'), 'Chrome 131 · Windows');
    assert.equal(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86'), 'Edge 131 · Windows');
    assert.equal(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'), 'Safari 17 · iOS');
    assert.equal(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'), 'Firefox 133 · Linux');
    assert.equal(describeUserAgent('curl/8.5.0'), 'curl/8.5.0');
    assert.equal(describeUserAgent(null), '—');
  });

  test('chart days, counts and latencies in the page language', () => {
    assert.equal(formatShortDay('2026-12-02', 'en'), 'Dec 2');
    assert.match(formatShortDay('2026-12-02', 'ru'), /^2 дек/);
    assert.equal(formatCount(1234567, 'en'), '1,234,567');
    assert.equal(formatLatency(850, 'ru'), '850 мс');
    assert.equal(formatLatency(2345, 'en'), '2.3 s');
    assert.equal(formatLatency(null, 'en'), '—');
  });

  test('a date filter covers the whole local day', () => {
    const from = dayToIso('2026-12-02');
    const to = dayToIso('2026-12-02', true);
    assert.ok(from && to);
    assert.equal(Date.parse(to) - Date.parse(from), 24 * 3600 * 1000 - 1);
    assert.equal(dayToIso('2026-13-45'), undefined);
    assert.equal(dayToIso(''), undefined);
  });
});
