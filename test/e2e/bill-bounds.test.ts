import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { estimateOpenAIRequest } from '../../src/dialects/openai/request-estimate.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { chatCompletion, startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const RATE = 100; // RUB per USD in the test gateway
/** micro-rubles for gpt-4o ($2.50 / $10 per 1M tokens) at the test rate, rounded up once. */
const gpt4o = (input: number, output: number) => Math.ceil((input * 2.5 + output * 10) * RATE);

describe('the bill is bounded by what was asked', () => {
  let upstream: ScriptedUpstream;
  let gw: TestGateway;
  before(async () => {
    upstream = await startScriptedUpstream((_req, res) => res.end());
    gw = await startGateway({ OPENAI_API_KEY: 'sk-scripted-upstream-key', OPENAI_BASE_URL: upstream.url, CATALOG_DIR: FIXTURES });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const db = () => gw.app.store.db.kysely;
  const chat = async (key: string, body: object) => {
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.text() };
  };
  const answerWith = (usage: { prompt_tokens: number; completion_tokens: number }) =>
    upstream.answer((req, res) => {
      const text = chatCompletion(req.json().model, usage);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  const outcome = async (userId: string, keyId: string) => {
    await gw.app.flush();
    const row = await db().selectFrom('requests').selectAll().where('key_id', '=', keyId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const charge = await db().selectFrom('ledger_entries').selectAll().where('request_id', '=', row.id).executeTakeFirstOrThrow();
    const user = await db().selectFrom('users').select('balance_micro').where('id', '=', userId).executeTakeFirstOrThrow();
    return { row, charge, balance: user.balance_micro };
  };

  test('10^12 completion tokens for max_tokens 50: billed at the output bound, flagged capped, the report kept', async () => {
    const { key, keyId, userId } = await gw.newKey({ credit: '100' });
    answerWith({ prompt_tokens: 12, completion_tokens: 1e12 });
    const res = await chat(key, { model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200, res.body);
    const { row, charge, balance } = await outcome(userId, keyId);
    const outputBound = Math.ceil(50 * 1.05) + 32;
    assert.equal(row.usage_source, 'capped');
    assert.equal(row.output_tokens, outputBound);
    assert.equal(row.input_tokens, 12, 'input within its bound is billed as reported');
    assert.deepEqual(JSON.parse(row.reported_usage!), { inputTokens: 12, outputTokens: 1e12 });
    assert.equal(row.cost_micro, gpt4o(12, outputBound));
    assert.equal(-charge.amount_micro, row.cost_micro, "history's cost is the ledger's charge");
    assert.equal(balance, 100_000_000 - row.cost_micro!);
    assert.ok(gw.logs.some((line) => line.includes('usage above what the request allowed')), 'the operator is warned');
  });

  test('input far above the estimate: billed at twice the estimate plus 1,024 tokens', async () => {
    const { key, keyId, userId } = await gw.newKey({ credit: '100' });
    const body = { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'a short prompt' }] };
    const estimated = estimateOpenAIRequest('/v1/chat/completions', Buffer.from(JSON.stringify(body)))!.inputTokens;
    answerWith({ prompt_tokens: 5_000_000, completion_tokens: 3 });
    assert.equal((await chat(key, body)).status, 200);
    const { row, charge } = await outcome(userId, keyId);
    assert.equal(row.usage_source, 'capped');
    assert.equal(row.input_tokens, estimated * 2 + 1024);
    assert.equal(row.output_tokens, 3);
    assert.equal(-charge.amount_micro, row.cost_micro);
    assert.equal(row.cost_micro, gpt4o(estimated * 2 + 1024, 3));
  });

  test('usage within the bounds is billed as reported, even above the hold', async () => {
    const { key, keyId, userId } = await gw.newKey({ credit: '100' });
    const body = { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'a short prompt' }] };
    const estimated = estimateOpenAIRequest('/v1/chat/completions', Buffer.from(JSON.stringify(body)))!.inputTokens;
    answerWith({ prompt_tokens: estimated + 500, completion_tokens: 10 });
    assert.equal((await chat(key, body)).status, 200);
    const { row, charge } = await outcome(userId, keyId);
    assert.equal(row.usage_source, 'reported');
    assert.equal(row.reported_usage, null);
    assert.equal(-charge.amount_micro, gpt4o(estimated + 500, 10));
  });

  test("when the money left caps a charge, history's cost is what the ledger took", async () => {
    // A budget a little above the hold: usage within the bounds but above the budget is charged the budget.
    const body = { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'a short prompt' }] };
    const estimated = estimateOpenAIRequest('/v1/chat/completions', Buffer.from(JSON.stringify(body)))!.inputTokens;
    const hold = gpt4o(estimated, 10);
    const budget = (hold + 1) / 1e6;
    const { key, keyId, userId } = await gw.newKey({ credit: '100', key: { budget_limit: budget.toFixed(6) } });
    answerWith({ prompt_tokens: estimated * 2, completion_tokens: 10 });
    assert.equal((await chat(key, body)).status, 200);
    const { row, charge } = await outcome(userId, keyId);
    assert.equal(-charge.amount_micro, hold + 1, 'the charge stops at the budget');
    assert.match(charge.note ?? '', /capped/);
    assert.equal(row.cost_micro, hold + 1, 'and history says so, not the usage price');
    assert.equal(row.usage_source, 'reported');
  });
});

