import type { ChatCompletionChunk, ChatFinishReason } from '../../core/chat-types.js';
import type { Usage } from '../../core/usage.js';
import { encodeSseEvent, type SseEvent } from '../../lib/sse.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { anthropicStreamErrorToOpenAI } from './chat-errors.js';
import { chatUsageFromWire } from './chat-usage.js';
import { finishReason } from './finish-reason.js';
import { overlayWireUsage, usageFromWire, type AnthropicWireUsage } from './usage.js';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

interface Block {
  kind: 'text' | 'thinking' | 'tool' | 'other';
  /** OpenAI tool-call index: only `tool_use` blocks take one (text/thinking must not shift them). */
  slot?: number;
  argsSeen?: boolean;
}

export interface AnthropicChatStreamOptions {
  /** The model name the client asked for, echoed in every chunk. */
  model: string;
  created: number;
  id: string;
  includeUsage: boolean;
}

/**
 * Anthropic Messages SSE events → OpenAI chat-completion SSE bytes (docs/reference/translation.md §12.1).
 *
 * `push` returns the bytes to send for one upstream event ('' when there are none). Thinking text goes out
 * as the non-standard `delta.reasoning_content`. The finish chunk, the usage chunk (only with
 * `includeUsage`) and `data: [DONE]` are sent on `message_stop` only: a stream cut before it ends with no
 * fake `finish_reason` and no `[DONE]`, and an upstream `error` event becomes an OpenAI error payload
 * (`data: {"error":…}`) after which nothing more is sent. `completed()` tells the caller which happened.
 * Unparseable and unknown events are ignored.
 */
export class AnthropicChatStream {
  private state: 'new' | 'open' | 'done' | 'failed' = 'new';
  private readonly blocks = new Map<number, Block>();
  private nextTool = 0;
  private stopReason: unknown = null;
  private wireUsage: AnthropicWireUsage | undefined;

  constructor(private readonly options: AnthropicChatStreamOptions) {}

  push(event: SseEvent): string {
    if (this.state === 'done' || this.state === 'failed') return '';
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return '';
    }
    if (!isJsonObject(data)) return '';
    const type = typeof data.type === 'string' ? data.type : event.event;
    switch (type) {
      case 'message_start':
        return this.start(data.message);
      case 'content_block_start':
        return this.blockStart(data);
      case 'content_block_delta':
        return this.blockDelta(data);
      case 'content_block_stop':
        return this.blockStop(data);
      case 'message_delta':
        if (isJsonObject(data.delta) && data.delta.stop_reason != null) this.stopReason = data.delta.stop_reason;
        this.wireUsage = overlayWireUsage(this.wireUsage, data.usage);
        return '';
      case 'message_stop':
        return this.finish();
      case 'error':
        this.state = 'failed';
        return encodeSseEvent({ data: JSON.stringify({ error: anthropicStreamErrorToOpenAI(data) }) });
      default:
        return ''; // ping and event types added later
    }
  }

  /** End of the upstream stream. Nothing is held back, so there is never anything left to send. */
  end(): string {
    return '';
  }

  /** True once `message_stop` was relayed (finish chunk and `[DONE]` sent). */
  completed(): boolean {
    return this.state === 'done';
  }

  /** True once the provider's own error event was relayed as the stream's end. */
  failed(): boolean {
    return this.state === 'failed';
  }

  /** Usage seen so far (message_start overlaid by the latest message_delta), for billing. */
  usage(): Usage | undefined {
    return usageFromWire(this.wireUsage);
  }

  private start(message: unknown): string {
    if (isJsonObject(message) && this.wireUsage === undefined) this.wireUsage = overlayWireUsage(undefined, message.usage);
    return this.opening();
  }

  /** The role chunk, sent once, also when an upstream skipped `message_start`. */
  private opening(): string {
    if (this.state !== 'new') return '';
    this.state = 'open';
    return this.chunk({ role: 'assistant', content: '' });
  }

  private blockStart(data: JsonObject): string {
    const block = data.content_block;
    if (typeof data.index !== 'number' || !isJsonObject(block)) return '';
    const head = this.opening();
    if (block.type === 'tool_use') {
      const slot = this.nextTool++;
      this.blocks.set(data.index, { kind: 'tool', slot, argsSeen: false });
      // The start's `input: {}` is a placeholder, never argument text.
      const name = typeof block.name === 'string' ? block.name : '';
      const id = typeof block.id === 'string' ? block.id : '';
      return head + this.chunk({ tool_calls: [{ index: slot, id, type: 'function', function: { name, arguments: '' } }] });
    }
    if (block.type === 'text') {
      this.blocks.set(data.index, { kind: 'text' });
      return head + (typeof block.text === 'string' && block.text !== '' ? this.chunk({ content: block.text }) : '');
    }
    if (block.type === 'thinking') {
      this.blocks.set(data.index, { kind: 'thinking' });
      return head + (typeof block.thinking === 'string' && block.thinking !== '' ? this.chunk({ reasoning_content: block.thinking }) : '');
    }
    this.blocks.set(data.index, { kind: 'other' }); // redacted_thinking, server tools: not relayed
    return head;
  }

  private blockDelta(data: JsonObject): string {
    const block = typeof data.index === 'number' ? this.blocks.get(data.index) : undefined;
    const delta = data.delta;
    if (!block || !isJsonObject(delta)) return '';
    if (delta.type === 'text_delta' && block.kind === 'text' && typeof delta.text === 'string' && delta.text !== '') {
      return this.chunk({ content: delta.text });
    }
    if (delta.type === 'thinking_delta' && block.kind === 'thinking' && typeof delta.thinking === 'string' && delta.thinking !== '') {
      return this.chunk({ reasoning_content: delta.thinking });
    }
    if (delta.type === 'input_json_delta' && block.kind === 'tool' && typeof delta.partial_json === 'string' && delta.partial_json !== '') {
      block.argsSeen = true;
      return this.chunk({ tool_calls: [{ index: block.slot!, function: { arguments: delta.partial_json } }] });
    }
    return ''; // signature_delta, citations_delta
  }

  private blockStop(data: JsonObject): string {
    const block = typeof data.index === 'number' ? this.blocks.get(data.index) : undefined;
    if (block?.kind !== 'tool' || block.argsSeen) return '';
    // A no-argument call streams no JSON; "" would not parse when the client replays it.
    block.argsSeen = true;
    return this.chunk({ tool_calls: [{ index: block.slot!, function: { arguments: '{}' } }] });
  }

  private finish(): string {
    let out = this.opening();
    this.state = 'done';
    out += this.chunk({}, finishReason(this.stopReason, this.nextTool > 0));
    if (this.options.includeUsage) out += this.frame({ ...this.head(), choices: [], usage: chatUsageFromWire(this.wireUsage) });
    return out + 'data: [DONE]\n\n';
  }

  private head(): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
    return { id: this.options.id, object: 'chat.completion.chunk', created: this.options.created, model: this.options.model };
  }

  private chunk(delta: Delta, finish: ChatFinishReason | null = null): string {
    const chunk: ChatCompletionChunk = { ...this.head(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    if (this.options.includeUsage) chunk.usage = null;
    return this.frame(chunk);
  }

  private frame(chunk: ChatCompletionChunk): string {
    return encodeSseEvent({ data: JSON.stringify(chunk) });
  }
}
