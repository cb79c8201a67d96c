import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureFolders, opFixtureDir } from '../../helpers/fixture-folders.js';
import type { ChatMessage, ChatRequest } from '../../../src/core/chat-types.js';
import { GatewayError } from '../../../src/core/errors.js';
import {
  chatToGemini,
  fillRemoteImage,
  GEMINI_IGNORED_PARAMS,
  GEMINI_REFUSED_PARAMS,
  type ChatToGeminiOptions,
} from '../../../src/dialects/gemini/chat-request.js';
import { geminiErrorToOpenAI, geminiToChat, type GeminiChatToolCall } from '../../../src/dialects/gemini/chat-response.js';
import { GeminiChatStream } from '../../../src/dialects/gemini/chat-stream.js';
import { embeddingsToGemini, geminiEmbeddingsToOpenAI } from '../../../src/dialects/gemini/embeddings.js';

const DIR = opFixtureDir('gemini', 'chat');
const DEFAULTS = { model: 'gemini-2.5-flash', created: 1767225600, id: 'chatcmpl-test' };

function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function expectBadRequest(fn: () => unknown, param: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.code, 'TG_ERR_BAD_REQUEST');
    assert.equal(err.status, 400);
    assert.equal(err.param, param);
    return true;
  });
}

const user = (content: ChatMessage['content']): ChatMessage => ({ role: 'user', content });
const req = (extra: Partial<ChatRequest> & Record<string, unknown>): ChatRequest => ({ model: 'gemini-2.5-flash', messages: [user('Hi')], ...extra });

// The fixture cases themselves run through the codec in test/unit/dialect-ops.test.ts; here: which cases
// must exist, and what the translator does beyond them.
describe('gemini chat fixtures', () => {
  it('has the required cases', () => {
    const cases = fixtureFolders(DIR).map((f) => f.name);
    for (const name of ['text-basic', 'system-multi-turn', 'tools-round-trip', 'tools-parallel-calls', 'vision-remote-url',
      'stream-text-usage', 'stream-function-call', 'stream-error', 'stream-cut', 'prompt-blocked', 'usage-cached-thoughts']) {
      assert.ok(cases.includes(name), `missing fixture ${name}`);
    }
  });
});

describe('gemini adapter: output cap', () => {
  it('defaultMaxTokens caps a request that names no maximum (the codec passes none: Gemini needs no cap)', () => {
    const config = (extra: Partial<ChatRequest>, options?: ChatToGeminiOptions) => chatToGemini(req(extra), options).body.generationConfig as Record<string, unknown> | undefined;
    assert.equal(config({}, { defaultMaxTokens: 8192 })?.maxOutputTokens, 8192);
    assert.equal(config({ max_tokens: 100 }, { defaultMaxTokens: 8192 })?.maxOutputTokens, 100);
    assert.equal(config({ max_completion_tokens: 50, max_tokens: 100 }, { defaultMaxTokens: 8192 })?.maxOutputTokens, 50);
    assert.equal(config({})?.maxOutputTokens, undefined);
  });
});

