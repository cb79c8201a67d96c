import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureFolders, opFixtureDir } from '../../helpers/fixture-folders.js';
import OpenAI, { APIError } from 'openai';
import type { ChatRequest } from '../../../src/core/chat-types.js';
import { GatewayError } from '../../../src/core/errors.js';
import {
  ANTHROPIC_IGNORED_PARAMS,
  ANTHROPIC_REFUSED_PARAMS,
  chatToAnthropic,
  type ChatToAnthropicOptions,
} from '../../../src/dialects/anthropic/chat-request.js';
import { anthropicErrorToOpenAI, anthropicToChat } from '../../../src/dialects/anthropic/chat-response.js';
import { AnthropicChatStream } from '../../../src/dialects/anthropic/chat-stream.js';

const DIR = opFixtureDir('anthropic', 'chat');
const UPSTREAM_MODEL = 'claude-sonnet-4-5-20250929';
const DEFAULT_MAX_TOKENS = 4096;

// The fixture cases themselves run through the codec in test/unit/dialect-ops.test.ts; here: which cases
// must exist, what the SDK makes of the translated streams, and what the translator does beyond them.
const folders = () => fixtureFolders(DIR);

const REQUIRED_CASES = [
  'text-basic',
  'system-developer-merging',
  'tools-history-parallel',
  'tool-use-response',
  'tool-choice-required',
  'tool-choice-function-no-parallel',
  'tool-choice-none',
  'tool-choice-allowed-tools',
  'vision-data-url-https-pdf',
  'json-object',
  'json-schema',
  'sampling-stop-max-tokens-user',
  'reasoning-effort-high',
  'n-refused',
  'stream-text-include-usage',
  'stream-tool-calls',
  'stream-error-mid',
  'stream-cut',
  'finish-stop-sequence',
  'finish-max-tokens',
  'finish-refusal',
  'finish-pause-turn',
  'finish-context-window-exceeded',
  'usage-cache-read-and-write',
];

describe('anthropic chat fixtures', () => {
  const all = folders();

  it('has the required cases', () => {
    const names = new Set(all.map((f) => f.name));
    for (const name of REQUIRED_CASES) assert.ok(names.has(name), `fixture folder ${name} is missing`);
  });
});

const base = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], ...extra });
const opts: ChatToAnthropicOptions = { upstreamModel: UPSTREAM_MODEL, defaultMaxTokens: DEFAULT_MAX_TOKENS };

