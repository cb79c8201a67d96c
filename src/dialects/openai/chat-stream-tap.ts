import type { UsageTap, UsageTapResult } from '../../core/usage-tap.js';
import type { Usage } from '../../core/usage.js';
import { SseParser, type SseEvent } from '../../lib/sse.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { eventEnd, hasUsageObject } from './sse-bytes.js';
import { usageFromChatCompletion } from './usage.js';
import { withReportedCost } from './usage-cost.js';

const DONE = Buffer.from('[DONE]');
const ERROR = Buffer.from('"error"');
const KEEP_AT_MOST = 8 * 1024 * 1024;

/**
 * Chat Completions stream (docs/reference/openai.md §1.4): the LAST non-null `usage` (normally the trailing
 * `choices: []` chunk), the `model`, and — only when asked, for a stream that ended without usage —
 * the delivered text (content, refusals, reasoning of OpenAI-compatible hosts, tool-call names and
 * arguments, legacy `text`). Complete = `[DONE]` or a usage chunk seen, and no in-stream error.
 *
 * Works on bytes: events are found with `indexOf`, and only the few that can carry the model, usage,
 * an error or `[DONE]` are decoded and parsed. The stream's bytes are kept in one buffer (bounded) so
 * the text can be recovered for a cut stream; nothing per content event lives on the JS heap.
 */
export class OpenAIChatStreamTap implements UsageTap {
  private bytes = Buffer.allocUnsafe(8 * 1024);
  private length = 0;
  private scanned = 0;
  private truncated = false;
  private usage: Usage | undefined;
  private model: string | undefined;
  private done = false;
  private failed = false;

  /** `reportedCost`: the provider prices each call in `usage.cost` (OpenRouter), which is kept in the usage. */
  constructor(private readonly reportedCost = false) {}

  push(chunk: Buffer): void {
    if (!this.truncated && this.length + chunk.length > this.bytes.length) this.grow(this.length + chunk.length);
    if (this.truncated) {
      // Only the unfinished event is kept from here on.
      const data = this.length > 0 ? Buffer.concat([this.bytes.subarray(0, this.length), chunk]) : chunk;
      const rest = this.scanEvents(data, 0, data.length);
      this.bytes = Buffer.from(data.subarray(rest));
      this.length = this.bytes.length;
      this.scanned = 0;
      return;
    }
    chunk.copy(this.bytes, this.length);
    this.length += chunk.length;
    this.scanned = this.scanEvents(this.bytes, this.scanned, this.length);
  }

  end(): UsageTapResult {
    if (this.scanned < this.length) this.inspect(this.bytes.subarray(this.scanned, this.length));
    const complete = !this.failed && (this.done || this.usage !== undefined);
    const text = () => (this.truncated ? '' : collectText(this.bytes.subarray(0, this.length)));
    const result: UsageTapResult = {
      complete,
      // Built on demand: a complete stream is billed from its usage and never needs its text.
      get outputText() {
        return text();
      },
    };
    if (this.usage) result.usage = this.usage;
    if (this.model) result.model = this.model;
    return result;
  }

  /** Inspects each complete event in data[from, limit); returns where the unfinished tail starts. */
  private scanEvents(data: Buffer, from: number, limit: number): number {
    let start = from;
    for (let end = eventEnd(data, start, limit); end > 0; end = eventEnd(data, start, limit)) {
      this.inspect(data.subarray(start, end));
      start = end;
    }
    return start;
  }

  private inspect(raw: Buffer): void {
    const interesting = this.model === undefined || raw.indexOf(DONE) >= 0 || raw.indexOf(ERROR) >= 0 || hasUsageObject(raw);
    if (!interesting) return;
    const parser = new SseParser();
    for (const event of [...parser.push(raw), ...parser.end()]) this.onEvent(event);
  }

  private onEvent(event: SseEvent): void {
    if (event.data === '[DONE]') {
      this.done = true;
      return;
    }
    const chunk = parseObject(event.data);
    if (event.event === 'error' || (chunk && chunk.error !== undefined && chunk.error !== null)) {
      this.failed = true;
      return;
    }
    if (!chunk) return;
    if (this.model === undefined && typeof chunk.model === 'string') this.model = chunk.model;
    if (!isJsonObject(chunk.usage)) return;
    const usage = usageFromChatCompletion(chunk);
    if (usage) this.usage = this.reportedCost ? withReportedCost(usage, Buffer.from(event.data, 'utf8')) : usage;
  }

  private grow(needed: number): void {
    if (needed > KEEP_AT_MOST) {
      // Very long stream: stop keeping bytes (the text of a cut stream is then unknown); keep scanning.
      const rest = this.scanEvents(this.bytes, this.scanned, this.length);
      this.truncated = true;
      this.bytes = Buffer.from(this.bytes.subarray(rest, this.length));
      this.length = this.bytes.length;
      this.scanned = 0;
      return;
    }
    const next = Buffer.allocUnsafe(Math.min(KEEP_AT_MOST, Math.max(needed, this.bytes.length * 2)));
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
  }
}

function parseObject(data: string): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return isJsonObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The text a stream delivered, from its bytes; used only when it ended without usage. */
function collectText(bytes: Buffer): string {
  const parser = new SseParser();
  const text: string[] = [];
  const pushCall = (fn: JsonObject) => {
    if (typeof fn.name === 'string') text.push(fn.name);
    if (typeof fn.arguments === 'string') text.push(fn.arguments);
  };
  for (const event of [...parser.push(bytes), ...parser.end()]) {
    const chunk = parseObject(event.data);
    if (!chunk || !Array.isArray(chunk.choices)) continue;
    for (const choice of chunk.choices) {
      if (!isJsonObject(choice)) continue;
      if (typeof choice.text === 'string') text.push(choice.text);
      const delta = choice.delta;
      if (!isJsonObject(delta)) continue;
      for (const key of ['reasoning_content', 'reasoning', 'content', 'refusal'] as const) {
        const v = delta[key];
        if (typeof v === 'string' && v !== '') text.push(v);
      }
      if (isJsonObject(delta.function_call)) pushCall(delta.function_call);
      if (Array.isArray(delta.tool_calls)) {
        for (const call of delta.tool_calls) if (isJsonObject(call) && isJsonObject(call.function)) pushCall(call.function);
      }
    }
  }
  return text.join('');
}
