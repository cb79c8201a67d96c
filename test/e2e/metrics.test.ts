import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startStack, type Stack } from '../helpers/stack.js';
import { startGateway } from '../helpers/gateway.js';
import { startProcess } from '../helpers/process.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** `name{labels}` → value, for every sample of an exposition text. */
type Samples = Map<string, number>;

function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The sum of every sample of `name` whose labels include all of `labels`. */
function sum(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const [series, value] of samples) {
    const brace = series.indexOf('{');
    const metric = brace < 0 ? series : series.slice(0, brace);
    if (metric !== name) continue;
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) total += value;
  }
  return total;
}

describe('GET /metrics: counters move by exactly the calls made', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES, METRICS_TOKEN });
  });
  after(() => stack.close());

  const scrape = async (token: string | null = METRICS_TOKEN) =>
    fetch(`${stack.gw.url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const samples = async () => {
    await stack.gw.app.flush();
    const res = await scrape();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    return { text: await res.text() };
  };

  test('no token, or a wrong one: 401, and nothing of the metrics', async () => {
    for (const token of [null, 'wrong-token-0123456789abcdef', '']) {
      const res = await scrape(token);
      assert.equal(res.status, 401);
      assert.doesNotMatch(await res.text(), /tollgate_/);
    }
  });

  test('native, unified, a 402 and an upstream 5xx are each counted once, with bounded labels', async () => {
    const funded = await stack.gw.newKey({ credit: '100' });
    const broke = await stack.gw.newKey({ credit: '0' });
    const before = parse((await samples()).text);
    const native = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: funded.key, maxRetries: 0 });
    const unified = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: funded.key, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'count me exactly once please' }];
    let input = 0;
    let output = 0;
    for (let i = 0; i < 3; i++) {
      const res = await native.chat.completions.create({ model: 'gpt-4o', messages });
      input += res.usage!.prompt_tokens;
      output += res.usage!.completion_tokens;
    }
    const viaV1 = await unified.chat.completions.create({ model: 'openai/gpt-4o', messages });
    input += viaV1.usage!.prompt_tokens;
    output += viaV1.usage!.completion_tokens;
    const claude = await unified.chat.completions.create({ model: 'anthropic/claude-sonnet-4-20250514', messages });
    await assert.rejects(new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: broke.key, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages }), { status: 402 });
    stack.openai.failNext({ status: 500 });
    await assert.rejects(native.chat.completions.create({ model: 'gpt-4o', messages }), { status: 500 });
    await assert.rejects(native.chat.completions.create({ model: 'my-private-model-name', messages }));

    const { text } = await samples();
    const after = parse(text);
    const delta = (name: string, labels: Record<string, string> = {}) => sum(after, name, labels) - sum(before, name, labels);
    const gpt = { surface: 'openai', provider: 'openai', model: 'gpt-4o' };
    assert.equal(delta('tollgate_requests_total', { ...gpt, status: '200' }), 4, 'three native calls and one through /v1');
    assert.equal(delta('tollgate_requests_total', { ...gpt, status: '402' }), 1);
    assert.equal(delta('tollgate_requests_total', { ...gpt, status: '500' }), 1);
    assert.equal(delta('tollgate_requests_total', { surface: 'openai', provider: 'anthropic', model: 'claude-sonnet-4-20250514', status: '200' }), 1);
    assert.equal(delta('tollgate_requests_total', { surface: 'openai', provider: 'openai', model: 'other' }), 1, 'a model outside the catalog is "other"');
    assert.equal(delta('tollgate_requests_total'), 8, 'nothing else was counted');
    assert.equal(delta('tollgate_request_duration_seconds_count'), 8);
    assert.equal(delta('tollgate_upstream_ttfb_seconds_count'), 6, 'every call that reached a provider');
    assert.equal(delta('tollgate_upstream_errors_total', { provider: 'openai', kind: 'server_error' }), 1);
    assert.equal(delta('tollgate_upstream_errors_total'), 1);
    assert.equal(delta('tollgate_tokens_total', { provider: 'openai', model: 'gpt-4o', kind: 'input' }), input);
    assert.equal(delta('tollgate_tokens_total', { provider: 'openai', model: 'gpt-4o', kind: 'output' }), output);
    assert.equal(delta('tollgate_tokens_total', { provider: 'anthropic', kind: 'output' }), claude.usage!.completion_tokens);

    const charges = await stack.gw.app.store.db.kysely
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<number>('amount_micro').as('total'))
      .where('kind', '=', 'charge')
      .where('user_id', 'in', [funded.userId, broke.userId])
      .executeTakeFirstOrThrow();
    assert.ok(Number(charges.total) < 0);
    assert.equal(delta('tollgate_charged_micro_rub_total'), -Number(charges.total), 'exactly what the ledger charged');
    assert.equal(sum(after, 'tollgate_holds_active'), 0);
    assert.equal(sum(after, 'tollgate_pending_charges'), 0);
    assert.ok(after.has('tollgate_nodejs_eventloop_lag_seconds'), 'event-loop lag is exported');
    assert.ok(sum(after, 'tollgate_upstream_connections', { provider: 'openai', state: 'connected' }) >= 1, 'the pool gauges name the provider');

    for (const secret of [funded.key, funded.keyId, funded.userId, broke.keyId, broke.userId, 'my-private-model-name']) {
      assert.ok(!text.includes(secret), `${secret} must not appear in /metrics`);
    }
    for (const series of after.keys()) assert.doesNotMatch(series, /(key|user)_?id=/);
  });

  test('every metric the Grafana dashboard queries is exported', async () => {
    const dashboard = readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const exported = new Set((await samples()).text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    const queried = new Set(dashboard.match(/tollgate_[a-z0-9_]+/g) ?? []);
    assert.ok(queried.size >= 12);
    for (const name of queried) assert.ok(exported.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} is not exported`);
  });

  test("a key's rate-limit refusals are counted once each, by scope", async () => {
    const { key, keyId } = await stack.gw.newKey({ credit: '100' });
    assert.equal((await stack.gw.admin('PATCH', `/admin/keys/${keyId}`, { rpm_limit: 1 })).status, 200);
    const before = parse((await samples()).text);
    const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'one a minute' }];
    await client.chat.completions.create({ model: 'gpt-4o', messages });
    for (let i = 0; i < 2; i++) await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages }), { status: 429 });
    const after = parse((await samples()).text);
    const delta = (name: string, labels: Record<string, string> = {}) => sum(after, name, labels) - sum(before, name, labels);
    assert.equal(delta('tollgate_rate_limited_total', { scope: 'key' }), 2);
    assert.equal(delta('tollgate_rate_limited_total'), 2);
    assert.equal(delta('tollgate_requests_total', { model: 'gpt-4o', status: '429' }), 2);
    assert.equal(delta('tollgate_upstream_ttfb_seconds_count'), 1, 'the refusals never reached the provider');
  });

  test('holds are counted while a call is in flight', async () => {
    const { key } = await stack.gw.newKey({ credit: '100' });
    stack.openai.failNext({ delayHeadersMs: 400 });
    const call = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hold' }] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const during = parse(await (await scrape()).text());
    assert.equal(sum(during, 'tollgate_holds_active'), 1);
    await call;
    assert.equal(sum(parse((await samples()).text), 'tollgate_holds_active'), 0);
  });
});

