import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startStack, type Stack } from '../helpers/stack.js';

// The response store of bridged /v1/responses calls (#11): previous_response_id, item_reference,
// GET / DELETE / input_items, per key; store: false; OpenAI's own Responses API is not stored twice.

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
/** `store` as the answer says it (the SDK's Response type leaves it out). */
const storeOf = (res: object) => (res as { store?: boolean }).store;
const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'weather',
  description: 'Weather in a city',
  parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false },
  strict: true,
};

describe('unified /v1/responses: the response store', () => {
  let stack: Stack;
  let client: OpenAI;
  let stranger: OpenAI;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES, RESPONSES_MAX_BYTES: '20000' });
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: stack.key, maxRetries: 0 });
    stranger = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: (await stack.gw.newKey()).key, maxRetries: 0 });
  });
  after(() => stack.close());

  const isStatus = (status: number, mentions?: RegExp) => (err: unknown) => {
    assert.ok(err instanceof OpenAI.APIError, String(err));
    assert.equal(err.status, status);
    if (mentions) assert.match(err.message, mentions);
    return true;
  };

  for (const model of ['anthropic/claude-sonnet-4-20250514', 'gemini/gemini-2.5-flash']) {
    describe(model, () => {
      test('previous_response_id continues a stored response; the upstream gets the whole conversation', async () => {
        const upstream = model.startsWith('anthropic') ? stack.anthropic : stack.gemini;
        const first = await client.responses.create({ model, input: 'Oslo', tools: [weather] });
        assert.equal(storeOf(first), true);
        const call = first.output.find((item) => item.type === 'function_call');
        assert.ok(call && call.type === 'function_call');
        const second = await client.responses.create({
          model,
          tools: [weather],
          previous_response_id: first.id,
          input: [{ type: 'function_call_output', call_id: call.call_id, output: '4C and rain' }],
        });
        assert.equal(second.previous_response_id, first.id);
        assert.equal(second.status, 'completed');
        const sent = upstream.lastRequest()!.body.toString();
        assert.ok(sent.includes('Oslo') && sent.includes('4C and rain'), sent);
        // The stored response and its input items, for this key only.
        const got = await client.responses.retrieve(second.id);
        assert.deepEqual(got.output, second.output);
        const items = await client.responses.inputItems.list(second.id, { order: 'asc' });
        assert.deepEqual(items.data.map((i) => i.type), ['message', 'function_call', 'function_call_output']);
        await assert.rejects(stranger.responses.retrieve(second.id), isStatus(404, /not found/));
        await assert.rejects(
          stranger.responses.create({ model, previous_response_id: second.id, input: 'and now?' }),
          isStatus(400, new RegExp(`Previous response with id '${second.id}' not found`)),
        );
        await assert.rejects(stranger.responses.delete(second.id), isStatus(404));
      });

      test('item_reference resolves this key\'s items, and only them', async () => {
        const first = await client.responses.create({ model, input: 'say something' });
        const message = first.output.find((item) => item.type === 'message')!;
        const next = await client.responses.create({
          model,
          input: [{ role: 'user', content: 'say something' }, { type: 'item_reference', id: message.id! }, { role: 'user', content: 'again' }],
        });
        assert.equal(next.status, 'completed');
        await assert.rejects(
          stranger.responses.create({ model, input: [{ type: 'item_reference', id: message.id! }, { role: 'user', content: 'x' }] }),
          isStatus(400, /Item with id .* not found/),
        );
      });

      test('a streamed response is stored too; DELETE removes it', async () => {
        const stream = client.responses.stream({ model, input: 'stream and store' });
        const final = await stream.finalResponse();
        const got = await client.responses.retrieve(final.id);
        assert.equal(got.id, final.id);
        assert.deepEqual(got.output.map((i) => i.id), final.output.map((i) => i.id));
        assert.equal(got.output_text, final.output_text);
        const deleted = await client.responses.delete(final.id);
        assert.deepEqual(deleted, { id: final.id, object: 'response.deleted', deleted: true });
        await assert.rejects(client.responses.retrieve(final.id), isStatus(404));
      });

      test('store: false keeps nothing; an answer over the size cap is not kept and says so', async () => {
        const unstored = await client.responses.create({ model, input: 'forget me', store: false });
        assert.equal(storeOf(unstored), false);
        await assert.rejects(client.responses.retrieve(unstored.id), isStatus(404));
        const big = await client.responses.create({ model, input: `${'long '.repeat(5000)}end` });
        assert.equal(storeOf(big), false);
        const warnings = (big as unknown as { warnings: Array<{ code: string }> }).warnings;
        assert.deepEqual(warnings.map((w) => w.code), ['not_stored']);
        await assert.rejects(client.responses.retrieve(big.id), isStatus(404));
      });
    });
  }

  test('Codex-shaped tools: a namespace flattened for the provider and restored in the answer; web_search dropped with a warning', async () => {
    const body = {
      model: 'anthropic/claude-sonnet-4-20250514',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Oslo' }] }],
      tools: [
        { type: 'namespace', name: 'crm', description: 'Customers.', tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { input: { type: 'string' } } } }] },
        { type: 'web_search' },
      ],
      tool_choice: 'auto',
      store: false,
    };
    const res = await fetch(`${stack.gw.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { output: Array<Record<string, unknown>>; warnings: Array<{ code: string; message: string }> };
    const sent = JSON.parse(stack.anthropic.lastRequest()!.body.toString()) as { tools: Array<{ name: string }> };
    assert.deepEqual(sent.tools.map((t) => t.name), ['crm__lookup']);
    const call = answer.output.find((item) => item['type'] === 'function_call')!;
    assert.equal(call['name'], 'lookup');
    assert.equal(call['namespace'], 'crm');
    assert.deepEqual(answer.warnings.map((w) => w.code), ['tool_dropped']);
    assert.match(answer.warnings[0]!.message, /web_search/);
    const required = await fetch(`${stack.gw.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, tool_choice: { type: 'web_search_preview' } }),
    });
    assert.equal(required.status, 400);
    assert.match(((await required.json()) as { error: { message: string } }).error.message, /web_search_preview/);
  });

  test('openai models: previous_response_id goes to OpenAI as it is, nothing stored here', async () => {
    await client.responses.create({ model: 'openai/gpt-4o', input: 'native', previous_response_id: 'resp_at_openai' }).catch(() => undefined);
    const sent = JSON.parse(stack.openai.lastRequest()!.body.toString());
    assert.equal(sent.previous_response_id, 'resp_at_openai');
    const rows = await stack.gw.app.store.db.kysely.selectFrom('responses').select('model').execute();
    assert.ok(rows.every((r) => !r.model.startsWith('openai/')), 'no OpenAI response in the store');
  });
});
