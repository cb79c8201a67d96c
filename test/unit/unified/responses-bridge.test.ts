import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeFixtureDir, fixtureFolders, type Folder } from '../../helpers/fixture-folders.js';
import OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response as SdkResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { GatewayError } from '../../../src/core/errors.js';
import { SseParser } from '../../../src/lib/sse.js';
import {
  RESPONSES_IGNORED_PARAMS,
  RESPONSES_REFUSED_PARAMS,
  responsesToChat,
} from '../../../src/dialects/openai/responses-request.js';
import { chatToResponse, type ResponseContext, type ResponseObject } from '../../../src/dialects/openai/responses-response.js';
import { ChatChunksAsResponseEvents } from '../../../src/dialects/openai/responses-stream.js';
import { planTools, toolOrigin } from '../../../src/dialects/openai/responses-tools.js';

const DIR = bridgeFixtureDir('responses');
const CREATED = 1767225600;
const RESPONSE_ID = 'resp_fixture';
/** The client's model name when a folder has no request.json. */
const DEFAULT_MODEL = 'anthropic/claude-sonnet-4-5';

type Obj = Record<string, unknown>;

const folders = () => fixtureFolders(DIR);

function contextOf(f: Folder): ResponseContext {
  const request = f.has('request.json') ? f.json<Obj>('request.json') : {};
  return { model: typeof request.model === 'string' ? request.model : DEFAULT_MODEL, createdAt: CREATED, id: RESPONSE_ID, request, store: false, ...planTools(request) };
}

interface WireEvent {
  name: string;
  data: Obj & { type: string; sequence_number: number };
}

function wireEvents(sse: string): WireEvent[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const match = /^event: (.+)\ndata: (.+)$/.exec(block);
      assert.ok(match, `every event has one event: line and one data: line: ${block.slice(0, 80)}`);
      return { name: match[1]!, data: JSON.parse(match[2]!) as WireEvent['data'] };
    });
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** The chat completion the chunks add up to, to check that a stream ends with what the non-stream answer says. */
function assembleChat(sse: string): Obj {
  let content = '';
  let reasoning = '';
  let refusal = '';
  let finish: unknown = null;
  let usage: unknown;
  const calls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
  const parser = new SseParser();
  for (const event of [...parser.push(sse), ...parser.end()]) {
    if (event.data === '[DONE]') continue;
    const chunk = JSON.parse(event.data) as Obj;
    if (chunk.usage) usage = chunk.usage;
    const choice = (chunk.choices as Obj[] | undefined)?.[0];
    if (!choice) continue;
    const delta = choice.delta as Obj;
    content += (delta.content as string | undefined) ?? '';
    reasoning += (delta.reasoning_content as string | undefined) ?? '';
    refusal += (delta.refusal as string | undefined) ?? '';
    for (const call of (delta.tool_calls as Obj[] | undefined) ?? []) {
      const index = call.index as number;
      const fn = (call.function ?? {}) as Obj;
      calls[index] ??= { id: call.id as string, type: 'function', function: { name: fn.name as string, arguments: '' } };
      calls[index].function.arguments += (fn.arguments as string | undefined) ?? '';
    }
    finish = choice.finish_reason ?? finish;
  }
  const message: Obj = { role: 'assistant', content: content || null, refusal: refusal || null };
  if (reasoning) message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  return { choices: [{ index: 0, message, finish_reason: finish }], usage };
}

