import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI, { toFile } from 'openai';
import { startStack, type Stack } from '../helpers/stack.js';
import { wav } from '../helpers/audio.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const RATE = 100; // RUB per USD (set by the test gateway): 1 micro-USD costs 100 micro-rubles
const INSUFFICIENT = 'Insufficient balance to run this request.';

/** micro-rubles for gpt-4o at $2.50 / $1.25 cached / $10 per 1M tokens. */
const gpt4oMicro = (input: number, cached: number, output: number) => Math.ceil(((input - cached) * 2.5 + cached * 1.25 + output * 10) * RATE);

describe('billing: estimate and 402 before forwarding, exact charge after', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
  });
  after(() => stack.close());

  const openai = (key: string) => new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
  const db = () => stack.gw.app.store.db.kysely;
  async function settled(): Promise<void> {
    await stack.gw.app.billing.idle();
    await stack.gw.app.flush();
  }
  async function money(userId: string) {
    await settled();
    const user = await db().selectFrom('users').select(['balance_micro', 'held_micro']).where('id', '=', userId).executeTakeFirstOrThrow();
    const ledger = await db().selectFrom('ledger_entries').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    const holds = await db().selectFrom('holds').selectAll().where('user_id', '=', userId).execute();
    // SQLite keeps holds in the gateway's memory; PostgreSQL in the table and columns.
    const local = stack.gw.app.store.billing.localHolds(userId, '').userMicro;
    return { ...user, held_micro: user.held_micro + local, ledger, charges: ledger.filter((row) => row.kind === 'charge'), holds };
  }
  async function lastRequest(keyId: string) {
    await settled();
    return db().selectFrom('requests').selectAll().where('key_id', '=', keyId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  }
  function assertConsistent(m: Awaited<ReturnType<typeof money>>) {
    assert.equal(m.held_micro, 0, 'no money left held');
    assert.equal(m.holds.length, 0, 'no hold left');
    assert.equal(m.ledger.reduce((sum, row) => sum + row.amount_micro, 0), m.balance_micro, 'Σ ledger = balance');
  }

  test('a chat is charged exactly its reported cost, in one ledger row tied to the request', async () => {
    const { key, keyId, userId } = await stack.gw.newKey({ credit: '100' });
    const res = await openai(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'price this answer exactly please' }] });
    const usage = res.usage!;
    const cost = gpt4oMicro(usage.prompt_tokens, usage.prompt_tokens_details?.cached_tokens ?? 0, usage.completion_tokens);
    const m = await money(userId);
    assert.equal(m.balance_micro, 100_000_000 - cost);
    assert.equal(m.charges.length, 1);
    assert.equal(m.charges[0]!.amount_micro, -cost);
    assert.equal(m.charges[0]!.usd_rub_rate, '100');
    assert.ok(m.charges[0]!.usd_nano! > 0);
    const row = await lastRequest(keyId);
    assert.equal(m.charges[0]!.request_id, row.id);
    assert.equal(row.cost_micro, cost);
    assertConsistent(m);
    const key_ = await db().selectFrom('api_keys').select(['budget_used_micro', 'monthly_used_micro']).where('id', '=', keyId).executeTakeFirstOrThrow();
    assert.equal(key_.budget_used_micro, cost);
    assert.equal(key_.monthly_used_micro, cost);
  });

  test('402 in the OpenAI shape when the balance cannot cover the estimate; nothing is forwarded', async () => {
    // No max_tokens: the hold assumes gpt-4o's 16,384 output tokens = $0.16384 = 16.384 RUB.
    const { key, userId } = await stack.gw.newKey({ credit: '10' });
    const before = stack.openai.requests.length;
    await assert.rejects(
      openai(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 402);
        assert.equal(err.message.includes(INSUFFICIENT), true, err.message);
        assert.equal((err.error as { code?: string }).code, 'insufficient_balance');
        return true;
      },
    );
    assert.equal(stack.openai.requests.length, before, 'nothing reached the provider');
    // A smaller output cap makes the same request affordable.
    const ok = await openai(key).chat.completions.create({ model: 'gpt-4o', max_completion_tokens: 100, messages: [{ role: 'user', content: 'hello' }] });
    assert.ok(ok.choices[0]!.message.content);
    assertConsistent(await money(userId));
  });

  test('402 in the Anthropic and Gemini shapes', async () => {
    const { key } = await stack.gw.newKey({ credit: '0.01' });
    const anthropic = new Anthropic({ baseURL: `${stack.gw.url}/anthropic`, apiKey: key, maxRetries: 0 });
    await assert.rejects(
      anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 4000, messages: [{ role: 'user', content: 'hi' }] }),
      (err: unknown) => {
        assert.ok(err instanceof Anthropic.APIError);
        assert.equal(err.status, 402);
        assert.deepEqual(err.error, { type: 'error', error: { type: 'billing_error', message: INSUFFICIENT } });
        return true;
      },
    );
    const gemini = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: `${stack.gw.url}/google` } });
    await assert.rejects(
      gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }),
      (err: unknown) => {
        assert.match(String((err as Error).message), /Insufficient balance to run this request/);
        assert.equal((err as { status?: number }).status, 402);
        return true;
      },
    );
  });

  test('an upstream error charges nothing and releases the hold', async () => {
    const { key, userId, keyId } = await stack.gw.newKey({ credit: '100' });
    stack.openai.failNext({ status: 500 });
    await assert.rejects(openai(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'fail' }] }), { status: 500 });
    const m = await money(userId);
    assert.equal(m.balance_micro, 100_000_000);
    assert.equal(m.charges.length, 0);
    assertConsistent(m);
    assert.equal((await lastRequest(keyId)).status, 500);
  });

  test('a stream cut by the provider is charged for what was delivered, never the whole hold', async () => {
    const { key, userId, keyId } = await stack.gw.newKey({ credit: '100' });
    stack.openai.failNext({ dropAfterChunks: 3 });
    const stream = await openai(key).chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten eleven twelve' }],
    });
    let text = '';
    await assert.rejects(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    });
    assert.ok(text.length > 0, 'some text was delivered');
    const row = await lastRequest(keyId);
    assert.equal(row.usage_source, 'counted');
    assert.ok((row.output_tokens ?? 0) > 0);
    const m = await money(userId);
    assert.equal(m.charges.length, 1);
    const charged = -m.charges[0]!.amount_micro;
    assert.ok(charged > 0 && charged < 1_000_000, `charged ${charged} micro-RUB for a few words, far below the 16 RUB hold`);
    assertConsistent(m);
  });

  test('a mid-stream provider error is charged for what was delivered', async () => {
    const { key, userId, keyId } = await stack.gw.newKey({ credit: '100' });
    stack.openai.failNext({ errorEventAfterChunks: 2 });
    const stream = await openai(key).chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'alpha beta gamma delta epsilon zeta eta theta' }],
    });
    await assert.rejects(async () => {
      for await (const _ of stream);
    });
    const row = await lastRequest(keyId);
    assert.ok(row.usage_source === 'counted' || row.usage_source === 'partial', String(row.usage_source));
    const m = await money(userId);
    assert.ok(m.charges.length <= 1);
    assert.ok(m.balance_micro > 100_000_000 - 1_000_000);
    assertConsistent(m);
  });

  test('a client that hangs up mid-stream pays for what it received, and its hold is released', async () => {
    const { key, userId, keyId } = await stack.gw.newKey({ credit: '100' });
    stack.openai.failNext({ chunkDelayMs: 200 });
    const controller = new AbortController();
    const stream = await openai(key).chat.completions.create(
      { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'slow words come one by one here' }] },
      { signal: controller.signal },
    );
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) controller.abort();
      }
    } catch {
      // the SDK may end the iteration or raise an abort error: either way the connection is gone
    }
    await waitFor(async () => stack.gw.app.store.billing.localHolds(userId, '').userMicro === 0);
    const row = await lastRequest(keyId);
    assert.equal(row.status, 499);
    const m = await money(userId);
    assert.ok(m.balance_micro < 100_000_000 && m.balance_micro > 99_000_000, `charged a little: ${m.balance_micro}`);
    assertConsistent(m);
  });

  test('a key limited to some models gets 403 for others; an unknown model is 404; nothing forwarded', async () => {
    const { key } = await stack.gw.newKey({ credit: '100', key: { models: ['claude-*', 'openai/dall-e*'] } });
    const before = stack.openai.requests.length;
    await assert.rejects(openai(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 403);
      assert.match(err.message, /not allowed to use the model gpt-4o/);
      return true;
    });
    const open = await stack.gw.newKey({ credit: '100' });
    await assert.rejects(openai(open.key).chat.completions.create({ model: 'gpt-unknown-9', messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 404);
      assert.equal((err.error as { code?: string }).code, 'model_not_found');
      return true;
    });
    assert.equal(stack.openai.requests.length, before);
  });

  test('per-key budget and monthly limit refuse with 402 once the estimate exceeds what is left, saying it is the key', async () => {
    const keyLimit = (limit: RegExp) => (err: unknown) => {
      const e = err as { status?: number; message?: string };
      assert.equal(e.status, 402);
      assert.match(String(e.message), limit, 'the key\'s limit that refused, not the balance, is named');
      assert.doesNotMatch(String(e.message), /Insufficient balance/);
      return true;
    };
    const budget = await stack.gw.newKey({ credit: '1000', key: { budget_limit: '1' } });
    await assert.rejects(openai(budget.key).chat.completions.create({ model: 'gpt-4o', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] }), keyLimit(/API key's budget is spent/));
    await openai(budget.key).chat.completions.create({ model: 'gpt-4o', max_tokens: 500, messages: [{ role: 'user', content: 'hi' }] });
    const monthly = await stack.gw.newKey({ credit: '1000', key: { monthly_limit: '1' } });
    await assert.rejects(openai(monthly.key).chat.completions.create({ model: 'gpt-4o', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] }), keyLimit(/API key's monthly limit is reached/));
    await openai(monthly.key).chat.completions.create({ model: 'gpt-4o', max_tokens: 500, messages: [{ role: 'user', content: 'hi' }] });
    await settled();
    const rows = await db().selectFrom('api_keys').select(['budget_used_micro', 'monthly_used_micro']).where('id', 'in', [budget.keyId, monthly.keyId]).execute();
    for (const row of rows) assert.ok(row.budget_used_micro > 0 && row.budget_used_micro < 1_000_000);
  });

  test('speech is charged by characters and DALL·E by image, from the request', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    const input = 'Привет, мир!';
    await (await openai(key).audio.speech.create({ model: 'tts-1', voice: 'alloy', input })).arrayBuffer();
    await openai(key).images.generate({ model: 'dall-e-3', prompt: 'a cat', size: '1024x1024', quality: 'hd' });
    const m = await money(userId);
    const charged = m.charges.map((row) => -row.amount_micro).sort((a, b) => a - b);
    assert.deepEqual(charged, [Math.ceil([...input].length * 15 * RATE), 0.08 * 1_000_000 * RATE].sort((a, b) => a - b));
    assertConsistent(m);
  });

  test('transcriptions: billed by the duration the answer states, else by the uploaded file\'s header', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    const audio = wav(3); // 48,044 bytes: the mock answers duration ceil(bytes / 1000) = 49 s
    const json = await openai(key).audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'a.wav') });
    assert.match(json.text, /Transcript/);
    let m = await money(userId);
    // $0.006 a minute = $0.0001 a second; ×100 RUB/USD = 10,000 micro-RUB a second.
    assert.deepEqual(m.charges.map((row) => -row.amount_micro), [49 * 10_000]);
    const text = await openai(key).audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'a.wav'), response_format: 'text' });
    assert.match(String(text), /Transcript/);
    m = await money(userId);
    assert.deepEqual(m.charges.map((row) => -row.amount_micro).sort((a, b) => a - b), [3 * 10_000, 49 * 10_000]);
    assertConsistent(m);
  });

  test('an answer that reports no usage is billed for its text and the estimated input, never the whole hold', async () => {
    const http = await import('node:http');
    const bare = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'x', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'five words of answer here' }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const { startGateway } = await import('../helpers/gateway.js');
    const port = (bare.address() as { port: number }).port;
    const gw = await startGateway({ CATALOG_DIR: FIXTURES, OPENAI_API_KEY: 'sk-nousage', OPENAI_BASE_URL: `http://127.0.0.1:${port}` });
    try {
      const client = await gw.newKey({ credit: '100' });
      const res = await new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: client.key, maxRetries: 0 }).chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hello' }],
      });
      assert.equal(res.usage, undefined);
      await gw.app.billing.idle();
      await gw.app.flush();
      const row = await gw.app.store.db.kysely.selectFrom('requests').selectAll().where('key_id', '=', client.keyId).executeTakeFirstOrThrow();
      assert.equal(row.usage_source, 'counted');
      assert.ok((row.output_tokens ?? 0) >= 5);
      const charge = await gw.app.store.db.kysely.selectFrom('ledger_entries').selectAll().where('request_id', '=', row.id).executeTakeFirstOrThrow();
      assert.ok(-charge.amount_micro > 0 && -charge.amount_micro < 100_000, `a small charge, not the ~16 RUB hold: ${charge.amount_micro}`);
    } finally {
      await gw.close();
      await new Promise((resolve) => bare.close(resolve));
    }
  });

  test('an admin debit cannot take money held for a call in flight', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '20' });
    stack.openai.failNext({ chunkDelayMs: 150 });
    const stream = await openai(key).chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hold on a moment' }] });
    // ~16.4 RUB is held for the stream: 20 − 16.4 can be debited, 10 cannot.
    const refused = await stack.gw.admin('POST', `/admin/users/${userId}/credit`, { amount: '-10' });
    assert.equal(refused.status, 400);
    const allowed = await stack.gw.admin('POST', `/admin/users/${userId}/credit`, { amount: '-3' });
    assert.equal(allowed.status, 200);
    for await (const _ of stream);
    const m = await money(userId);
    assert.equal(m.charges.length, 1);
    assert.equal(m.charges[0]!.note, null, 'the charge was not capped');
    assertConsistent(m);
  });

  test('calls that start work billed later (batches) are refused in each surface\'s shape; nothing forwarded', async () => {
    const { key } = await stack.gw.newKey({ credit: '100' });
    const forwarded = stack.openai.requests.length + stack.anthropic.requests.length;
    const openaiBatch = await fetch(`${stack.gw.url}/openai/v1/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h' }),
    });
    assert.equal(openaiBatch.status, 403);
    assert.equal((await openaiBatch.json()).error.type, 'permission_error');
    const anthropicBatch = await fetch(`${stack.gw.url}/anthropic/v1/messages/batches`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [] }),
    });
    assert.equal(anthropicBatch.status, 403);
    assert.equal((await anthropicBatch.json()).error.type, 'permission_error');
    assert.equal(stack.openai.requests.length + stack.anthropic.requests.length, forwarded);
  });

  test('Gemini: the model in the path is the one checked and held, whatever the body says', async () => {
    const { key } = await stack.gw.newKey({ credit: '100', key: { models: ['gemini-2.5-flash'] } });
    const res = await fetch(`${stack.gw.url}/google/v1beta/models/gemini-2.5-pro:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gemini-2.5-flash', contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.status, 'PERMISSION_DENIED');
  });

  test('a disabled model is 404 even when unpriced models are allowed', async () => {
    const { key } = await stack.gw.newKey({ credit: '100' });
    await stack.gw.admin('PUT', '/admin/models/openai/dall-e-3', { enabled: false });
    await stack.gw.admin('PUT', '/admin/settings', { allow_unpriced_models: true });
    try {
      await assert.rejects(openai(key).images.generate({ model: 'dall-e-3', prompt: 'a cat' }), { status: 404 });
    } finally {
      await stack.gw.admin('PUT', '/admin/settings', { allow_unpriced_models: false });
      await stack.gw.admin('PUT', '/admin/models/openai/dall-e-3', { enabled: true });
    }
  });

  test('an unpriced model is refused unless the admin allows unpriced models; then it is served free', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    await assert.rejects(openai(key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), { status: 404 });
    await stack.gw.admin('PUT', '/admin/settings', { allow_unpriced_models: true });
    try {
      const res = await openai(key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      assert.ok(res.choices.length > 0);
      const m = await money(userId);
      assert.equal(m.charges.length, 0);
      assertConsistent(m);
    } finally {
      await stack.gw.admin('PUT', '/admin/settings', { allow_unpriced_models: false });
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
