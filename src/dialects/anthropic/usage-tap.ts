import { SseParser, type SseEvent } from '../../lib/sse.js';
import { JsonUsageTap, type UsageTap, type UsageTapResult } from '../../core/usage-tap.js';
import { isJsonObject } from '../../lib/json-value.js';
import {
  cacheWritesFromWire,
  overlayWireUsage,
  usageFromMessage,
  usageFromWire,
  type AnthropicCacheWrites,
  type AnthropicWireUsage,
} from './usage.js';

export interface AnthropicStreamTapResult extends UsageTapResult {
  /** The 5m/1h split of `usage.cacheWriteTokens` (present when usage is). */
  cacheWrites?: AnthropicCacheWrites;
}

/**
 * Messages stream (docs/reference/anthropic.md §6, §10). Usage = `message_start.message.usage` overlaid with every
 * non-null field of each `message_delta.usage` (cumulative counts: the last value of each field wins,
 * never a sum). Text = text, thinking and `input_json_delta` fragments. Complete = `message_stop`
 * seen and no `error` event. A stream cut after `message_start` still reports its usage (input and
 * cache counts; output is only the initial count — estimate from `outputText`).
 */
export class AnthropicStreamTap implements UsageTap {
  private readonly sse = new SseParser();
  private wire: AnthropicWireUsage | undefined;
  private model: string | undefined;
  private text: string[] = [];
  private stopped = false;
  private failed = false;

  push(chunk: Buffer): void {
    for (const event of this.sse.push(chunk)) this.onEvent(event);
  }

  end(): AnthropicStreamTapResult {
    for (const event of this.sse.end()) this.onEvent(event);
    const result: AnthropicStreamTapResult = { complete: this.stopped && !this.failed, outputText: this.text.join('') };
    const usage = usageFromWire(this.wire);
    if (usage) {
      result.usage = usage;
      result.cacheWrites = cacheWritesFromWire(this.wire);
    }
    if (this.model) result.model = this.model;
    return result;
  }

  private onEvent(event: SseEvent): void {
    // Cheap pre-filter: ping and block start/stop events carry nothing we need.
    if (event.event === 'ping' || event.event === 'content_block_stop') return;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!isJsonObject(data)) return;
    const type = typeof data.type === 'string' ? data.type : event.event;
    switch (type) {
      case 'message_start': {
        const message = data.message;
        if (!isJsonObject(message)) return;
        if (typeof message.model === 'string') this.model = message.model;
        this.wire = overlayWireUsage(this.wire, message.usage);
        return;
      }
      case 'content_block_start': {
        const block = data.content_block;
        if (isJsonObject(block) && block.type === 'text' && typeof block.text === 'string') this.text.push(block.text);
        else if (isJsonObject(block) && block.type === 'thinking' && typeof block.thinking === 'string') this.text.push(block.thinking);
        else if (isJsonObject(block) && typeof block.name === 'string') this.text.push(block.name);
        return;
      }
      case 'content_block_delta': {
        const delta = data.delta;
        if (!isJsonObject(delta)) return;
        const piece = delta.type === 'text_delta' ? delta.text : delta.type === 'thinking_delta' ? delta.thinking : delta.partial_json;
        if (typeof piece === 'string') this.text.push(piece);
        return;
      }
      case 'message_delta':
        this.wire = overlayWireUsage(this.wire, data.usage);
        return;
      case 'message_stop':
        this.stopped = true;
        return;
      case 'error':
        this.failed = true;
        return;
      default:
        return;
    }
  }
}

/** Non-stream Messages body: `usageFromMessage` over the buffered JSON. */
export function anthropicJsonTap(maxBytes?: number): UsageTap {
  const model = (body: unknown): string | undefined =>
    isJsonObject(body) && typeof body.model === 'string' ? body.model : undefined;
  const fields = ['usage', 'model'];
  const text = (body: unknown): string =>
    isJsonObject(body) && Array.isArray(body.content)
      ? body.content
          .map((block) => (isJsonObject(block) ? (typeof block.text === 'string' ? block.text : typeof block.thinking === 'string' ? block.thinking : block.input ? JSON.stringify(block.input) : '') : ''))
          .join('\n')
      : '';
  return new JsonUsageTap(usageFromMessage, { model, fields, text, ...(maxBytes === undefined ? {} : { maxBytes }) });
}
