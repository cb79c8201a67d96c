import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const BRIDGED = ['anthropic/claude-sonnet-4-20250514', 'gemini/gemini-2.5-flash', 'deepseek/deepseek-chat'] as const;
const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'weather',
  description: 'Weather in a city',
  parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false },
  strict: true,
};

// What Codex CLI sends (its captured requests, trimmed): a freeform apply_patch with a Lark grammar, its own
// tool search, the hosted web search, and gpt-6-style tools in an `additional_tools` input item.
const applyPatch: OpenAI.Responses.CustomTool = {
  type: 'custom',
  name: 'apply_patch',
  description: 'The `apply_patch` tool can be used to edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.',
  format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\nend_patch: "*** End Patch" LF?\n%import common.LF\n' },
};
const codexTools: OpenAI.Responses.Tool[] = [
  { type: 'function', name: 'exec_command', description: 'Runs a command.', parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] }, strict: false },
  applyPatch,
  { type: 'tool_search', execution: 'client', description: 'Searches over deferred tools.', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
  { type: 'web_search' },
];
const codexExtra: OpenAI.Responses.ResponseInputItem = {
  type: 'additional_tools',
  role: 'developer',
  tools: [{ type: 'namespace', name: 'functions', description: 'Codex functions.', tools: [{ type: 'custom', name: 'exec', description: 'Run JavaScript.', format: { type: 'text' } }] }],
};
const PATCH = '*** Begin Patch\n*** Add File: hi.txt\n+hi\n*** End Patch\n';
type Sent = { tools: Array<{ name: string; input_schema: { properties: Record<string, { description?: string }> } }>; messages: Array<{ role: string; content: Array<Record<string, unknown>> }> };

