import { encodeSseEvent, type SseEvent } from '../../lib/sse.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { CustomInputReader } from './responses-custom.js';
import {
  itemIds,
  observed,
  markLastItemIncomplete,
  outcomeOf,
  responseSkeleton,
  responseUsage,
  openCall,
  settleCall,
  type CallItem,
  type ItemIds,
  type MessageItem,
  type OutputItem,
  type ReasoningItem,
  type ResponseContentPart,
  type ResponseContext,
} from './responses-response.js';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The output item being written; `part` is the content index of a message's open part. */
type OpenItem =
  | { kind: 'reasoning'; index: number; item: ReasoningItem }
  | { kind: 'message'; index: number; item: MessageItem; part?: number }
  | { kind: 'call'; index: number; item: CallItem; args: string; reader?: CustomInputReader };

interface StreamError {
  code: string;
  message: string;
  param: string | null;
}

const CUT: StreamError = { code: 'server_error', message: 'The upstream stream ended before the response was complete.', param: null };

/**
 * OpenAI chat-completion chunk events → Responses API SSE events (docs/reference/translation.md §12.3), each framed as
 * `event: <type>` + `data: {"type", "sequence_number", …}`.
 *
 * - `response.created` and `response.in_progress` open the stream on the first chunk.
 * - One output item is open at a time, as the Responses API streams them: reasoning text (as summary
 *   text), a message (output_text and refusal parts), or a function call. Anything of another kind closes
 *   the open item first, so text after a tool call starts a new message item. A tool call is a
 *   `function_call` (argument deltas), a `custom_tool_call` (its `input` read out of the arguments as they
 *   come, as `response.custom_tool_call_input.delta`/`.done`), or a `tool_search_call` (no deltas: its
 *   parsed `arguments` are on `response.output_item.done`). Argument fragments for a
 *   call that was already closed can no longer be sent; chat upstreams stream calls one after another, so
 *   this does not happen in practice.
 * - The finish chunk closes the open item; `response.completed` (or `response.incomplete`) follows at
 *   `[DONE]`, or at `end()` when the finish and the usage chunk came but `[DONE]` did not.
 * - An error payload (`data: {"error":…}`), or an end with no finish, sends an `error` event and then
 *   `response.failed` (items as far as they got), never a fake completion. Nothing is sent after a
 *   terminal event.
 */
export class ChatChunksAsResponseEvents {
  private state: 'new' | 'open' | 'done' | 'failed' = 'new';
  private sequence = 0;
  private readonly ids: ItemIds;
  private readonly output: OutputItem[] = [];
  private current: OpenItem | undefined;
  /** Chat tool-call index → its item. */
  private readonly calls = new Map<number, CallItem>();
  private messages = 0;
  private reasonings = 0;
  private finishReason: string | undefined;
  private usage: JsonObject | undefined;
  /** Call id → the provider's side field on that call (Gemini's thought signature). */
  private readonly extras: Record<string, unknown> = {};

  constructor(private readonly ctx: ResponseContext) {
    this.ids = itemIds(ctx.id);
  }

