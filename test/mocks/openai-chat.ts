// POST /v1/chat/completions — non-stream JSON and SSE (`data:` chunks, `data: [DONE]`).
import { asArray, asObj, FAKE_CREATED, fakeUsage, generate, splitN, textOf, toolArgs } from './fake.js';
import { BadRequest, type MockContext } from './mock-server.js';
import { openaiStreamError } from './openai-errors.js';
import { openRouterUsageFields } from './openrouter.js';
import { writeSse, type SseEvent } from './stream.js';

/** Tool to call: tools present, last message from the user and tool_choice not "none". */
function pickTool(b: Record<string, unknown>, lastRole: unknown): string | undefined {
  const tools = asArray(b.tools);
  if (!tools.length || lastRole !== 'user' || b.tool_choice === 'none') return undefined;
  const forced = asObj(asObj(b.tool_choice).function).name;
  if (typeof forced === 'string') return forced;
  const t = asObj(tools[0]);
  const name = asObj(t.function).name ?? t.name;
  return typeof name === 'string' ? name : 'tool';
}

export async function chatCompletions(ctx: MockContext): Promise<void> {
  const b = ctx.json();
  if (typeof b.model !== 'string') throw new BadRequest('you must provide a model parameter', 'model');
  const messages = asArray(b.messages);
  if (!messages.length) throw new BadRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages');
  const last = asObj(messages[messages.length - 1]);
  const lastText = textOf(last);
  const n = typeof b.n === 'number' && b.n > 1 ? Math.floor(b.n) : 1;
  const toolName = pickTool(b, last.role);
  const gen = generate(lastText, b.max_completion_tokens ?? b.max_tokens);
  const call = toolName
    ? { id: `call_mock${ctx.reqNo}`, type: 'function', function: { name: toolName, arguments: JSON.stringify(toolArgs(lastText)) } }
    : undefined;
  const u = fakeUsage(textOf(messages), call ? call.function.arguments : gen.text);
  const usage = {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion * n,
    total_tokens: u.prompt + u.completion * n,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    ...(ctx.opts.openrouter ? openRouterUsageFields(b, b.model, u, u.completion * n) : {}),
  };
  const finish = call ? 'tool_calls' : gen.truncated ? 'length' : 'stop';
  const base = { id: `chatcmpl-mock${ctx.reqNo}`, created: FAKE_CREATED, model: b.model, system_fingerprint: 'fp_mock', service_tier: 'default' };
  const idx = Array.from({ length: n }, (_, i) => i);

  if (b.stream !== true) {
    const message = call
      ? { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: [call] }
      : { role: 'assistant', content: gen.text, refusal: null, annotations: [] };
    const choices = idx.map((index) => ({ index, message, logprobs: null, finish_reason: finish }));
    return ctx.sendJson(200, { ...base, object: 'chat.completion', choices, usage });
  }

  const so = asObj(b.stream_options);
  // OpenRouter sends the usage chunk when usage accounting is asked for, too.
  const includeUsage = so.include_usage === true || (ctx.opts.openrouter && asObj(b.usage).include === true);
  const obfuscate = so.include_obfuscation !== false;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent => ({
    data: { ...base, object: 'chat.completion.chunk', choices, ...(includeUsage ? { usage: null } : {}), ...extra },
  });
  const delta = (index: number, d: Record<string, unknown>, finishReason: string | null = null) =>
    ({ index, delta: d, logprobs: null, finish_reason: finishReason });
  const pieces = splitN(call ? call.function.arguments : gen.text, ctx.opts.streamChunks);
  const events: SseEvent[] = [];
  if (call) {
    const first = { index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } };
    events.push(chunk(idx.map((i) => delta(i, { role: 'assistant', content: null, tool_calls: [first] }))));
    for (const p of pieces) events.push(chunk(idx.map((i) => delta(i, { tool_calls: [{ index: 0, function: { arguments: p } }] }))));
  } else {
    events.push(chunk(idx.map((i) => delta(i, { role: 'assistant', content: '', refusal: null }))));
    for (const p of pieces) {
      for (const i of idx) events.push(chunk([delta(i, { content: p })], obfuscate ? { obfuscation: 'mOcK' } : {}));
    }
  }
  events.push(chunk(idx.map((i) => delta(i, {}, finish))));
  if (includeUsage) events.push({ data: { ...base, object: 'chat.completion.chunk', choices: [], usage } });
  events.push({ data: '[DONE]' });
  await writeSse(ctx.stream('text/event-stream; charset=utf-8', () => openaiStreamError(ctx)), events);
}