describe('gemini adapter: tool ids and thought signatures round trip', () => {
  it('a response with calls, sent back as history, restores the signature and ids on the same parts', () => {
    const upstream = readJson(join(DIR, 'tools-parallel-calls', 'upstream-response.json'));
    const completion = geminiToChat(upstream, { model: 'gemini-3-flash-preview', created: 1, id: 'chatcmpl-round-trip' });
    const message = completion.choices[0]!.message;
    const calls = message.tool_calls as GeminiChatToolCall[];
    assert.equal(calls.length, 2);
    for (const c of calls) assert.match(c.id, /^call_[A-Za-z0-9]{24}$/);
    assert.notEqual(calls[0]!.id, calls[1]!.id);
    // deterministic
    assert.deepEqual(geminiToChat(upstream, { model: 'x', created: 1, id: 'chatcmpl-round-trip' }).choices, completion.choices);
    assert.notEqual(geminiToChat(upstream, { model: 'x', created: 1, id: 'chatcmpl-other' }).choices[0]!.message.tool_calls![0]!.id, calls[0]!.id);

    const history: ChatRequest = {
      model: 'gemini-3-flash-preview',
      messages: [
        user('Weather in Oslo and Rome?'),
        JSON.parse(JSON.stringify(message)) as ChatMessage, // as a client would send it back
        { role: 'tool', tool_call_id: calls[1]!.id, content: 'sun' },
        { role: 'tool', tool_call_id: calls[0]!.id, content: 'rain' },
      ],
    };
    const body = chatToGemini(history).body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> };
    const upstreamParts = (upstream as { candidates: Array<{ content: { parts: unknown[] } }> }).candidates[0]!.content.parts;
    assert.deepEqual(body.contents[1], { role: 'model', parts: upstreamParts });
    assert.deepEqual(body.contents[2]!.parts.map((p) => (p.functionResponse as { name: string }).name), ['weather', 'weather']);
  });

  it('Gemini-chosen ids travel as call_g_<id> and come back on functionCall and functionResponse', () => {
    const completion = geminiToChat(readJson(join(DIR, 'tools-gemini-ids', 'upstream-response.json')), DEFAULTS);
    const calls = completion.choices[0]!.message.tool_calls!;
    assert.equal(calls[0]!.id, 'call_g_c7Kq2x');
    assert.ok(calls[1]!.id.length <= 40 && /^call_[A-Za-z0-9]{24}$/.test(calls[1]!.id), 'an unusable Gemini id is replaced');
    const body = chatToGemini({
      model: 'gemini-3-pro-preview',
      messages: [user('time?'), completion.choices[0]!.message as ChatMessage, { role: 'tool', tool_call_id: 'call_g_c7Kq2x', content: '{"t":1}' },
        { role: 'tool', tool_call_id: calls[1]!.id, content: 'x' }],
    }).body as { contents: Array<{ parts: Array<Record<string, Record<string, unknown>>> }> };
    assert.equal(body.contents[1]!.parts[0]!.functionCall!.id, 'c7Kq2x');
    assert.equal(body.contents[1]!.parts[1]!.functionCall!.id, undefined);
    assert.equal(body.contents[2]!.parts[0]!.functionResponse!.id, 'c7Kq2x');
    assert.equal(body.contents[2]!.parts[1]!.functionResponse!.id, undefined);
  });

  it('takes a signature from the caller lookup, and sends no dummy when told not to', () => {
    const messages: ChatMessage[] = [user('q'), { role: 'assistant', content: null, tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'f', arguments: '{}' } }] }];
    const part = (o: ChatToGeminiOptions) =>
      (chatToGemini({ model: 'gemini-3-pro-preview', messages }, o).body as { contents: Array<{ parts: Array<Record<string, unknown>> }> }).contents[1]!.parts[0]!;
    assert.equal(part({}).thoughtSignature, 'skip_thought_signature_validator');
    assert.equal(part({ thoughtSignatures: (id) => (id === 'call_x' ? 'c2ln' : undefined) }).thoughtSignature, 'c2ln');
    assert.equal(part({ dummyThoughtSignature: false }).thoughtSignature, undefined);
  });
});

describe('gemini adapter: remote images', () => {
  it('images by URL become placeholders, with the MIME type their address suggests', () => {
    const out = chatToGemini(readJson<ChatRequest>(join(DIR, 'vision-remote-url', 'request.json')));
    assert.deepEqual(out.remoteImages, [
      { url: 'https://example.com/a/oslo.PNG?v=2', path: ['contents', 0, 'parts', 1], mimeType: 'image/png' },
      { url: 'https://cdn.example.org/photo', path: ['contents', 0, 'parts', 3], mimeType: 'image/jpeg' },
    ]);
  });

  it('the caller fills a placeholder with the fetched bytes', () => {
    const out = chatToGemini(readJson<ChatRequest>(join(DIR, 'vision-remote-url', 'request.json')));
    for (const image of out.remoteImages) fillRemoteImage(out.body, image, { mimeType: 'image/webp', data: 'UklGRg==' });
    const parts = (out.body as { contents: Array<{ parts: unknown[] }> }).contents[0]!.parts;
    assert.deepEqual(parts[1], { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } });
    assert.deepEqual(parts[3], { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } });
    assert.throws(() => fillRemoteImage(out.body, out.remoteImages[0]!, { mimeType: 'image/png', data: 'x' }), /no placeholder/);
  });
});