const REQUIRED_CASES = [
  ...['input-string', 'ignored-params-dropped', 'items-instructions-developer-multipart', 'tool-round-trip-history', 'tool-calls-merge-preceding-message'],
  ...['tool-choice-function', 'tool-choice-required', 'tool-choice-allowed-tools', 'text-format-json-schema', 'text-format-json-object', 'reasoning-effort-and-sampling'],
  ...['refused-previous-response-id', 'refused-conversation', 'refused-background', 'refused-prompt', 'refused-item-reference'],
  ...['hosted-tool-dropped', 'refused-hosted-tool-required', 'namespace-tools', 'refused-input-image-file-id', 'refused-input-missing'],
  ...['answer-text', 'answer-text-echoes-request', 'answer-tool-calls-parallel', 'answer-length-incomplete', 'answer-reasoning-content', 'answer-usage-cached-reasoning'],
  ...['stream-text-usage', 'stream-parallel-tool-calls', 'stream-text-then-tool-call', 'stream-text-after-tool-call', 'stream-error-mid', 'stream-cut'],
  ...['custom-tools', 'custom-tool-history', 'additional-tools', 'tool-search-client', 'tool-search-output-history'],
];

// The fixture cases themselves run through the bridge in test/unit/dialect-ops.test.ts; here: which cases
// must exist, and what a Responses client relies on in the streams they end with.
describe('responses bridge fixtures', () => {
  const all = folders();

  it('has the required cases', () => {
    const names = new Set(all.map((f) => f.name));
    for (const name of REQUIRED_CASES) assert.ok(names.has(name), `fixture folder ${name} is missing`);
  });

  for (const f of all.filter((x) => x.has('stream.sse'))) it(`${f.name}: stream shape`, () => checkStreamShape(f, f.text('stream.sse')));
});

/** Framing, ordering and the final object: what any Responses client relies on. */
function checkStreamShape(f: Folder, sse: string): void {
  const events = wireEvents(sse);
  events.forEach((e, i) => {
    assert.equal(e.data.type, e.name, 'the event: name is the data type');
    assert.equal(e.data.sequence_number, i, 'sequence numbers count from 0');
  });
  assert.deepEqual(events.slice(0, 2).map((e) => e.name), ['response.created', 'response.in_progress']);
  const last = events[events.length - 1]!;
  assert.ok(TERMINAL.has(last.name), `the stream ends with a terminal event, not ${last.name}`);
  assert.equal(events.filter((e) => TERMINAL.has(e.name)).length, 1, 'one terminal event');
  const final = last.data.response as ResponseObject;
  if (last.name === 'response.failed') {
    assert.equal(events[events.length - 2]!.name, 'error', 'an error event comes right before response.failed');
    assert.ok(final.error && final.error.code !== '' && final.error.message !== '');
    return;
  }
  assert.equal(final.status, last.name === 'response.completed' ? 'completed' : 'incomplete');
  // The SDK's own accumulator, fed every event but the last, must arrive at the final output.
  let snapshot: SdkResponse | undefined;
  for (const e of events.slice(0, -1)) snapshot = accumulateResponse(e.data as unknown as ResponseStreamEvent, snapshot);
  assert.deepEqual(snapshot!.output, final.output, 'the deltas add up to the final output');
  // And a stream ends with the object the non-stream answer would have been, when the items come in that order.
  const types = final.output.map((item) => item.type);
  const canonical = ['reasoning', 'message', 'function_call'];
  const inOrder = types.every((t, i) => i === 0 || canonical.indexOf(types[i - 1]!) <= canonical.indexOf(t));
  if (inOrder && types.filter((t) => t === 'message').length <= 1) {
    assert.deepEqual(final, chatToResponse(assembleChat(f.text('chat-stream.sse')), contextOf(f)), 'stream and non-stream agree');
  }
}

