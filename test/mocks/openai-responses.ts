// POST /v1/responses — Response object, or SSE with `event:` lines and sequence_number.
import { asArray, asObj, FAKE_CREATED, fakeUsage, generate, splitN, textOf, toolArgs } from './fake.js';
import { BadRequest, type MockContext } from './mock-server.js';
import { openaiErrorObject } from './openai-errors.js';
import { sseFrame, writeSse, type SseEvent } from './stream.js';

type Obj = Record<string, unknown>;

function pickTool(b: Obj, lastIsUser: boolean): string | undefined {
  const fns = asArray(b.tools).map(asObj).filter((t) => t.type === 'function');
  if (!fns.length || !lastIsUser || b.tool_choice === 'none') return undefined;
  const forced = asObj(b.tool_choice).name;
  if (typeof forced === 'string') return forced;
  return typeof fns[0]?.name === 'string' ? fns[0].name : 'tool';
}

export async function responses(ctx: MockContext): Promise<void> {
  const b = ctx.json();
  if (typeof b.model !== 'string') throw new BadRequest('Missing required parameter: \'model\'.', 'model');
  if (b.input === undefined) throw new BadRequest('Missing required parameter: \'input\'.', 'input');
  const items = typeof b.input === 'string' ? [] : asArray(b.input);
  const last = asObj(items[items.length - 1]);
  const lastText = typeof b.input === 'string' ? b.input : textOf(last);
  const lastIsUser = typeof b.input === 'string' || (last.role === 'user' && (last.type ?? 'message') === 'message');
  const toolName = pickTool(b, lastIsUser);
  const gen = generate(lastText, b.max_output_tokens);
  const n = ctx.reqNo;
  const args = JSON.stringify(toolArgs(lastText));
  const u = fakeUsage(`${textOf(b.instructions)} ${textOf(b.input)}`, toolName ? args : gen.text);
  const usage = {
    input_tokens: u.prompt,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.completion,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.prompt + u.completion,
  };
  const itemId = toolName ? `fc_mock${n}` : `msg_mock${n}`;
  const part = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });
  const item = (done: boolean): Obj => {
    const status = done ? 'completed' : 'in_progress';
    return toolName
      ? { type: 'function_call', id: itemId, call_id: `call_mock${n}`, name: toolName, arguments: done ? args : '', status }
      : { type: 'message', id: itemId, role: 'assistant', status, content: done ? [part(gen.text)] : [] };
  };
  const incomplete = !toolName && gen.truncated;
  const response = (phase: 'start' | 'done' | 'failed'): Obj => ({
    id: `resp_mock${n}`, object: 'response', created_at: FAKE_CREATED,
    status: phase === 'start' ? 'in_progress' : phase === 'failed' ? 'failed' : incomplete ? 'incomplete' : 'completed',
    background: false,
    error: phase === 'failed' ? { code: 'server_error', message: 'The server had an error while processing your request.' } : null,
    incomplete_details: phase === 'done' && incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: b.instructions ?? null, max_output_tokens: b.max_output_tokens ?? null, model: b.model,
    output: phase === 'done' ? [item(true)] : [], parallel_tool_calls: true, previous_response_id: b.previous_response_id ?? null,
    reasoning: { effort: null, summary: null }, service_tier: 'default', store: b.store ?? true, temperature: 1,
    text: b.text ?? { format: { type: 'text' } }, tool_choice: b.tool_choice ?? 'auto', tools: b.tools ?? [], top_p: 1,
    truncation: 'disabled', usage: phase === 'done' ? usage : null, user: null, metadata: b.metadata ?? {},
  });

  if (b.stream !== true) return ctx.sendJson(200, response('done'));

  const events: SseEvent[] = [];
  const ev = (type: string, data: Obj): void => {
    events.push({ event: type, data: { type, sequence_number: events.length, ...data } });
  };
  const at = { item_id: itemId, output_index: 0 };
  ev('response.created', { response: response('start') });
  ev('response.in_progress', { response: response('start') });
  ev('response.output_item.added', { output_index: 0, item: item(false) });
  if (toolName) {
    for (const d of splitN(args, ctx.opts.streamChunks)) ev('response.function_call_arguments.delta', { ...at, delta: d });
    ev('response.function_call_arguments.done', { ...at, name: toolName, arguments: args });
  } else {
    ev('response.content_part.added', { ...at, content_index: 0, part: part('') });
    for (const d of splitN(gen.text, ctx.opts.streamChunks)) ev('response.output_text.delta', { ...at, content_index: 0, delta: d, logprobs: [] });
    ev('response.output_text.done', { ...at, content_index: 0, text: gen.text, logprobs: [] });
    ev('response.content_part.done', { ...at, content_index: 0, part: part(gen.text) });
  }
  ev('response.output_item.done', { output_index: 0, item: item(true) });
  ev(incomplete ? 'response.incomplete' : 'response.completed', { response: response('done') });

  // Mid-stream failure: `event: error` then a terminal `response.failed`.
  const errorChunk = (seq: number): string => {
    const e = openaiErrorObject(500);
    const data = ctx.fault?.errorBody ?? { type: 'error', code: e.code, message: e.message, param: null, sequence_number: seq };
    return sseFrame({ event: 'error', data })
      + sseFrame({ event: 'response.failed', data: { type: 'response.failed', sequence_number: seq + 1, response: response('failed') } });
  };
  await writeSse(ctx.stream('text/event-stream; charset=utf-8', errorChunk), events);
}