describe('gemini adapter: 400s', () => {
  const asst = (args: string, id = 'call_1'): ChatMessage => ({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: args } }] });

  it('invalid or non-object tool-call arguments', () => {
    expectBadRequest(() => chatToGemini(req({ messages: [user('q'), asst('{"a":')] })), 'messages[1].tool_calls[0].function.arguments');
    expectBadRequest(() => chatToGemini(req({ messages: [user('q'), asst('[1]')] })), 'messages[1].tool_calls[0].function.arguments');
  });

  it('a tool message answering an unknown id', () => {
    expectBadRequest(() => chatToGemini(req({ messages: [user('q'), asst('{}'), { role: 'tool', tool_call_id: 'call_nope', content: 'x' }] })), 'messages[2].tool_call_id');
    expectBadRequest(() => chatToGemini(req({ messages: [user('q'), { role: 'tool', tool_call_id: 'call_1', content: 'x' }] })), 'messages[1].tool_call_id');
  });

  it('every refused parameter, when set; unset-looking values pass', () => {
    const values: Record<string, unknown> = {
      logit_bias: { '50256': -100 }, modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' },
      web_search_options: { search_context_size: 'low' }, functions: [{ name: 'f' }], function_call: 'auto',
      moderation: true,
    };
    assert.deepEqual(Object.keys(values).sort(), Object.keys(GEMINI_REFUSED_PARAMS).sort());
    for (const [param, value] of Object.entries(values)) expectBadRequest(() => chatToGemini(req({ [param]: value })), param);
    chatToGemini(req({ logit_bias: null, functions: [], audio: null, web_search_options: null, modalities: ['text'] }));
    // An empty object asks for web search with default settings.
    expectBadRequest(() => chatToGemini(req({ web_search_options: {} })), 'web_search_options');
  });

  it('ignored parameters never reach the body', () => {
    const extra = Object.fromEntries(Object.keys(GEMINI_IGNORED_PARAMS).map((k) => [k, k === 'parallel_tool_calls' || k === 'store' ? true : 'x']));
    assert.deepEqual(chatToGemini(req(extra)).body, chatToGemini(req({})).body);
  });

  it('bad content parts and roles', () => {
    const img = (url: string) => user([{ type: 'image_url', image_url: { url } }]);
    expectBadRequest(() => chatToGemini(req({ messages: [img('ftp://x/y.png')] })), 'messages[0].content[0].image_url.url');
    expectBadRequest(() => chatToGemini(req({ messages: [img('data:image/png,notbase64')] })), 'messages[0].content[0].image_url.url');
    expectBadRequest(() => chatToGemini(req({ messages: [img('data:;base64,AAAA')] })), 'messages[0].content[0].image_url.url');
    expectBadRequest(() => chatToGemini(req({ messages: [user([{ type: 'file', file: { file_id: 'file-1' } }])] })), 'messages[0].content[0].file.file_id');
    expectBadRequest(() => chatToGemini(req({ messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }, user('q')] })), 'messages[0].content[0]');
    expectBadRequest(() => chatToGemini(req({ messages: [{ role: 'function', name: 'f', content: 'x' }] })), 'messages[0].role');
    expectBadRequest(() => chatToGemini(req({ messages: [{ role: 'system', content: 'only a system prompt' }] })), 'messages');
    expectBadRequest(() => chatToGemini(req({ messages: [] })), 'messages');
  });

  it('tools and tool_choice', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    expectBadRequest(() => chatToGemini(req({ tools: [{ type: 'custom', custom: { name: 'x' } }] as never })), 'tools[0].type');
    expectBadRequest(() => chatToGemini(req({ tool_choice: 'required' })), 'tool_choice');
    expectBadRequest(() => chatToGemini(req({ tools, tool_choice: { type: 'function', function: { name: 'g' } } })), 'tool_choice.function.name');
    expectBadRequest(() => chatToGemini(req({ tools, tool_choice: 'sometimes' as never })), 'tool_choice');
    // without tools, auto/none are no-ops
    assert.equal(chatToGemini(req({ tool_choice: 'none' })).body.toolConfig, undefined);
    // a recursive schema cannot be inlined for a legacy model
    const recursive = { type: 'object', properties: { child: { $ref: '#/$defs/node' } }, $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } } };
    expectBadRequest(() => chatToGemini(req({ model: 'gemini-2.0-flash', tools: [{ type: 'function', function: { name: 'f', parameters: recursive } }] })), 'tools[0].function.parameters');
    // …and passes as JSON Schema to newer ones
    chatToGemini(req({ tools: [{ type: 'function', function: { name: 'f', parameters: recursive } }] }));
  });

  it('sampling values out of range, stop lists, effort names', () => {
    expectBadRequest(() => chatToGemini(req({ temperature: 3 })), 'temperature');
    expectBadRequest(() => chatToGemini(req({ n: 1.5 })), 'n');
    expectBadRequest(() => chatToGemini(req({ max_tokens: 0 })), 'max_tokens');
    expectBadRequest(() => chatToGemini(req({ top_p: '0.5' as never })), 'top_p');
    expectBadRequest(() => chatToGemini(req({ stop: ['a', 'b', 'c', 'd', 'e', 'f'] })), 'stop');
    expectBadRequest(() => chatToGemini(req({ stop: [1] as never })), 'stop');
    expectBadRequest(() => chatToGemini(req({ top_logprobs: 2 })), 'top_logprobs');
    expectBadRequest(() => chatToGemini(req({ reasoning_effort: 'extreme' })), 'reasoning_effort');
    expectBadRequest(() => chatToGemini(req({ response_format: { type: 'yaml' } as never })), 'response_format.type');
  });
});