describe('the openai SDK reads the bridged streams', () => {
  const client = (bytes: string) =>
    new OpenAI({
      apiKey: 'k',
      baseURL: 'http://fixture.invalid/v1',
      maxRetries: 0,
      fetch: async () => new Response(bytes, { headers: { 'content-type': 'text/event-stream' } }),
    });

  for (const f of folders().filter((x) => x.has('stream.sse'))) {
    it(f.name, async () => {
      const bytes = f.text('stream.sse');
      const terminal = wireEvents(bytes).at(-1)!;
      const expected = terminal.data.response as ResponseObject;
      const done = client(bytes).responses.stream({ model: 'm', input: 'x' }).finalResponse();
      if (expected.status === 'failed') {
        // The helper rejects with the `error` event, as it does for OpenAI's own failures.
        await assert.rejects(done, (err: unknown) => {
          assert.deepEqual({ code: (err as Obj).code, message: (err as Obj).message }, expected.error);
          return true;
        });
      } else {
        const final = await done;
        assert.equal(final.status, expected.status);
        assert.equal(final.id, RESPONSE_ID);
        assert.equal(final.output.length, expected.output.length);
        const text = expected.output.flatMap((item) => (item.type === 'message' ? item.content : [])).map((part) => (part.type === 'output_text' ? part.text : '')).join('');
        assert.equal(final.output_text, text);
        assert.deepEqual(final.usage ?? null, expected.usage);
      }

      const seen: string[] = [];
      for await (const event of await client(bytes).responses.create({ model: 'm', input: 'x', stream: true })) seen.push(event.type);
      assert.deepEqual(seen, wireEvents(bytes).map((e) => e.name), 'the raw event iterator yields every event');
    });
  }
});

const base = (extra: Obj = {}): Obj => ({ model: 'm', input: 'Hi', ...extra });

