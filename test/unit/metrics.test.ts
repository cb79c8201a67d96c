import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayMetrics, type ObservedCall } from '../../src/observability/metrics.js';

const sources = {
  isCatalogModel: (provider: string, model: string) => provider === 'openai' && model === 'gpt-4o',
  holdsActive: () => 3,
  pendingCharges: () => 2,
  upstreamPools: () => [{ provider: 'openai', connected: 4, free: 1, pending: 0, queued: 0, running: 3 }],
};

const row = (over: Partial<ObservedCall> = {}): ObservedCall => ({
  surface: 'openai',
  provider: 'openai',
  model: 'gpt-4o',
  status: 200,
  error: null,
  latency_ms: 120,
  input_tokens: 10,
  cached_tokens: 4,
  output_tokens: 5,
  reasoning_tokens: null,
  usage_source: 'reported',
  ...over,
});

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('rate-limit refusals by scope, capped usage, "other" models, histograms and gauges', async () => {
  const metrics = new GatewayMetrics(sources);
  metrics.observeCall(row(), 30);
  metrics.observeCall(row({ status: 429, error: 'rate_limit:key:rpm', input_tokens: null, output_tokens: null, cached_tokens: null, usage_source: null }), undefined);
  metrics.observeCall(row({ status: 429, error: 'rate_limit:account:tpm', input_tokens: null, output_tokens: null, cached_tokens: null }), undefined);
  metrics.observeCall(row({ status: 429, error: 'upstream_429' }), 10);
  metrics.observeCall(row({ model: 'ft:gpt-4o:acme:secret-name', usage_source: 'capped' }), 20);
  metrics.observeCall(row({ model: null, status: 404, error: 'TG_ERR_MODEL_NOT_FOUND' }), undefined);
  metrics.upstreamFailures('openai')('timeout');
  metrics.charge(1500);
  metrics.charge(0);
  const text = await metrics.render();

  assert.equal(value(text, 'tollgate_rate_limited_total{scope="key"}'), 1);
  assert.equal(value(text, 'tollgate_rate_limited_total{scope="account"}'), 1);
  assert.equal(value(text, 'tollgate_rate_limited_total{scope="other"}'), 0, "the provider's own 429 is not a gateway rate limit");
  assert.equal(value(text, 'tollgate_usage_capped_total'), 1);
  assert.equal(value(text, 'tollgate_requests_total{surface="openai",provider="openai",model="gpt-4o",status="429"}'), 3);
  assert.equal(value(text, 'tollgate_requests_total{surface="openai",provider="openai",model="other",status="200"}'), 1);
  assert.equal(value(text, 'tollgate_requests_total{surface="openai",provider="openai",model="other",status="404"}'), 1);
  assert.ok(!text.includes('secret-name'), 'a name outside the catalog never becomes a label');
  assert.equal(value(text, 'tollgate_tokens_total{provider="openai",model="gpt-4o",kind="input"}'), 20);
  assert.equal(value(text, 'tollgate_tokens_total{provider="openai",model="gpt-4o",kind="cached"}'), 8);
  assert.equal(value(text, 'tollgate_request_duration_seconds_count{surface="openai",provider="openai"}'), 6);
  assert.equal(value(text, 'tollgate_request_duration_seconds_bucket{surface="openai",provider="openai",le="0.1"}'), 0);
  assert.equal(value(text, 'tollgate_request_duration_seconds_bucket{surface="openai",provider="openai",le="0.25"}'), 6);
  assert.equal(value(text, 'tollgate_upstream_ttfb_seconds_bucket{provider="openai",le="0.01"}'), 1);
  assert.equal(value(text, 'tollgate_upstream_ttfb_seconds_bucket{provider="openai",le="+Inf"}'), 3);
  assert.equal(value(text, 'tollgate_upstream_ttfb_seconds_sum{provider="openai"}'), 0.06);
  assert.equal(value(text, 'tollgate_upstream_errors_total{provider="openai",kind="timeout"}'), 1);
  assert.equal(value(text, 'tollgate_upstream_errors_total{provider="openai",kind="server_error"}'), 0);
  assert.equal(value(text, 'tollgate_charged_micro_rub_total'), 1500);
  assert.equal(value(text, 'tollgate_holds_active'), 3);
  assert.equal(value(text, 'tollgate_pending_charges'), 2);
  assert.equal(value(text, 'tollgate_upstream_connections{provider="openai",state="running"}'), 3);
  for (const line of text.split('\n')) if (!line.startsWith('#') && line !== '') assert.match(line, /^tollgate_/);

  // Counts survive a scrape (the model-name cache is dropped, the cells are not).
  metrics.observeCall(row(), 30);
  assert.equal(value(await metrics.render(), 'tollgate_requests_total{surface="openai",provider="openai",model="gpt-4o",status="200"}'), 2);
});

test('METRICS_* config: off by default, a token of 16+ characters, a port of its own at 127.0.0.1 unless METRICS_HOST', async () => {
  const { readMetrics } = await import('../../src/config/metrics.js');
  assert.deepEqual(readMetrics({}), { enabled: false, token: undefined, listen: undefined });
  assert.deepEqual(readMetrics({ METRICS_TOKEN: 'x'.repeat(16) }), { enabled: true, token: 'x'.repeat(16), listen: undefined });
  assert.throws(() => readMetrics({ METRICS_TOKEN: 'short' }), /at least 16/);
  assert.deepEqual(readMetrics({ METRICS_PORT: '9464' }), { enabled: true, token: undefined, listen: { host: '127.0.0.1', port: 9464 } });
  assert.deepEqual(readMetrics({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).listen, { host: '0.0.0.0', port: 9464 });
  assert.throws(() => readMetrics({ METRICS_HOST: '0.0.0.0' }), /needs METRICS_PORT/);
  assert.throws(() => readMetrics({ METRICS_PORT: 'abc' }), /whole number/);
});
