import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decimalOf, formatDecimal, mul } from '../../src/core/decimal.js';
import { cabinetOf, type Cabinet, type CabinetUser } from '../helpers/cabinet.js';
import { startStack, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;

interface Row {
  id: string;
  key_id: string;
  key_name: string | null;
  model: string;
  status: number;
  cost_micro: number | null;
}

describe('cabinet: history, usage, ledger, balance, models, quick start', () => {
  let stack: Stack;
  let cabinet: Cabinet;
  let ana: CabinetUser;
  let bob: CabinetUser;
  let laptop: string;
  let server: string;
  let bobsKey: string;
  let bobsRequest: string;
  const answers: string[] = [];

  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES, PUBLIC_URL: 'https://gw.example.com', TOPUP_CONTACT: 'Write to billing@example.com' });
    cabinet = cabinetOf(stack.gw);
    ana = await cabinet.newUser('50');
    bob = await cabinet.newUser('50');
    const key = async (user: CabinetUser, name: string) => (await user.call('POST', '/api/keys', { name })).body as { key: { id: string }; secret: string };
    const a1 = await key(ana, 'laptop');
    const a2 = await key(ana, 'server');
    const b1 = await key(bob, 'bobs');
    laptop = a1.key.id;
    server = a2.key.id;
    bobsKey = b1.key.id;
    const chat = (secret: string, model: string) =>
      fetch(`${stack.gw.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello history' }] }),
      }).then((r) => r.text());
    await chat(a1.secret, 'gpt-4o');
    await chat(a1.secret, 'gpt-4o-mini'); // not in the fixture catalog: refused with 404, and recorded
    stack.openai.failNext({ status: 429 });
    await chat(a2.secret, 'gpt-4o');
    await chat(a2.secret, 'gpt-4o');
    await chat(b1.secret, 'gpt-4o');
    await stack.gw.app.billing.idle();
    await stack.gw.app.flush();
    bobsRequest = (await bob.call('GET', '/api/requests')).body.data[0].id;
  });
  after(() => stack.close());

  const get = async (user: CabinetUser, path: string) => {
    const res = await user.call('GET', path);
    answers.push(res.text);
    return res;
  };
  const rows = async (user: CabinetUser, query = '') => {
    const res = await get(user, `/api/requests${query}`);
    assert.equal(res.status, 200, res.text);
    return res.body.data as Row[];
  };

  test("the account's calls, newest first, with the key's name, tokens and cost", async () => {
    const data = await rows(ana);
    assert.deepEqual(data.map((r) => [r.key_name, r.model, r.status]), [
      ['server', 'gpt-4o', 200],
      ['server', 'gpt-4o', 429],
      ['laptop', 'gpt-4o-mini', 404],
      ['laptop', 'gpt-4o', 200],
    ]);
    const ok = data[0]!;
    assert.deepEqual(Object.keys(ok).sort(), [
      'cached_tokens', 'cost_micro', 'created_at', 'id', 'input_tokens', 'key_id', 'key_name', 'latency_ms', 'method', 'model', 'output_tokens',
      'path', 'provider', 'reasoning_tokens', 'status', 'stream', 'surface',
    ]);
    assert.ok(ok.cost_micro! > 0);
    assert.equal(data[1]!.cost_micro, null, 'a failed call costs nothing');
    assert.deepEqual((await rows(bob)).map((r) => r.key_id), [bobsKey], 'bob sees his call only');
  });

  test('filters: key, model, status (ok, error, a code), time; paging by before', async () => {
    assert.deepEqual((await rows(ana, `?key_id=${laptop}`)).map((r) => r.model), ['gpt-4o-mini', 'gpt-4o']);
    assert.equal((await rows(ana, `?key_id=${server}&status=ok`)).length, 1);
    assert.deepEqual((await rows(ana, '?status=error')).map((r) => r.status), [429, 404]);
    assert.deepEqual((await rows(ana, '?status=429')).map((r) => r.status), [429]);
    assert.equal((await rows(ana, '?status=ok')).length, 2);
    assert.equal((await rows(ana, '?model=gpt-4o-mini')).length, 1);
    const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    assert.equal((await rows(ana, `?from=${future}`)).length, 0);
    assert.equal((await rows(ana, `?to=${future}`)).length, 4);
    const all = await rows(ana);
    const seen: string[] = [];
    let before = '';
    for (let page = 0; page < 10; page++) {
      const res = await get(ana, `/api/requests?limit=1${before}`);
      seen.push(...res.body.data.map((r: Row) => r.id));
      if (!res.body.has_more) break;
      before = `&before=${res.body.next_before}`;
    }
    assert.deepEqual(seen, all.map((r) => r.id), 'pages of one walk every call once, in order');
    for (const bad of ['?status=fine', '?limit=0', '?limit=201', '?from=yesterday']) {
      assert.equal((await get(ana, `/api/requests${bad}`)).status, 400, bad);
    }
  });

  test("another user's calls are never readable: their key_id, their request ids, guessed and neighbouring ids", async () => {
    assert.deepEqual(await rows(ana, `?key_id=${bobsKey}`), [], "a filter on bob's key finds nothing for ana");
    assert.equal((await rows(ana, `?before=${bobsRequest}`)).every((r) => r.key_id !== bobsKey), true);
    const last = bobsRequest.at(-1)!;
    const neighbours = [bobsRequest, bobsRequest.slice(0, -1) + (last === '0' ? '1' : '0'), 'req_' + '0'.repeat(26), 'req_missing'];
    for (const id of neighbours) {
      const res = await get(ana, `/api/requests/${id}`);
      assert.equal(res.status, 404, `${id} → ${res.text}`);
      assert.ok(!res.text.includes(bobsKey) && !res.text.includes('gpt-4o'), 'a refusal tells nothing of the call');
    }
    const own = await get(bob, `/api/requests/${bobsRequest}`);
    assert.equal(own.status, 200);
    assert.equal(own.body.key_name, 'bobs');
  });

  test('a call opened: how it was metered and priced', async () => {
    const [ok] = await rows(ana, '?status=ok&limit=1');
    const detail = await get(ana, `/api/requests/${ok!.id}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.usage_source, 'reported');
    assert.equal(detail.body.usd_rub_rate, '100');
    assert.match(detail.body.cost_usd, /^\d+\.\d+$/);
    assert.match(detail.body.price_version, /^seed:/);
    assert.equal(detail.body.error, null);
    assert.equal(detail.body.cost_micro, ok!.cost_micro);
    assert.ok(!('user_id' in detail.body) && !('reported_usage' in detail.body), 'only declared fields leave');
  });

  test("the usage series: today's sums equal the calls' costs and tokens; every day present", async () => {
    const series = await get(ana, '/api/usage?days=7');
    assert.equal(series.status, 200, series.text);
    assert.equal(series.body.days.length, 7);
    const today = series.body.days.at(-1);
    assert.equal(today.date, new Date().toISOString().slice(0, 10));
    const data = await rows(ana);
    assert.equal(today.requests, data.length);
    assert.equal(today.errors, 2);
    assert.equal(today.cost_micro, data.reduce((sum, r) => sum + (r.cost_micro ?? 0), 0));
    assert.deepEqual(today.by_model, { 'gpt-4o': today.cost_micro, 'gpt-4o-mini': 0 });
    assert.ok(series.body.days.slice(0, -1).every((d: { requests: number; cost_micro: number }) => d.requests === 0 && d.cost_micro === 0));
    assert.equal((await get(ana, '/api/usage')).body.days.length, 30, '30 days by default');
    assert.equal((await get(ana, '/api/usage?days=90')).body.days.length, 90);
    assert.equal((await get(ana, '/api/usage?days=5')).status, 400);
    const bobs = (await get(bob, '/api/usage?days=7')).body.days.at(-1);
    assert.equal(bobs.requests, 1, "bob's series has his call only");
  });

  test('the ledger and the balance agree with the charges', async () => {
    const ledger = await get(ana, '/api/ledger');
    assert.equal(ledger.status, 200);
    const entries = ledger.body.data as Array<{ kind: string; amount_micro: number; balance_after_micro: number; request_id: string | null }>;
    assert.deepEqual(entries.map((e) => e.kind), ['charge', 'charge', 'credit']);
    const charged = entries.filter((e) => e.kind === 'charge').reduce((sum, e) => sum - e.amount_micro, 0);
    const costs = (await rows(ana)).reduce((sum, r) => sum + (r.cost_micro ?? 0), 0);
    assert.equal(charged, costs, "the charges are the calls' costs");
    const balance = await get(ana, '/api/balance');
    assert.equal(balance.status, 200);
    assert.deepEqual(balance.body, {
      balance_micro: 50_000_000 - charged,
      held_micro: 0,
      available_micro: 50_000_000 - charged,
      usd: formatDecimal({ units: BigInt(50_000_000 - charged) / 100n, scale: 6 }),
      usd_rub_rate: '100',
      month_spend_micro: charged,
      topup: { available: false, contact: 'Write to billing@example.com' },
    });
    assert.equal(entries[0]!.balance_after_micro, balance.body.balance_micro);
    const page = await get(ana, '/api/ledger?limit=1');
    assert.equal(page.body.has_more, true);
    const rest = await get(ana, `/api/ledger?before=${page.body.next_before}`);
    assert.deepEqual([...page.body.data, ...rest.body.data], entries);
    assert.ok((await get(bob, '/api/ledger')).body.data.every((e: { key_id: string | null }) => e.key_id === null || e.key_id === bobsKey));
  });

  test('models carry ruble prices per 1M tokens at the current rate and markup, exactly', async () => {
    await stack.gw.admin('PUT', '/admin/settings', { usd_rub_rate: '92.35', markup: '1.2' });
    try {
      const res = await get(ana, '/api/models');
      assert.equal(res.status, 200);
      assert.equal(res.body.usd_rub_rate, '92.35');
      assert.equal(res.body.markup, '1.2');
      const model = res.body.data.find((m: { id: string }) => m.id === 'openai/gpt-4o');
      const usd = stack.gw.app.services.catalog.get('openai/gpt-4o').prices as Record<string, string>;
      const rub = (price: string) => formatDecimal(mul(mul(decimalOf(price), decimalOf('92.35')), decimalOf('1.2')));
      assert.equal(model.input_rub_per_mtok, rub(usd['input_per_mtok']!));
      assert.equal(model.output_rub_per_mtok, rub(usd['output_per_mtok']!));
      assert.equal(model.prices_rub['input_per_mtok'], model.input_rub_per_mtok);
      assert.equal(model.name, 'gpt-4o');
      assert.equal(model.provider, 'openai');
      assert.ok(res.body.data.every((m: { id: string }) => stack.gw.app.services.catalog.get(m.id).enabled), 'enabled models only');
    } finally {
      await stack.gw.admin('PUT', '/admin/settings', { usd_rub_rate: '100', markup: '1' });
    }
  });

  test('the quick start names every surface at PUBLIC_URL', async () => {
    const res = await get(ana, '/api/quickstart');
    assert.equal(res.status, 200);
    assert.equal(res.body.base_url, 'https://gw.example.com');
    assert.deepEqual(
      Object.fromEntries(['unified', 'openai', 'anthropic', 'gemini', 'gemini_openai', 'xai', 'deepseek', 'openrouter'].map((s) => [s, res.body.surfaces[s]])),
      {
        unified: 'https://gw.example.com/v1',
        openai: 'https://gw.example.com/openai/v1',
        anthropic: 'https://gw.example.com/anthropic',
        gemini: 'https://gw.example.com/google',
        gemini_openai: 'https://gw.example.com/google/v1beta/openai',
        xai: 'https://gw.example.com/xai/v1',
        deepseek: 'https://gw.example.com/deepseek/v1',
        openrouter: 'https://gw.example.com/openrouter/v1',
      },
    );
  });

  test("the OpenAPI document has the cabinet's routes with their schemas", async () => {
    const doc = (await cabinet.anonymous('GET', '/api/openapi.json')).body;
    for (const path of ['/api/balance', '/api/keys', '/api/keys/{id}', '/api/requests', '/api/requests/{id}', '/api/usage', '/api/ledger', '/api/models', '/api/quickstart']) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
    const keySchema = doc.paths['/api/keys'].get.responses['200'].content['application/json'].schema;
    assert.ok(JSON.stringify(keySchema).includes('spend_micro'));
    assert.ok(!JSON.stringify(doc).includes('key_hash'));
  });

  test('without a session nothing is readable', async () => {
    for (const path of ['/api/balance', '/api/requests', `/api/requests/${bobsRequest}`, '/api/usage', '/api/ledger', '/api/models', '/api/quickstart']) {
      assert.equal((await cabinet.anonymous('GET', path)).status, 401, path);
    }
  });

  test('no answer carried a key hash or a user id of another account', async () => {
    for (const text of answers) {
      assert.ok(!text.includes('key_hash'));
      assert.ok(!text.includes('password_hash'));
    }
  });
});