describe('a whole answer cut mid-body', () => {
  let upstream: ScriptedUpstream;
  let gw: TestGateway;
  before(async () => {
    upstream = await startScriptedUpstream((_req, res) => res.end());
    gw = await startGateway({ OPENAI_API_KEY: 'sk-scripted-upstream-key', OPENAI_BASE_URL: upstream.url, ANTHROPIC_API_KEY: 'sk-ant-scripted', ANTHROPIC_BASE_URL: upstream.url, CATALOG_DIR: FIXTURES });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const half = (text: string) => text.slice(0, Math.floor(text.length / 2));
  const cuts: Array<[string, (text: string, res: import('node:http').ServerResponse) => void]> = [
    ['without a length, the connection closed mid-body', (text, res) => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.flushHeaders();
      res.socket!.end(half(text)); // a body delimited by the connection's close, cut short
    }],
    ['with a length the body never reaches', (text, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.write(half(text));
      setTimeout(() => res.destroy(), 20);
    }],
  ];

  for (const [name, cut] of cuts) {
    test(`${name}: the client gets a 502 in its shape, the call is recorded as cut and charged its estimated input`, async () => {
      const { key, keyId } = await gw.newKey({ credit: '100' });
      upstream.answer((req, res) => cut(chatCompletion(req.json().model, { prompt_tokens: 9, completion_tokens: 5 }), res));
      const body = { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'cut me' }] };
      const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 502);
      const error = (await res.json()) as { error: { message: string; type: string } };
      assert.match(error.error.message, /cut its answer|could not be reached/);
      await gw.app.flush();
      const db = gw.app.store.db.kysely;
      const row = await db.selectFrom('requests').selectAll().where('key_id', '=', keyId).orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(row.status, 502);
      assert.equal(row.error, 'upstream_cut');
      const estimated = estimateOpenAIRequest('/v1/chat/completions', Buffer.from(JSON.stringify(body)))!.inputTokens;
      assert.equal(row.input_tokens, estimated);
      assert.equal(row.output_tokens, 0);
      const charge = await db.selectFrom('ledger_entries').selectAll().where('request_id', '=', row.id).executeTakeFirstOrThrow();
      assert.equal(-charge.amount_micro, gpt4o(estimated, 0));
      assert.equal(row.cost_micro, -charge.amount_micro);
    });
  }

  test('on the Anthropic surface the cut answer is an Anthropic error', async () => {
    const { key } = await gw.newKey({ credit: '100' });
    upstream.answer((_req, res) => cuts[0]![1](JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hello there' }], usage: { input_tokens: 5, output_tokens: 3 } }), res));
    const res = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 502);
    const error = (await res.json()) as { type: string; error: { type: string } };
    assert.equal(error.type, 'error');
  });
});
