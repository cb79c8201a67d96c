import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SHIPPED_USD_RUB_RATE } from '../../src/config/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { chatCompletion, startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.js';

const CHAT = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 };

async function chat(gw: TestGateway, key: string, path = '/openai/v1/chat/completions') {
  const res = await fetch(gw.url + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(CHAT) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** The rate and cost the history recorded for the key's last call. */
async function lastCharge(gw: TestGateway, key: string): Promise<{ rate: string | null; rub: number | null; usd: string | null }> {
  await gw.app.flush();
  const res = await fetch(`${gw.url}/v1/requests?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  const cost = ((await res.json()) as { data: Array<{ cost: { rub: number | null; usd: string | null; usd_rub_rate: string | null } }> }).data[0]!.cost;
  return { rate: cost.usd_rub_rate, rub: cost.rub, usd: cost.usd };
}

describe('the USD→RUB rate a first run bills at', () => {
  let upstream: ScriptedUpstream;
  before(async () => {
    upstream = await startScriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(chatCompletion('gpt-4o-2024-08-06', { prompt_tokens: 1000, completion_tokens: 100 }));
    });
  });
  after(() => upstream.close());

  test('with no rate set anywhere, the shipped default is in force, said at start, and the first call is billed at it', async () => {
    const gw = await startGateway({ OPENAI_API_KEY: 'sk-rate-test-0001', OPENAI_BASE_URL: upstream.url }, undefined, { usdRubRate: null });
    try {
      const settings = await gw.admin('GET', '/admin/settings');
      assert.equal(settings.body.usd_rub_rate, SHIPPED_USD_RUB_RATE.rate);
      assert.equal(settings.body.usd_rub_rate_source, 'shipped');
      assert.ok(gw.logs.some((line) => line.includes('shipped USD→RUB rate') && line.includes(SHIPPED_USD_RUB_RATE.asOf)), 'a warning at start names the shipped rate and its date');
      const { key } = await gw.newKey();
      assert.equal((await chat(gw, key)).status, 200, 'the first call after the quickstart answers');
      const charge = await lastCharge(gw, key);
      assert.equal(charge.rate, SHIPPED_USD_RUB_RATE.rate);
      assert.ok(charge.rub !== null && charge.rub > 0, 'and it is billed');
    } finally {
      await gw.close();
    }
  });

  test('USD_RUB_RATE replaces the shipped default, and the admin setting replaces both', async () => {
    const gw = await startGateway({ OPENAI_API_KEY: 'sk-rate-test-0001', OPENAI_BASE_URL: upstream.url, USD_RUB_RATE: '80.5' }, undefined, { usdRubRate: null });
    try {
      assert.equal((await gw.admin('GET', '/admin/settings')).body.usd_rub_rate_source, 'env');
      assert.ok(!gw.logs.some((line) => line.includes('shipped USD→RUB rate')), 'no warning when the operator chose the rate');
      const { key } = await gw.newKey();
      assert.equal((await chat(gw, key)).status, 200);
      assert.equal((await lastCharge(gw, key)).rate, '80.5');
      const set = await gw.admin('PUT', '/admin/settings', { usd_rub_rate: '91' });
      assert.deepEqual([set.body.usd_rub_rate, set.body.usd_rub_rate_source], ['91', 'admin']);
      assert.equal((await chat(gw, key)).status, 200);
      assert.equal((await lastCharge(gw, key)).rate, '91');
    } finally {
      await gw.close();
    }
  });

  test('USD_RUB_RATE=none: calls are refused with a message for the operator in each surface shape, never blaming the model', async () => {
    const gw = await startGateway(
      { OPENAI_API_KEY: 'sk-rate-test-0001', OPENAI_BASE_URL: upstream.url, ANTHROPIC_API_KEY: 'sk-ant-rate-test', ANTHROPIC_BASE_URL: upstream.url, USD_RUB_RATE: 'none' },
      undefined,
      { usdRubRate: null },
    );
    const forwarded = upstream.requests.length;
    try {
      assert.equal((await gw.admin('GET', '/admin/settings')).body.usd_rub_rate, null);
      const { key } = await gw.newKey();
      const openai = await chat(gw, key);
      assert.equal(openai.status, 503);
      assert.match(openai.body.error.message, /no USD→RUB rate.*PUT \/admin\/settings.*USD_RUB_RATE/);
      assert.doesNotMatch(openai.body.error.message, /gpt-4o|model/);
      const anthropic = await fetch(`${gw.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const shaped = (await anthropic.json()) as { type: string; error: { message: string } };
      assert.equal(anthropic.status, 503);
      assert.equal(shaped.type, 'error');
      assert.match(shaped.error.message, /no USD→RUB rate/);
      assert.equal(upstream.requests.length, forwarded, 'nothing was forwarded');
    } finally {
      await gw.close();
    }
  });
});