function assertBadRequest(req: unknown, param: string | undefined, message?: RegExp): void {
  assert.throws(
    () => chatToAnthropic(req as ChatRequest, opts),
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

const call = (id: string, args: string, name = 'f') => ({ id, type: 'function' as const, function: { name, arguments: args } });

describe('chatToAnthropic refusals (400)', () => {
  it('refuses invalid or non-object tool-call arguments', () => {
    for (const args of ['{"a":', 'not json', '[1,2]', '42', 'null']) {
      assertBadRequest(
        base({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [call('c1', '{}'), call('c2', args)] }, { role: 'tool', tool_call_id: 'c1', content: 'a' }, { role: 'tool', tool_call_id: 'c2', content: 'b' }] }),
        'messages[1].tool_calls[1].function.arguments',
      );
    }
  });

  it('refuses n > 1 and other non-neutral refused parameters; accepts their neutral values', () => {
    assertBadRequest(base({ n: 2 }), 'n');
    assertBadRequest(base({ n: 0 }), 'n');
    assertBadRequest(base({ logprobs: true }), 'logprobs');
    assertBadRequest(base({ top_logprobs: 3 }), 'top_logprobs');
    assertBadRequest(base({ logit_bias: { '50256': -100 } }), 'logit_bias');
    assertBadRequest(base({ presence_penalty: 0.5 }), 'presence_penalty');
    assertBadRequest(base({ frequency_penalty: -1 }), 'frequency_penalty');
    assertBadRequest(base({ modalities: ['text', 'audio'] }), 'modalities');
    assertBadRequest(base({ audio: { voice: 'alloy', format: 'mp3' } }), 'audio');
    assertBadRequest(base({ web_search_options: { search_context_size: 'low' } }), 'web_search_options');
    assertBadRequest(base({ functions: [{ name: 'f' }] }), 'functions');
    const neutral = base({ n: 1, logprobs: false, top_logprobs: 0, logit_bias: {}, presence_penalty: 0, frequency_penalty: null, modalities: ['text'], audio: null, functions: [] });
    assert.doesNotThrow(() => chatToAnthropic(neutral, opts));
  });

  it('classifies every OpenAI chat parameter exactly once (mapped, ignored or refused)', () => {
    const mapped = ['model', 'messages', 'max_completion_tokens', 'max_tokens', 'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'stream', 'user', 'safety_identifier'];
    const all = [...mapped, ...ANTHROPIC_IGNORED_PARAMS, ...ANTHROPIC_REFUSED_PARAMS];
    assert.equal(new Set(all).size, all.length, 'no parameter is in two lists');
    const openai = ['audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias', 'logprobs', 'max_completion_tokens', 'max_tokens', 'messages', 'metadata', 'modalities', 'model', 'moderation', 'n', 'parallel_tool_calls', 'prediction', 'presence_penalty', 'prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention', 'reasoning_effort', 'response_format', 'safety_identifier', 'seed', 'service_tier', 'stop', 'store', 'stream', 'stream_options', 'temperature', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'user', 'verbosity', 'web_search_options'];
    assert.deepEqual([...all].sort(), [...openai].sort());
  });

  it('refuses tool messages that answer no pending call, and calls left unanswered', () => {
    const asked = { role: 'assistant' as const, tool_calls: [call('c1', '{}'), call('c2', '{}')] };
    // A tool message with no assistant tool call before it.
    assertBadRequest(base({ messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'c1', content: 'r' }] }), 'messages[1].tool_call_id');
    // An id the previous assistant message did not use.
    assertBadRequest(base({ messages: [{ role: 'user', content: 'x' }, asked, { role: 'tool', tool_call_id: 'zz', content: 'r' }] }), 'messages[2].tool_call_id', /zz/);
    // Answered twice.
    assertBadRequest(
      base({ messages: [{ role: 'user', content: 'x' }, asked, { role: 'tool', tool_call_id: 'c1', content: 'r' }, { role: 'tool', tool_call_id: 'c1', content: 'r' }] }),
      'messages[3].tool_call_id',
    );
    // A user message before every call was answered.
    assertBadRequest(
      base({ messages: [{ role: 'user', content: 'x' }, asked, { role: 'tool', tool_call_id: 'c1', content: 'r' }, { role: 'user', content: 'y' }] }),
      'messages[1].tool_calls',
      /c2/,
    );
    // A result for an older assistant turn arriving after a newer one.
    assertBadRequest(
      base({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [call('c1', '{}')] }, { role: 'tool', tool_call_id: 'c1', content: 'r' }, { role: 'assistant', content: 'ok' }, { role: 'tool', tool_call_id: 'c1', content: 'r' }] }),
      'messages[4].tool_call_id',
    );
    // The conversation ends on unanswered calls.
    assertBadRequest(base({ messages: [{ role: 'user', content: 'x' }, asked] }), 'messages[1].tool_calls');
    // Duplicate ids in one assistant turn.
    assertBadRequest(base({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [call('c1', '{}'), call('c1', '{}')] }] }), 'messages[1].tool_calls[1].id');
  });

  it('refuses content Anthropic cannot take', () => {
    const user = (content: unknown) => base({ messages: [{ role: 'user', content } as never] });
    assertBadRequest(user([{ type: 'image_url', image_url: { url: 'http://example.com/a.png' } }]), 'messages[0].content[0].image_url.url');
    assertBadRequest(user([{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }]), 'messages[0].content[0].image_url.url', /bmp/);
    assertBadRequest(user([{ type: 'image_url', image_url: { url: 'iVBORw0KGgo=' } }]), 'messages[0].content[0].image_url.url');
    assertBadRequest(user([{ type: 'file', file: { file_id: 'file-123' } }]), 'messages[0].content[0].file.file_id');
    assertBadRequest(user([{ type: 'file', file: { file_data: 'data:text/csv;base64,YSxi' } }]), 'messages[0].content[0].file.file_data');
    assertBadRequest(user([{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }]), 'messages[0].content[0]');
    assertBadRequest(base({ messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }, { role: 'user', content: 'x' }] }), 'messages[0].content[0]');
    assertBadRequest(base({ messages: [{ role: 'function', content: 'x' }] }), 'messages[0].role');
    assertBadRequest(base({ messages: [] }), 'messages');
    assertBadRequest(base({ messages: [{ role: 'system', content: 'only a system prompt' }] }), 'messages');
  });

  it('refuses malformed parameters', () => {
    assertBadRequest(base({ max_tokens: 0 }), 'max_tokens');
    assertBadRequest(base({ max_completion_tokens: 1.5 }), 'max_completion_tokens');
    assertBadRequest(base({ temperature: 'hot' as never }), 'temperature');
    assertBadRequest(base({ top_p: 1.5 }), 'top_p');
    assertBadRequest(base({ stop: [1] as never }), 'stop');
    assertBadRequest(base({ reasoning_effort: 'extreme' }), 'reasoning_effort');
    assertBadRequest(base({ reasoning_effort: 'constructor' }), 'reasoning_effort');
    assertBadRequest(base({ response_format: { type: 'yaml' } as never }), 'response_format.type');
    assertBadRequest(base({ tools: [{ type: 'custom', custom: { name: 'x' } } as never] }), 'tools[0].type');
    assertBadRequest(base({ tool_choice: 'required' }), 'tool_choice');
    assertBadRequest(base({ tools: [{ type: 'function', function: { name: 'a' } }], tool_choice: { type: 'function', function: { name: 'b' } } }), 'tool_choice.function.name');
  });
});