function assertBadRequest(body: Obj, param: string | undefined, message?: RegExp): void {
  assert.throws(
    () => responsesToChat(body),
    (err: unknown) => {
      assert.ok(err instanceof GatewayError, String(err));
      assert.equal(err.code, 'TG_ERR_BAD_REQUEST');
      assert.equal(err.status, 400);
      assert.equal(err.param, param);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

describe('responsesToChat', () => {
  it('classifies every Responses request parameter exactly once (mapped, ignored or refused)', () => {
    const mapped = ['model', 'input', 'instructions', 'max_output_tokens', 'temperature', 'top_p', 'parallel_tool_calls', 'tools', 'tool_choice', 'text', 'reasoning', 'stream', 'user', 'safety_identifier'];
    const all = [...mapped, ...RESPONSES_IGNORED_PARAMS, ...RESPONSES_REFUSED_PARAMS];
    assert.equal(new Set(all).size, all.length, 'no parameter is in two lists');
    // ResponseCreateParamsBase of openai-node 6.x, plus max_tool_calls from the API reference.
    const responses = ['background', 'context_management', 'conversation', 'include', 'input', 'instructions', 'max_output_tokens', 'max_tool_calls', 'metadata', 'model', 'moderation', 'parallel_tool_calls', 'previous_response_id', 'prompt', 'prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention', 'reasoning', 'safety_identifier', 'service_tier', 'store', 'stream', 'stream_options', 'temperature', 'text', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'truncation', 'user'];
    assert.deepEqual([...all].sort(), [...responses].sort());
  });

  it('refuses every refused parameter unless neutral', () => {
    const set: Record<(typeof RESPONSES_REFUSED_PARAMS)[number], unknown> = {
      previous_response_id: 'resp_1',
      conversation: { id: 'conv_1' },
      background: true,
      prompt: { id: 'pmpt_1' },
      moderation: { input: true },
    };
    for (const name of RESPONSES_REFUSED_PARAMS) {
      assertBadRequest(base({ [name]: set[name] }), name, new RegExp(name));
      for (const neutral of [null, false, '', {}]) assert.doesNotThrow(() => responsesToChat(base({ [name]: neutral })));
    }
  });

  it('refuses malformed or unsupported input', () => {
    assertBadRequest(base({ input: [] }), 'input');
    assertBadRequest(base({ input: 42 }), 'input');
    assertBadRequest(base({ model: undefined }), 'model');
    assertBadRequest(base({ input: ['Hi'] }), 'input[0]');
    assertBadRequest(base({ input: [{ role: 'tool', content: 'x' }] }), 'input[0].role');
    assertBadRequest(base({ input: [{ role: 'user', content: 7 }] }), 'input[0].content');
    assertBadRequest(base({ input: [{ role: 'user', content: [{ type: 'input_audio' }] }] }), 'input[0].content[0].type');
    assertBadRequest(base({ input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }), 'input[0].content[0].type');
    assertBadRequest(base({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] }), 'input[0].content[0].file_id');
    assertBadRequest(base({ input: [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://x/y.pdf' }] }] }), 'input[0].content[0].file_url');
    assertBadRequest(base({ input: [{ role: 'user', content: [{ type: 'input_image' }] }] }), 'input[0].content[0].image_url');
    assertBadRequest(base({ input: [{ type: 'web_search_call', id: 'ws_1' }] }), 'input[0].type', /web_search_call/);
    assertBadRequest(base({ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }), 'input[0].call_id');
    assertBadRequest(base({ input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: {} }] }), 'input[0].arguments');
    assertBadRequest(base({ input: [{ type: 'function_call_output', call_id: 'c', output: 3 }] }), 'input[0].output');
    assertBadRequest(base({ input: [{ type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', file_id: 'f' }] }] }), 'input[0].output[0].file_id');
  });

  it('drops hosted tools unless tool_choice requires one; refuses client tools it cannot carry', () => {
    for (const type of ['web_search', 'file_search', 'code_interpreter', 'image_generation', 'mcp', 'computer_use_preview']) {
      const plan = planTools(base({ tools: [{ type }, { type: 'function', name: 'f' }] }));
      assert.deepEqual(plan.tools?.map((t) => t.function.name), ['f'], type);
      assert.match(plan.warnings[0]!.message, new RegExp(`"${type}"`));
      assert.equal(plan.warnings[0]!.code, 'tool_dropped');
      assertBadRequest(base({ tools: [{ type }], tool_choice: { type } }), 'tool_choice.type', new RegExp(type));
      assert.equal(responsesToChat(base({ tools: [{ type }] })).tools, undefined, 'no tools left');
    }
    assertBadRequest(base({ tools: [{ type: 'web_search' }], tool_choice: 'required' }), 'tool_choice', /web_search/);
    assertBadRequest(base({ tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'image_generation' }] } }), 'tool_choice.tools', /image_generation/);
    for (const type of ['local_shell', 'shell', 'apply_patch']) assertBadRequest(base({ tools: [{ type }] }), 'tools[0].type', new RegExp(type));
    assertBadRequest(base({ tools: [{ type: 'custom' }] }), 'tools[0].name', /custom tool needs a `name`/);
  });

  it('flattens namespaced tools reversibly, and refuses names a chat model cannot take', () => {
    const tools = [{ type: 'namespace', name: 'crm', description: 'CRM.', tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }] }];
    const plan = planTools(base({ tools }));
    assert.deepEqual(plan.tools, [{ type: 'function', function: { name: 'crm__lookup', description: 'CRM.', parameters: { type: 'object' } } }]);
    assert.deepEqual(toolOrigin('crm__lookup', plan.names), { kind: 'function', name: 'lookup', namespace: 'crm' });
    assert.deepEqual(toolOrigin('other', plan.names), { kind: 'function', name: 'other' });
    const long = [{ type: 'namespace', name: 'n'.repeat(40), tools: [{ type: 'function', name: 'f'.repeat(30) }] }];
    assertBadRequest(base({ tools: long }), 'tools[0].tools[0].name', /at most 64/);
    assertBadRequest(base({ tools: [...tools, { type: 'function', name: 'crm__lookup' }] }), 'tools[1].name', /Two tools/);
    const call = { type: 'function_call', call_id: 'c1', namespace: 'crm', name: 'lookup', arguments: '{}' };
    const chat = responsesToChat(base({ tools, input: [call] }));
    assert.equal(chat.messages[0]!.tool_calls![0]!.function.name, 'crm__lookup');
  });

  it('refuses malformed tools and options', () => {
    assertBadRequest(base({ tools: [{ type: 'function' }] }), 'tools[0].name');
    assertBadRequest(base({ tools: [{ type: 'function', name: 'f', parameters: [] }] }), 'tools[0].parameters');
    assertBadRequest(base({ tool_choice: 'any' }), 'tool_choice');
    assertBadRequest(base({ tool_choice: { type: 'function' } }), 'tool_choice.name');
    assertBadRequest(base({ tool_choice: { type: 'mcp', server_label: 'x' } }), 'tool_choice.type', /mcp/);
    assertBadRequest(base({ tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'custom' }] } }), 'tool_choice.tools[0].name');
    assertBadRequest(base({ tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'local_shell' }] } }), 'tool_choice.tools[0].type');
    assertBadRequest(base({ tool_choice: { type: 'allowed_tools', mode: 'none', tools: [] } }), 'tool_choice.mode');
    assertBadRequest(base({ text: { format: { type: 'json_schema', name: 'x' } } }), 'text.format.schema');
    assertBadRequest(base({ text: { format: { type: 'yaml' } } }), 'text.format.type');
    assertBadRequest(base({ max_output_tokens: 0 }), 'max_output_tokens');
    assertBadRequest(base({ max_output_tokens: 2.5 }), 'max_output_tokens');
    assertBadRequest(base({ temperature: 'warm' }), 'temperature');
    assertBadRequest(base({ instructions: ['x'] }), 'instructions');
    assertBadRequest(base({ reasoning: { effort: 3 } }), 'reasoning.effort');
  });

  it('accepts nulls everywhere the SDKs send them, and a non-streaming stream flag', () => {
    const chat = responsesToChat(base({ instructions: null, tools: null, tool_choice: null, text: { format: null }, reasoning: { effort: null }, max_output_tokens: null, temperature: null, stream: false }));
    assert.deepEqual(chat, { model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('does not mutate the request', () => {
    const body = base({ input: [{ role: 'assistant', content: 'x' }, { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }] });
    const copy = structuredClone(body);
    responsesToChat(body);
    assert.deepEqual(body, copy);
  });
});

describe('ChatChunksAsResponseEvents', () => {
  const ctx: ResponseContext = { model: 'm', createdAt: 1, id: 'resp_x', request: {}, store: false, warnings: [], names: new Map() };
  const names = (sse: string) => wireEvents(sse).map((e) => e.name);

  it('a stream with no events at all fails rather than completing', () => {
    const s = new ChatChunksAsResponseEvents(ctx);
    assert.deepEqual(names(s.end()), ['response.created', 'response.in_progress', 'error', 'response.failed']);
    assert.equal(s.end(), '');
  });

  it('[DONE] without a finish is a cut stream', () => {
    const s = new ChatChunksAsResponseEvents(ctx);
    s.push({ data: '{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}' });
    assert.deepEqual(names(s.push({ data: '[DONE]' })), ['error', 'response.failed']);
  });

  it('ignores unparseable and unknown data, and sends nothing after a terminal event', () => {
    const s = new ChatChunksAsResponseEvents(ctx);
    assert.equal(s.push({ data: 'not json' }), '');
    assert.deepEqual(names(s.push({ data: '{"choices":[]}' })), ['response.created', 'response.in_progress']);
    s.push({ data: '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}' });
    assert.deepEqual(names(s.push({ data: '[DONE]' })), ['response.completed']);
    assert.equal(s.push({ data: '{"choices":[{"index":0,"delta":{"content":"late"},"finish_reason":null}]}' }), '');
    assert.equal(s.push({ data: '{"error":{"message":"late"}}' }), '');
    assert.equal(s.end(), '');
  });

  it('fills a tool call id the upstream left out', () => {
    const s = new ChatChunksAsResponseEvents(ctx);
    s.push({ data: '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}' });
    const completed = wireEvents(s.push({ data: '[DONE]' }))[0]!.data.response as ResponseObject;
    assert.deepEqual(completed.output[0], { type: 'function_call', id: 'fc_x_0', call_id: 'call_x_0', name: 'f', arguments: '{}', status: 'completed' });
  });
});
