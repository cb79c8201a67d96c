// POST /v1/messages — Message JSON, or named SSE events (message_start … message_stop, one ping).
import { anthropicError } from './anthropic-errors.js';
import { asArray, asObj, fakeUsage, generate, splitN, textOf, toolArgs } from './fake.js';
import { BadRequest, type MockContext } from './mock-server.js';
import { sseFrame, writeSse, type SseEvent } from './stream.js';

type Obj = Record<string, unknown>;

export function anthropicPromptText(b: Obj): string {
  return `${textOf(b.system)} ${textOf(b.messages)}`;
}

/** Tool to call: tools present, last message is user text (not a tool_result) and tool_choice not none. */
function pickTool(b: Obj, last: Obj): string | undefined {
  const tools = asArray(b.tools).map(asObj);
  const choice = asObj(b.tool_choice);
  if (!tools.length || last.role !== 'user' || choice.type === 'none') return undefined;
  const blocks = typeof last.content === 'string' ? [{ type: 'text' }] : asArray(last.content).map(asObj);
  if (blocks.some((x) => x.type === 'tool_result') || !blocks.some((x) => x.type === 'text')) return undefined;
  if (choice.type === 'tool' && typeof choice.name === 'string') return choice.name;
  return typeof tools[0]?.name === 'string' ? tools[0].name : 'tool';
}

export async function anthropicMessages(ctx: MockContext): Promise<void> {
  const b = ctx.json();
  if (typeof b.model !== 'string') throw new BadRequest('model: Field required');
  if (typeof b.max_tokens !== 'number') throw new BadRequest('max_tokens: Field required');
  const messages = asArray(b.messages);
  if (!messages.length) throw new BadRequest('messages: at least one message is required');
  const last = asObj(messages[messages.length - 1]);
  const lastText = textOf(last);
  const toolName = pickTool(b, last);
  const gen = generate(lastText, b.max_tokens);
  const input = toolArgs(lastText);
  const argsJson = JSON.stringify(input);
  const u = fakeUsage(anthropicPromptText(b), toolName ? argsJson : gen.text);
  const usage = {
    input_tokens: u.prompt - u.cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: u.cached,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: u.completion,
    server_tool_use: null,
    service_tier: 'standard',
  };
  const stopReason = toolName ? 'tool_use' : gen.truncated ? 'max_tokens' : 'end_turn';
  const toolId = `toolu_mock${ctx.reqNo}`;
  const base = { id: `msg_mock${ctx.reqNo}`, type: 'message', role: 'assistant', model: b.model };

  if (b.stream !== true) {
    const content = toolName
      ? [{ type: 'tool_use', id: toolId, name: toolName, input }]
      : [{ type: 'text', text: gen.text }];
    return ctx.sendJson(200, { ...base, content, stop_reason: stopReason, stop_sequence: null, usage });
  }

  const events: SseEvent[] = [];
  const ev = (type: string, data: Obj = {}): void => {
    events.push({ event: type, data: { type, ...data } });
  };
  ev('message_start', {
    message: {
      ...base, content: [], stop_reason: null, stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  if (toolName) {
    ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: toolId, name: toolName, input: {} } });
    ev('ping');
    ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '' } });
    for (const p of splitN(argsJson, ctx.opts.streamChunks)) {
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: p } });
    }
  } else {
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    ev('ping');
    for (const p of splitN(gen.text, ctx.opts.streamChunks)) {
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } });
    }
  }
  ev('content_block_stop', { index: 0 });
  ev('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: {
      input_tokens: usage.input_tokens, cache_creation_input_tokens: 0,
      cache_read_input_tokens: usage.cache_read_input_tokens, output_tokens: usage.output_tokens,
    },
  });
  ev('message_stop');

  const errorChunk = (): string => sseFrame({
    event: 'error',
    data: ctx.fault?.errorBody ?? anthropicError(529),
  });
  await writeSse(ctx.stream('text/event-stream; charset=utf-8', errorChunk), events);
}