describe('chatToAnthropic choices', () => {
  it('drops thinking when the cap leaves no room for the minimum budget', () => {
    const body = chatToAnthropic(base({ reasoning_effort: 'high', max_completion_tokens: 1024, temperature: 0.4 }), opts);
    assert.equal(body.thinking, undefined);
    assert.equal(body.temperature, 0.4);
    const fits = chatToAnthropic(base({ reasoning_effort: 'high', max_completion_tokens: 1025 }), opts);
    assert.deepEqual(fits.thinking, { type: 'enabled', budget_tokens: 1024 });
  });

  it('reasoning_effort none sends no thinking; temperature above 1 is sent as 1, outside 0–2 refused', () => {
    const body = chatToAnthropic(base({ reasoning_effort: 'none', temperature: 1.7 }), opts);
    assert.equal(body.thinking, undefined);
    assert.equal(body.temperature, 1);
    for (const temperature of [-0.5, 2.5]) assert.throws(() => chatToAnthropic(base({ temperature }), opts), { param: 'temperature' });
    assert.throws(() => chatToAnthropic(base({ web_search_options: {} }), opts), { param: 'web_search_options' });
  });

  it('does not mutate the request', () => {
    const req = base({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'prefill  ' }] });
    const copy = structuredClone(req);
    chatToAnthropic(req, opts);
    assert.deepEqual(req, copy);
  });
});

describe('anthropicErrorToOpenAI', () => {
  const body = (type: string, message = 'boom', extra: object = {}) => ({ type: 'error', error: { type, message, ...extra }, request_id: 'req_1' });
  const cases: Array<[number, unknown, number, string, string]> = [
    [400, body('invalid_request_error'), 400, 'invalid_request_error', 'invalid_request_error'],
    [401, body('authentication_error'), 401, 'invalid_request_error', 'authentication_error'],
    [402, body('billing_error'), 503, 'server_error', 'billing_error'],
    [403, body('permission_error'), 403, 'permission_error', 'permission_error'],
    [404, body('not_found_error'), 404, 'invalid_request_error', 'not_found_error'],
    [413, body('request_too_large'), 413, 'invalid_request_error', 'request_too_large'],
    [429, body('rate_limit_error'), 429, 'rate_limit_error', 'rate_limit_error'],
    [429, body('rate_limit_error', 'spend', { details: { error_code: 'enforced_spend_limit_reached' } }), 429, 'insufficient_quota', 'insufficient_quota'],
    [500, body('api_error'), 502, 'server_error', 'api_error'],
    [504, body('timeout_error'), 504, 'server_error', 'timeout_error'],
    [529, body('overloaded_error'), 503, 'server_error', 'overloaded_error'],
    [529, 'not json', 503, 'server_error', 'http_529'],
    [500, '<html>oops</html>', 502, 'server_error', 'http_500'],
    [503, {}, 503, 'server_error', 'http_503'],
    [409, body('some_new_error'), 409, 'invalid_request_error', 'some_new_error'],
    [418, null, 418, 'invalid_request_error', 'http_418'],
  ];
  for (const [status, upstream, want, type, code] of cases) {
    it(`${status} ${JSON.stringify(upstream).slice(0, 60)} → ${want} ${type}`, () => {
      const mapped = anthropicErrorToOpenAI(status, upstream);
      assert.equal(mapped.status, want);
      assert.equal(mapped.body.error.type, type);
      assert.equal(mapped.body.error.code, code);
      assert.equal(mapped.body.error.param, null);
      assert.equal(mapped.body.error.message, typeof upstream === 'object' && upstream && 'error' in upstream ? (upstream as { error: { message: string } }).error.message : `Anthropic answered HTTP ${status}.`);
    });
  }
});