  push(event: SseEvent): string {
    if (this.state === 'done' || this.state === 'failed') return '';
    if (event.data === '[DONE]') return this.close(true);
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      return '';
    }
    if (!isJsonObject(chunk)) return '';
    if (chunk.error !== undefined) return this.fail(streamError(chunk.error));
    let out = this.opening();
    if (isJsonObject(chunk.usage)) this.usage = chunk.usage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((c: unknown) => isJsonObject(c) && (c.index ?? 0) === 0);
    if (!isJsonObject(choice) || this.finishReason !== undefined) return out;
    const delta = isJsonObject(choice.delta) ? choice.delta : {};
    const reasoning = text(delta.reasoning_content);
    if (reasoning) out += this.reasoningDelta(reasoning);
    const content = text(delta.content);
    if (content) out += this.messageDelta('output_text', content);
    const refusal = text(delta.refusal);
    if (refusal) out += this.messageDelta('refusal', refusal);
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) if (isJsonObject(call)) out += this.toolCallDelta(call);
    }
    if (typeof choice.finish_reason === 'string') {
      this.finishReason = choice.finish_reason;
      if (outcomeOf(this.finishReason).status === 'incomplete') markLastItemIncomplete(this.output);
      out += this.closeCurrent();
    }
    return out;
  }

  /** End of the chat stream. */
  end(): string {
    if (this.state === 'done' || this.state === 'failed') return '';
    return this.close(false);
  }

  private close(sawDone: boolean): string {
    if (this.finishReason !== undefined && (sawDone || this.usage !== undefined)) return this.complete();
    return this.fail(CUT);
  }

  private opening(): string {
    if (this.state !== 'new') return '';
    this.state = 'open';
    const response = responseSkeleton(this.ctx);
    return this.emit('response.created', { response }) + this.emit('response.in_progress', { response });
  }

  private complete(): string {
    let out = this.opening();
    this.state = 'done';
    const outcome = outcomeOf(this.finishReason);
    const response = observed(this.ctx, { ...responseSkeleton(this.ctx), ...outcome, output: this.output, usage: responseUsage(this.usage) }, this.extras);
    out += this.emit(outcome.status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
    return out;
  }

  private fail(error: StreamError): string {
    let out = this.opening();
    this.state = 'failed';
    const open = this.current?.item;
    if (open && open.type !== 'reasoning') open.status = 'incomplete';
    out += this.emit('error', { code: error.code, message: error.message, param: error.param });
    const response = {
      ...responseSkeleton(this.ctx),
      status: 'failed',
      error: { code: error.code, message: error.message },
      output: this.output,
      usage: responseUsage(this.usage),
    };
    return out + this.emit('response.failed', { response });
  }

  private reasoningDelta(delta: string): string {
    let out = '';
    let open = this.current;
    if (open?.kind !== 'reasoning') {
      out += this.closeCurrent();
      const item: ReasoningItem = { type: 'reasoning', id: this.ids.reasoning(this.reasonings++), summary: [] };
      open = { kind: 'reasoning', index: this.output.push(item) - 1, item };
      this.current = open;
      out += this.emit('response.output_item.added', { output_index: open.index, item });
      const part = { type: 'summary_text' as const, text: '' };
      out += this.emit('response.reasoning_summary_part.added', { item_id: item.id, output_index: open.index, summary_index: 0, part });
      item.summary.push(part);
    }
    open.item.summary[0]!.text += delta;
    return out + this.emit('response.reasoning_summary_text.delta', { item_id: open.item.id, output_index: open.index, summary_index: 0, delta });
  }

  private messageDelta(kind: ResponseContentPart['type'], delta: string): string {
    let out = '';
    let open = this.current;
    if (open?.kind !== 'message') {
      out += this.closeCurrent();
      const item: MessageItem = { type: 'message', id: this.ids.message(this.messages++), role: 'assistant', status: 'in_progress', content: [] };
      open = { kind: 'message', index: this.output.push(item) - 1, item };
      this.current = open;
      out += this.emit('response.output_item.added', { output_index: open.index, item });
    }
    const where = { item_id: open.item.id, output_index: open.index };
    let part = open.part === undefined ? undefined : open.item.content[open.part];
    if (part?.type !== kind) {
      if (part) out += this.closePart(open);
      part = kind === 'output_text' ? { type: 'output_text', text: '', annotations: [] } : { type: 'refusal', refusal: '' };
      out += this.emit('response.content_part.added', { ...where, content_index: open.item.content.length, part });
      open.part = open.item.content.push(part) - 1;
    }
    if (part.type === 'output_text') {
      part.text += delta;
      return out + this.emit('response.output_text.delta', { ...where, content_index: open.part!, delta, logprobs: [] });
    }
    part.refusal += delta;
    return out + this.emit('response.refusal.delta', { ...where, content_index: open.part!, delta });
  }

  private toolCallDelta(call: JsonObject): string {
    const toolIndex = typeof call.index === 'number' ? call.index : 0;
    const fn = isJsonObject(call.function) ? call.function : {};
    let out = '';
    let item = this.calls.get(toolIndex);
    if (!item) {
      out += this.closeCurrent();
      item = openCall(text(fn.name) ?? '', text(call.id) ?? this.ids.callId(toolIndex), toolIndex, this.ctx, this.ids);
      this.calls.set(toolIndex, item);
      const reader = item.type === 'custom_tool_call' ? { reader: new CustomInputReader() } : {};
      this.current = { kind: 'call', index: this.output.push(item) - 1, item, args: '', ...reader };
      out += this.emit('response.output_item.added', { output_index: this.current.index, item });
    }
    const open = this.current;
    if (open?.kind !== 'call' || open.item !== item) return out; // a late fragment of a closed call
    if (isJsonObject(call.extra_content)) this.extras[item.call_id] = call.extra_content;
    if (item.type === 'function_call' && item.name === '' && text(fn.name)) {
      const named = openCall(fn.name as string, item.call_id, toolIndex, this.ctx, this.ids);
      if (named.type === 'function_call') Object.assign(item, { name: named.name, ...(named.namespace !== undefined ? { namespace: named.namespace } : {}) });
    }
    const delta = text(fn.arguments);
    if (!delta) return out;
    open.args += delta;
    const where = { item_id: item.id, output_index: open.index };
    if (item.type === 'function_call') {
      item.arguments += delta;
      return out + this.emit('response.function_call_arguments.delta', { ...where, delta });
    }
    const input = open.reader?.push(delta);
    if (!input || item.type !== 'custom_tool_call') return out;
    item.input += input;
    return out + this.emit('response.custom_tool_call_input.delta', { ...where, delta: input });
  }

  /** The closing events of a call's payload (its item's `.done` follows). */
  private closeCall(open: Extract<OpenItem, { kind: 'call' }>): string {
    const item = open.item;
    const where = { item_id: item.id, output_index: open.index };
    if (item.type === 'function_call') return this.emit('response.function_call_arguments.done', { ...where, name: item.name, arguments: item.arguments });
    if (item.type === 'tool_search_call') {
      settleCall(item, open.args);
      return '';
    }
    const { input, rest } = open.reader?.finish() ?? { input: item.input, rest: '' };
    const last = rest ? this.emit('response.custom_tool_call_input.delta', { ...where, delta: rest }) : '';
    item.input = input;
    return last + this.emit('response.custom_tool_call_input.done', { ...where, input });
  }

  private closePart(open: Extract<OpenItem, { kind: 'message' }>): string {
    const index = open.part;
    const part = index === undefined ? undefined : open.item.content[index];
    if (index === undefined || !part) return '';
    open.part = undefined;
    const where = { item_id: open.item.id, output_index: open.index, content_index: index };
    const done =
      part.type === 'output_text'
        ? this.emit('response.output_text.done', { ...where, text: part.text, logprobs: [] })
        : this.emit('response.refusal.done', { ...where, refusal: part.refusal });
    return done + this.emit('response.content_part.done', { ...where, part });
  }

  private closeCurrent(): string {
    const open = this.current;
    if (!open) return '';
    this.current = undefined;
    let out = '';
    const where = { item_id: open.item.id, output_index: open.index };
    if (open.kind === 'reasoning') {
      const part = open.item.summary[0]!;
      out += this.emit('response.reasoning_summary_text.done', { ...where, summary_index: 0, text: part.text });
      out += this.emit('response.reasoning_summary_part.done', { ...where, summary_index: 0, part });
    } else if (open.kind === 'message') {
      out += this.closePart(open);
    } else {
      out += this.closeCall(open);
    }
    if (open.item.type !== 'reasoning' && open.item.status === 'in_progress') open.item.status = 'completed';
    return out + this.emit('response.output_item.done', { output_index: open.index, item: open.item });
  }

  private emit(type: string, fields: JsonObject): string {
    return encodeSseEvent({ event: type, data: JSON.stringify({ type, sequence_number: this.sequence++, ...fields }) });
  }
}

/** A chat error payload (`{message, type, param, code}`) as the Responses `error` event's fields. */
function streamError(error: unknown): StreamError {
  const e = isJsonObject(error) ? error : {};
  return {
    code: text(e.code) ?? text(e.type) ?? 'server_error',
    message: text(e.message) ?? 'The upstream failed while streaming the response.',
    param: text(e.param) ?? null,
  };
}