describe('GET /metrics: off by default, or on a listener of its own', () => {
  test('without METRICS_TOKEN or METRICS_PORT it is 404', async () => {
    const gw = await startGateway();
    try {
      assert.equal((await fetch(`${gw.url}/metrics`)).status, 404);
      assert.equal(gw.app.metricsHttp, undefined);
    } finally {
      await gw.close();
    }
  });

  test('METRICS_PORT: served there (open, bound by the operator), and 404 on the gateway port', async () => {
    const gw = await startGateway({ METRICS_PORT: '0' });
    try {
      const metricsHttp = gw.app.metricsHttp!;
      await metricsHttp.listen({ host: '127.0.0.1', port: 0 });
      const { port } = metricsHttp.server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /# TYPE tollgate_requests_total counter/);
      assert.equal((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 404);
    } finally {
      await gw.close();
    }
  });

  test('the process listens on METRICS_PORT at 127.0.0.1, says where, and drains it on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-metrics-'));
    const port = await freePort();
    const gateway = await startProcess({ METRICS_PORT: String(port) }, dir);
    try {
      assert.match(gateway.stdout(), new RegExp(`metrics: +http://127\\.0\\.0\\.1:${port}/metrics`));
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^tollgate_nodejs_eventloop_lag_seconds /m);
      assert.equal((await fetch(`${gateway.url}/metrics`)).status, 404);
    } finally {
      gateway.child.kill('SIGTERM');
      assert.equal(await gateway.exited, 0, gateway.stdout());
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