describe('anthropicToChat robustness', () => {
  it('throws a 502 on a body that is not a Message', () => {
    for (const bad of [null, 'text', [], { content: 'x' }]) {
      assert.throws(() => anthropicToChat(bad, { model: 'm', created: 1 }), (err: unknown) => err instanceof GatewayError && err.status === 502);
    }
  });

  it('tolerates a Message without content or usage', () => {
    const chat = anthropicToChat({ id: 'msg_1', type: 'message', stop_reason: 'end_turn' }, { model: 'm', created: 1 });
    assert.equal(chat.choices[0]!.message.content, '');
    assert.deepEqual(chat.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 } });
  });
});

describe('the openai SDK reads the translated streams', () => {
  for (const f of folders().filter((x) => x.has('stream.sse'))) {
    it(f.name, async () => {
      const bytes = f.text('stream.sse');
      const client = new OpenAI({ apiKey: 'k', baseURL: 'http://fixture.invalid/v1', maxRetries: 0, fetch: async () => new Response(bytes, { headers: { 'content-type': 'text/event-stream' } }) });
      const done = client.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).finalChatCompletion();
      if (bytes.endsWith('data: [DONE]\n\n')) {
        const final = await done;
        assert.ok(final.choices[0]?.finish_reason);
      } else if (bytes.includes('data: {"error"')) {
        await assert.rejects(done, APIError);
      } else {
        await assert.rejects(done, /missing finish_reason/); // a cut stream is seen as incomplete
      }
    });
  }
});

describe('AnthropicChatStream', () => {
  const make = () => new AnthropicChatStream({ model: 'm', created: 1, id: 'c', includeUsage: false });

  it('returns nothing for ping, unknown, unparseable and post-stop events', () => {
    const s = make();
    assert.equal(s.push({ event: 'ping', data: '{"type":"ping"}' }), '');
    assert.equal(s.push({ data: 'not json' }), '');
    assert.notEqual(s.push({ event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":1,"output_tokens":1}}}' }), '');
    assert.equal(s.push({ event: 'whatever', data: '{"type":"whatever"}' }), '');
    assert.match(s.push({ event: 'message_stop', data: '{"type":"message_stop"}' }), /"finish_reason":"stop"[\s\S]*data: \[DONE\]\n\n$/);
    assert.equal(s.completed(), true);
    assert.equal(s.push({ event: 'message_stop', data: '{"type":"message_stop"}' }), '');
    assert.equal(s.end(), '');
  });

  it('sends the role chunk once even when message_start is missing', () => {
    const s = make();
    const out = s.push({ data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Hi"}}' });
    assert.equal(out.split('\n\n').filter(Boolean).length, 2);
    assert.match(out, /^data: .*"delta":\{"role":"assistant","content":""\}/);
    assert.equal(s.usage(), undefined);
  });

  it('a cut stream ends with nothing more and is not completed', () => {
    const s = make();
    s.push({ data: '{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3,"output_tokens":1}}}' });
    assert.equal(s.end(), '');
    assert.equal(s.completed(), false);
    assert.deepEqual(s.usage(), { inputTokens: 3, outputTokens: 1 });
  });
});