describe('unified /v1/responses with the openai SDK', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
    await stack.gw.admin('PUT', '/admin/models/deepseek/deepseek-chat', { ops: ['chat'], prices: { input_per_mtok: '0.27', output_per_mtok: '1.10' } });
    await stack.gw.admin('PUT', '/admin/models/xai/grok-4', { ops: ['chat', 'responses'], prices: { input_per_mtok: '3.00', output_per_mtok: '15.00' } });
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: stack.key, maxRetries: 0 });
  });
  after(() => stack.close());

  test('openai/gpt-4o: OpenAI\'s own Responses API, model renamed upstream and echoed back', async () => {
    const res = await client.responses.create({ model: 'openai/gpt-4o', input: 'native responses please', instructions: 'Be brief.' });
    assert.equal(res.model, 'openai/gpt-4o');
    assert.match(res.output_text, /native responses please/);
    assert.equal(stack.openai.lastRequest()!.url, '/v1/responses');
    assert.equal(JSON.parse(stack.openai.lastRequest()!.body.toString()).model, 'gpt-4o');
    const grok = await client.responses.create({ model: 'xai/grok-4', input: 'xai hosts responses too' });
    assert.equal(grok.model, 'xai/grok-4');
    assert.equal(stack.openai.lastRequest()!.url, '/v1/responses');
    assert.equal(stack.openai.lastRequest()!.headers['authorization'], `Bearer ${UPSTREAM_KEYS.xai}`);
  });

  for (const model of BRIDGED) {
    describe(model, () => {
      test('text: a Response with output_text, status completed and usage', async () => {
        const res = await client.responses.create({ model, instructions: 'Be brief.', input: 'hello bridged responses' });
        assert.equal(res.object, 'response');
        assert.equal(res.model, model);
        assert.equal(res.status, 'completed');
        assert.match(res.id, /^resp_/);
        assert.match(res.output_text, /hello bridged responses/);
        assert.ok(res.usage!.input_tokens > 0 && res.usage!.output_tokens > 0);
        assert.equal(res.usage!.total_tokens, res.usage!.input_tokens + res.usage!.output_tokens);
      });

      test('stream: created, text deltas, completed with usage; the SDK assembles the final response', async () => {
        const stream = client.responses.stream({ model, input: 'stream the bridged words' });
        const types: string[] = [];
        let deltas = '';
        stream.on('event', (event) => types.push(event.type));
        stream.on('response.output_text.delta', (event) => (deltas += event.delta));
        const final = await stream.finalResponse();
        assert.equal(types[0], 'response.created');
        assert.equal(types.at(-1), 'response.completed');
        assert.ok(types.includes('response.output_text.delta'));
        assert.match(deltas, /stream the bridged words/);
        assert.equal(final.output_text, deltas);
        assert.equal(final.model, model);
        assert.ok(final.usage && final.usage.output_tokens > 0);
      });

      test('tools round trip: function_call out, function_call_output back in, in a stream and not', async () => {
        const first = await client.responses.create({ model, input: 'Oslo', tools: [weather] });
        const call = first.output.find((item) => item.type === 'function_call');
        assert.ok(call && call.type === 'function_call');
        assert.equal(call.name, 'weather');
        assert.deepEqual(JSON.parse(call.arguments), { input: 'Oslo' });
        const second = await client.responses.create({
          model,
          tools: [weather],
          input: [{ role: 'user', content: 'Oslo' }, call, { type: 'function_call_output', call_id: call.call_id, output: '4C and rain' }],
        });
        assert.equal(second.status, 'completed');
        assert.ok(second.output_text.length > 0);

        const streamed = await client.responses.stream({ model, input: 'Rome', tools: [weather] }).finalResponse();
        const streamedCall = streamed.output.find((item) => item.type === 'function_call');
        assert.ok(streamedCall && streamedCall.type === 'function_call');
        assert.deepEqual(JSON.parse(streamedCall.arguments), { input: 'Rome' });
      });
    });
  }

  test('Codex-shaped tools on Anthropic: custom apply_patch, additional_tools, client tool_search; the custom call and its output round-trip', async () => {
    const model = BRIDGED[0];
    const user: OpenAI.Responses.ResponseInputItem = { type: 'message', role: 'user', content: [{ type: 'input_text', text: PATCH }] };
    const first = await client.responses.create({ model, store: false, input: [codexExtra, user], tools: codexTools, tool_choice: { type: 'custom', name: 'apply_patch' } });
    assert.equal(first.status, 'completed');
    const sent = JSON.parse(stack.anthropic.lastRequest()!.body.toString()) as Sent;
    assert.deepEqual(sent.tools.map((t) => t.name), ['exec_command', 'apply_patch', 'tool_search', 'functions__exec']);
    assert.match(sent.tools[1]!.input_schema.properties['input']!.description!, /Lark grammar:\nstart: begin_patch/);
    assert.deepEqual((first as unknown as { warnings: Array<{ code: string; message: string }> }).warnings.map((w) => w.message.match(/"(\w+)"/)![1]), ['web_search']);
    const call = first.output.find((item) => item.type === 'custom_tool_call');
    assert.ok(call && call.type === 'custom_tool_call', JSON.stringify(first.output));
    assert.equal(call.name, 'apply_patch');
    assert.equal(call.input, PATCH);

    const output: OpenAI.Responses.ResponseInputItem = { type: 'custom_tool_call_output', call_id: call.call_id, output: 'Success. Updated the following files:\nA hi.txt' };
    const second = await client.responses.create({ model, store: false, input: [codexExtra, user, call, output], tools: codexTools });
    assert.equal(second.status, 'completed');
    const history = (JSON.parse(stack.anthropic.lastRequest()!.body.toString()) as Sent).messages;
    assert.deepEqual(history.at(-2)!.content.find((b) => b['type'] === 'tool_use'), { type: 'tool_use', id: call.call_id, name: 'apply_patch', input: { input: PATCH } });
    const result = history.at(-1)!.content[0]!;
    assert.equal(result['type'], 'tool_result');
    assert.equal(result['tool_use_id'], call.call_id);
    assert.match(JSON.stringify(result['content']), /Success\. Updated the following files/);
  });

  test('Codex-shaped stream: the custom call streams its input; the stored response continues with custom_tool_call_output', async () => {
    const model = BRIDGED[0];
    const stream = client.responses.stream({ model, input: [codexExtra, { role: 'user', content: PATCH }], tools: codexTools, tool_choice: { type: 'custom', name: 'apply_patch' } });
    let deltas = '';
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    stream.on('response.custom_tool_call_input.delta', (event) => (deltas += event.delta));
    const final = await stream.finalResponse();
    const call = final.output.find((item) => item.type === 'custom_tool_call');
    assert.ok(call && call.type === 'custom_tool_call', JSON.stringify(final.output));
    assert.equal(call.input, PATCH);
    assert.equal(deltas, PATCH);
    assert.ok(types.includes('response.custom_tool_call_input.done'));
    const next = await client.responses.create({ model, previous_response_id: final.id, input: [{ type: 'custom_tool_call_output', call_id: call.call_id, output: 'patched' }], tools: codexTools });
    assert.equal(next.status, 'completed');
    const last = (JSON.parse(stack.anthropic.lastRequest()!.body.toString()) as Sent).messages.at(-1)!;
    assert.equal(last.content[0]!['tool_use_id'], call.call_id);
  });

  test('a provider error mid-stream ends the Response stream with error and response.failed, never a fake completion', async () => {
    stack.anthropic.failNext({ errorEventAfterChunks: 3 });
    const stream = await client.responses.create({ model: BRIDGED[0], input: 'break this stream please', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    assert.deepEqual(types.slice(-2), ['error', 'response.failed']);
    assert.ok(!types.includes('response.completed'));
  });

  test('an unknown stored response or a required hosted tool is refused in OpenAI\'s shape, naming the parameter', async () => {
    await assert.rejects(client.responses.create({ model: BRIDGED[0], input: 'x', previous_response_id: 'resp_123' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 400);
      assert.equal((err.error as { param?: string }).param, 'previous_response_id');
      assert.match(err.message, /Previous response with id 'resp_123' not found/);
      return true;
    });
    await assert.rejects(client.responses.create({ model: BRIDGED[1], input: 'x', tools: [{ type: 'web_search' }], tool_choice: 'required' }), { status: 400 });
    const offered = await client.responses.create({ model: BRIDGED[1], input: 'x', tools: [{ type: 'web_search' }] });
    assert.deepEqual((offered as unknown as { warnings: Array<{ code: string }> }).warnings.map((w) => w.code), ['tool_dropped']);
    await assert.rejects(client.responses.create({ model: 'anthropic/claude-nope', input: 'x' }), { status: 404 });
  });

  test('bridged Responses are billed exactly like chat', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    const billed = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const res = await billed.responses.create({ model: 'anthropic/claude-sonnet-4-20250514', input: 'bill this response' });
    const u = res.usage!;
    await stack.gw.app.billing.idle();
    const rows = await stack.gw.app.store.db.kysely.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', userId).where('kind', '=', 'charge').execute();
    // Claude Sonnet 4: $3 input, $0.30 cache reads, $15 output per million tokens, at 100 RUB/USD.
    const cached = u.input_tokens_details.cached_tokens;
    assert.deepEqual(rows.map((r) => -r.amount_micro), [(u.input_tokens - cached) * 300 + cached * 30 + u.output_tokens * 1500]);
  });
});