describe('gemini adapter: errors', () => {
  const body = (code: number, status: string, message: string, details?: unknown[]) => ({ error: { code, message, status, ...(details ? { details } : {}) } });

  it('maps statuses per docs/reference/translation.md §16', () => {
    const keyInvalid = body(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
    ]);
    const cases: Array<[number, unknown, number, string, string | null]> = [
      [400, keyInvalid, 401, 'invalid_request_error', 'invalid_api_key'],
      [400, body(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'), 400, 'invalid_request_error', 'INVALID_ARGUMENT'],
      [400, body(400, 'FAILED_PRECONDITION', 'User location is not supported.'), 400, 'invalid_request_error', 'FAILED_PRECONDITION'],
      [402, body(402, 'RESOURCE_EXHAUSTED', 'Your prepayment credits are depleted.'), 429, 'insufficient_quota', 'insufficient_quota'],
      [403, body(403, 'PERMISSION_DENIED', 'The caller does not have permission'), 403, 'permission_error', 'PERMISSION_DENIED'],
      [404, body(404, 'NOT_FOUND', 'models/x is not found'), 404, 'invalid_request_error', 'NOT_FOUND'],
      [429, body(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted.'), 429, 'rate_limit_error', 'RESOURCE_EXHAUSTED'],
      [500, body(500, 'INTERNAL', 'An internal error has occurred.'), 500, 'server_error', 'INTERNAL'],
      [503, body(503, 'UNAVAILABLE', 'The model is overloaded.'), 503, 'server_error', 'UNAVAILABLE'],
      [504, body(504, 'DEADLINE_EXCEEDED', 'Deadline expired.'), 504, 'server_error', 'DEADLINE_EXCEEDED'],
    ];
    for (const [status, b, wantStatus, type, code] of cases) {
      const r = geminiErrorToOpenAI(status, b);
      assert.equal(r.status, wantStatus, JSON.stringify(b));
      assert.deepEqual(r.body, { error: { message: (b as { error: { message: string } }).error.message, type, param: null, code } });
    }
  });

  it('reads retry delays, stream arrays, raw text and in-stream errors', () => {
    const r = geminiErrorToOpenAI(429, JSON.stringify(body(429, 'RESOURCE_EXHAUSTED', 'slow down', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '31.5s' }])));
    assert.equal(r.retryAfterSeconds, 32);
    assert.equal(geminiErrorToOpenAI(503, [body(503, 'UNAVAILABLE', 'busy')]).body.error.message, 'busy');
    const text = geminiErrorToOpenAI(502, '<html>Bad Gateway</html>');
    assert.deepEqual(text, { status: 502, body: { error: { message: '<html>Bad Gateway</html>', type: 'server_error', param: null, code: null } } });
    assert.equal(geminiErrorToOpenAI(200, body(503, 'UNAVAILABLE', 'busy')).status, 503);
    assert.equal(geminiErrorToOpenAI(200, {}).status, 502);
  });
});

describe('gemini adapter: stream edge cases', () => {
  const opts = { model: 'm', created: 1, id: 'chatcmpl-x', includeUsage: false };

  it('end() with no records at all is a cut stream, and nothing follows an error', () => {
    const s = new GeminiChatStream(opts);
    const out = s.end();
    assert.match(out, /^data: \{"error":\{.*"code":"stream_incomplete"\}\}\n\n$/);
    assert.equal(s.outcome, 'error');
    assert.equal(s.push({ data: '{"candidates":[]}' }), '');
    assert.equal(s.end(), '');
    assert.equal(s.usage(), undefined);
  });

  it('ignores blank records and reports done after [DONE]', () => {
    const s = new GeminiChatStream(opts);
    assert.equal(s.push({ data: '' }), '');
    s.push({ data: '{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}]}' });
    assert.match(s.end(), /data: \[DONE\]\n\n$/);
    assert.equal(s.outcome, 'done');
  });
});

describe('gemini embeddings', () => {
  it('one string → embedContent, an array → batchEmbedContents with the model on each request', () => {
    assert.deepEqual(embeddingsToGemini({ model: 'gemini/gemini-embedding-001', input: 'hello', dimensions: 768 }, 'gemini-embedding-001'), {
      method: 'embedContent',
      body: { content: { parts: [{ text: 'hello' }] }, outputDimensionality: 768 },
    });
    assert.deepEqual(embeddingsToGemini({ model: 'x', input: ['a', 'b'] }, 'gemini-embedding-001'), {
      method: 'batchEmbedContents',
      body: {
        requests: [
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
        ],
      },
    });
  });

  it('token arrays, empty input and bad dimensions → 400', () => {
    expectBadRequest(() => embeddingsToGemini({ model: 'x', input: [1, 2, 3] }, 'm'), 'input');
    expectBadRequest(() => embeddingsToGemini({ model: 'x', input: [[1, 2], [3]] }, 'm'), 'input');
    expectBadRequest(() => embeddingsToGemini({ model: 'x', input: [] }, 'm'), 'input');
    expectBadRequest(() => embeddingsToGemini({ model: 'x', input: '' }, 'm'), 'input');
    expectBadRequest(() => embeddingsToGemini({ model: 'x', input: ['a', ''] }, 'm'), 'input[1]');
    expectBadRequest(() => embeddingsToGemini({ model: 'x', input: 'a', dimensions: 0 }, 'm'), 'dimensions');
  });

  it('float and base64 (little-endian float32, as the openai SDK decodes it)', () => {
    const values = [0.5, -1.25, 3.0000001, 1e-8];
    const single = { embedding: { values } };
    const float = geminiEmbeddingsToOpenAI(single, { model: 'gemini-embedding-001', encodingFormat: 'float', inputTokens: 3 });
    assert.deepEqual(float, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: values }], model: 'gemini-embedding-001', usage: { prompt_tokens: 3, total_tokens: 3 } });

    const batch = { embeddings: [{ values }, { values: [1, 2] }] };
    const b64 = geminiEmbeddingsToOpenAI(batch, { model: 'm', encodingFormat: 'base64', inputTokens: 5 });
    assert.equal(b64.data.length, 2);
    assert.equal(b64.data[1]!.index, 1);
    // decode the way openai-node does: Float32Array over the base64 bytes (little-endian platforms)
    const bytes = Buffer.from(b64.data[0]!.embedding as string, 'base64');
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    assert.deepEqual(decoded, values.map((v) => Math.fround(v)));
    assert.equal(Buffer.from([0, 0, 0, 0x3f]).toString('base64'), Buffer.from(geminiEmbeddingsToOpenAI({ embedding: { values: [0.5] } }, { model: 'm', encodingFormat: 'base64', inputTokens: 0 }).data[0]!.embedding as string, 'base64').toString('base64'));
  });

  it('a body without embeddings is an upstream failure', () => {
    assert.throws(() => geminiEmbeddingsToOpenAI({}, { model: 'm', encodingFormat: 'float', inputTokens: 0 }), /no embeddings/);
  });
});
