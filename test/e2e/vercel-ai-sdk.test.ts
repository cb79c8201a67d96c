import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startScriptedUpstream, type ScriptedRequest, type ScriptedUpstream } from '../helpers/scripted-upstream.js';

// #11: the Vercel AI SDK (`@ai-sdk/openai`, Responses API by default) runs a tool loop over /v1/responses
// on Anthropic and Gemini models. Its second step names the first step's text by `item_reference` (store
// is on by default), which the gateway resolves from its response store.

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const SIGNATURE = Buffer.from('gemini-thought-signature-1').toString('base64');
const PREFACE = 'Let me look that up.';
const FINAL = 'It is 4 degrees and raining in Oslo.';

type Obj = Record<string, any>;

function sse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  res.end();
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Anthropic: first a preface and a tool call, then (with the tool's result) the final text. */
function anthropic(req: ScriptedRequest, res: ServerResponse): void {
  const body = req.json() as Obj;
  const last = body.messages.at(-1) as Obj;
  const answered = Array.isArray(last.content) && last.content.some((b: Obj) => b.type === 'tool_result');
  const usage = { input_tokens: 40, output_tokens: answered ? 12 : 20 };
  const base = { id: `msg_${req.url.length}${Date.now()}`, type: 'message', role: 'assistant', model: body.model, stop_sequence: null };
  const blocks = answered ? [{ type: 'text', text: FINAL }] : [{ type: 'text', text: PREFACE }, { type: 'tool_use', id: 'toolu_oslo', name: 'weather', input: { city: 'Oslo' } }];
  const stop = answered ? 'end_turn' : 'tool_use';
  if (body.stream !== true) return json(res, { ...base, content: blocks, stop_reason: stop, usage });
  const events: Array<{ event: string; data: Obj }> = [];
  const ev = (type: string, data: Obj = {}) => events.push({ event: type, data: { type, ...data } });
  ev('message_start', { message: { ...base, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } });
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
      ev('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } });
    } else {
      ev('content_block_start', { index, content_block: { ...block, input: {} } });
      ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
    }
    ev('content_block_stop', { index });
  });
  ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  ev('message_stop');
  sse(res, events);
}

/** Gemini: the same two steps; the call carries a thought signature that must come back with it. */
function gemini(req: ScriptedRequest, res: ServerResponse): void {
  const body = req.json() as Obj;
  const last = body.contents.at(-1) as Obj;
  const answered = last.parts.some((p: Obj) => p.functionResponse);
  const parts = answered ? [{ text: FINAL }] : [{ text: PREFACE }, { functionCall: { name: 'weather', args: { city: 'Oslo' } }, thoughtSignature: SIGNATURE }];
  const record = {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 40, candidatesTokenCount: answered ? 12 : 20, totalTokenCount: answered ? 52 : 60 },
    modelVersion: 'gemini-2.5-flash',
    responseId: `gem${Date.now()}`,
  };
  if (req.url.includes(':streamGenerateContent')) return sse(res, [{ data: record }]);
  json(res, record);
}

const weather = tool({
  description: 'The weather in a city',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
  execute: async ({ city }) => ({ city, celsius: 4, sky: 'rain' }),
});

describe('Vercel AI SDK tool loop over /v1/responses', () => {
  let gw: TestGateway;
  let upstreams: { anthropic: ScriptedUpstream; gemini: ScriptedUpstream };
  let key: string;
  let userId: string;
  before(async () => {
    upstreams = { anthropic: await startScriptedUpstream(anthropic), gemini: await startScriptedUpstream(gemini) };
    gw = await startGateway({
      CATALOG_DIR: FIXTURES,
      ANTHROPIC_API_KEY: 'sk-ant-upstream',
      ANTHROPIC_BASE_URL: upstreams.anthropic.url,
      GEMINI_API_KEY: 'AIza-upstream',
      GEMINI_BASE_URL: upstreams.gemini.url,
    });
    ({ key, userId } = await gw.newKey({ credit: '100' }));
  });
  after(async () => {
    await gw.close();
    await Promise.all([upstreams.anthropic.close(), upstreams.gemini.close()]);
  });

  const charges = async () => {
    await gw.app.billing.idle();
    await gw.app.flush();
    return gw.app.store.db.kysely.selectFrom('ledger_entries').selectAll().where('user_id', '=', userId).where('kind', '=', 'charge').execute();
  };

  for (const [model, upstream] of [['anthropic/claude-sonnet-4-20250514', 'anthropic'], ['gemini/gemini-2.5-flash', 'gemini']] as const) {
    /** The second step's upstream request holds the first step's text and call (from the store) and the tool's result. */
    const assertSecondStep = (request: ScriptedRequest) => {
      const text = request.body.toString('utf8');
      assert.ok(text.includes(PREFACE), `the referenced preface reached ${upstream}: ${text}`);
      assert.ok(text.includes('rain'), 'the tool result reached the model');
      if (upstream === 'gemini') assert.ok(text.includes(SIGNATURE), 'the thought signature went back with its call');
    };

    for (const streaming of [false, true]) {
      test(`${model}: ${streaming ? 'streamText' : 'generateText'} calls the tool, gets the final text, and is billed`, async () => {
        const provider = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: key });
        const before = (await charges()).length;
        const sent = upstreams[upstream].requests.length;
        const options = { model: provider(model), tools: { weather }, stopWhen: stepCountIs(3), prompt: 'What is the weather in Oslo?' };
        let text: string;
        let calls: number;
        if (streaming) {
          const result = streamText({ ...options, onError: ({ error }) => assert.fail(String(error)) });
          text = await result.text;
          calls = (await result.steps).flatMap((s) => s.toolCalls).length;
        } else {
          const result = await generateText(options);
          text = result.text;
          calls = result.steps.flatMap((s) => s.toolCalls).length;
        }
        assert.equal(calls, 1, 'the tool was called once');
        assert.equal(text, FINAL);
        const requests = upstreams[upstream].requests.slice(sent);
        assert.equal(requests.length, 2, 'two steps reached the provider');
        assertSecondStep(requests[1]!);
        const billed = (await charges()).slice(before);
        assert.equal(billed.length, 2, 'both steps were charged');
        assert.ok(billed.every((c) => c.amount_micro < 0));
      });
    }
  }
});
