import type { ChatChunkToolCallDelta, ChatFinishReason, ChatUsage } from '../../core/chat-types.js';
import type { Usage } from '../../core/usage.js';
import type { SseEvent } from '../../lib/sse.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import {
  chatUsageFromGemini,
  finishReasonFromGemini,
  geminiErrorToOpenAI,
  logprobsFromGemini,
  readParts,
  type ChatLogprobs,
  type OpenAIErrorResult,
} from './chat-response.js';
import { signatureExtra, type GeminiExtraContent } from './tool-ids.js';
import { usageFromMetadata } from './usage.js';

/**
 * Gemini `streamGenerateContent?alt=sse` records → OpenAI chat-completion SSE bytes (docs/reference/translation.md §12.2,
 * docs/reference/openai.md §1.4). Feed it the parsed events (`SseParser` from `lib/sse.ts`); each call returns the bytes
 * to write (possibly ''). Per choice (Gemini candidate):
 * - a role chunk (`{role:"assistant",content:""}`) when the candidate first appears;
 * - text → `delta.content` (adjacent parts of one record merged, with the record's logprobs if asked),
 *   thought text → `delta.reasoning_content`;
 * - each `functionCall` (Gemini sends them whole) → ONE tool-call delta with `index` (counted per choice
 *   across records, so parallel calls split over records keep 0, 1, 2…), `id` (`tool-ids.ts`), `type`,
 *   `name`, the complete `arguments`, and `extra_content` carrying the thought signature. A signature that
 *   arrives later on a part of its own → a delta `{index, extra_content}` for the choice's first call;
 * - `finishReason` → the finish chunk at once (docs/reference/translation.md §10; `tool_calls` when the choice made calls). Parts of a
 *   finished candidate are ignored.
 * `usageMetadata` repeats running totals: the last one wins (never summed). `end()` at EOF: the usage chunk
 * (`choices: []`, only with `includeUsage`) and `data: [DONE]`. Errors:
 * - an `{error}` record → the OpenAI error payload; nothing after it (no finish, no usage chunk, no [DONE]);
 * - an unparseable record → an error payload the same way;
 * - EOF before every started candidate finished (or before any content) → an error payload from `end()`:
 *   a cut stream never gets a fake finish_reason.
 * `usage()` is the last `usageMetadata` seen, whatever the outcome (billing for cut streams).
 */

export interface GeminiChatStreamOptions {
  model: string;
  created: number;
  id: string;
  includeUsage: boolean;
}

interface ChoiceState {
  finished: boolean;
  nextTool: number;
  /** Whether the first call of the message has a signature yet (undefined: no call yet). */
  firstCallSigned?: boolean;
}

type ToolCallDelta = ChatChunkToolCallDelta & { extra_content?: GeminiExtraContent };

interface Delta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
}

export class GeminiChatStream {
  private readonly choices = new Map<number, ChoiceState>();
  private lastUsage: unknown;
  private state: 'open' | 'done' | 'error' = 'open';

  constructor(private readonly options: GeminiChatStreamOptions) {}

  /** 'done' after a complete stream's `[DONE]`, 'error' after an error payload. */
  get outcome(): 'open' | 'done' | 'error' {
    return this.state;
  }

  push(event: SseEvent): string {
    if (this.state !== 'open') return '';
    const data = event.data.trim();
    if (!data) return '';
    let record: unknown;
    try {
      record = JSON.parse(data);
    } catch {
      return this.fail(serverError('Gemini sent an unreadable stream record', 'bad_upstream_response'));
    }
    if (!isJsonObject(record)) return '';
    if (record.error !== undefined) return this.fail(geminiErrorToOpenAI(200, record).body);
    if (isJsonObject(record.usageMetadata)) this.lastUsage = record.usageMetadata;

    let out = '';
    const candidates = Array.isArray(record.candidates) ? record.candidates.filter(isJsonObject) : [];
    candidates.forEach((c, position) => {
      const index = typeof c.index === 'number' ? c.index : position;
      const [st, opened] = this.choice(index);
      out += opened;
      if (st.finished) return;
      out += this.parts(index, st, isJsonObject(c.content) ? c.content.parts : undefined, logprobsFromGemini(c.logprobsResult));
      if (typeof c.finishReason === 'string') {
        st.finished = true;
        out += this.finish(index, finishReasonFromGemini(c.finishReason, st.nextTool > 0));
      }
    });
    if (candidates.length === 0 && isJsonObject(record.promptFeedback) && typeof record.promptFeedback.blockReason === 'string') {
      const [st, opened] = this.choice(0);
      out += opened;
      if (!st.finished) {
        st.finished = true;
        out += this.finish(0, 'content_filter');
      }
    }
    return out;
  }

  /** Call at the upstream's EOF. */
  end(): string {
    if (this.state !== 'open') return '';
    const complete = this.choices.size > 0 && [...this.choices.values()].every((c) => c.finished);
    if (!complete) return this.fail(serverError('The Gemini stream ended before the response was complete', 'stream_incomplete'));
    this.state = 'done';
    let out = '';
    if (this.options.includeUsage && this.lastUsage !== undefined) out += this.chunk([], chatUsageFromGemini(this.lastUsage));
    return `${out}data: [DONE]\n\n`;
  }

  usage(): Usage | undefined {
    return usageFromMetadata(this.lastUsage);
  }

  private choice(index: number): [ChoiceState, string] {
    const existing = this.choices.get(index);
    if (existing) return [existing, ''];
    const st: ChoiceState = { finished: false, nextTool: 0 };
    this.choices.set(index, st);
    return [st, this.delta(index, { role: 'assistant', content: '' })];
  }

  private parts(index: number, st: ChoiceState, parts: unknown, logprobs: ChatLogprobs | undefined): string {
    if (!Array.isArray(parts)) return '';
    let out = '';
    let pending: Delta | undefined; // adjacent text (or thought) parts merge into one delta
    const flush = () => {
      if (!pending) return;
      const withLogprobs = pending.content !== undefined && logprobs;
      out += this.delta(index, pending, withLogprobs ? logprobs : null);
      if (withLogprobs) logprobs = undefined;
      pending = undefined;
    };
    for (const part of parts) {
      const read = readParts([part], { completionId: this.options.id, choice: index, firstSlot: st.nextTool });
      if (read.text || read.reasoning) {
        const key = read.text ? 'content' : 'reasoning_content';
        if (pending && pending[key] === undefined) flush();
        pending ??= {};
        pending[key] = (pending[key] ?? '') + (read.text || read.reasoning);
        continue;
      }
      flush();
      for (const call of read.toolCalls) {
        const slot = st.nextTool++;
        const delta: ToolCallDelta = { index: slot, id: call.id, type: 'function', function: call.function };
        if (call.extra_content) delta.extra_content = call.extra_content;
        if (slot === 0) st.firstCallSigned = call.extra_content !== undefined;
        out += this.delta(index, { tool_calls: [delta] });
      }
      if (read.lateSignature && st.firstCallSigned === false) {
        st.firstCallSigned = true;
        out += this.delta(index, { tool_calls: [{ index: 0, extra_content: signatureExtra(read.lateSignature) }] });
      }
    }
    flush();
    return out;
  }

  private delta(index: number, delta: Delta, logprobs: ChatLogprobs | null = null): string {
    return this.chunk([{ index, delta, logprobs, finish_reason: null }]);
  }

  private finish(index: number, reason: ChatFinishReason): string {
    return this.chunk([{ index, delta: {}, logprobs: null, finish_reason: reason }]);
  }

  private chunk(choices: unknown[], usage?: ChatUsage): string {
    const { id, created, model, includeUsage } = this.options;
    const chunk: JsonObject = { id, object: 'chat.completion.chunk', created, model, choices };
    if (includeUsage) chunk.usage = usage ?? null;
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  private fail(body: OpenAIErrorResult['body']): string {
    this.state = 'error';
    return `data: ${JSON.stringify(body)}\n\n`;
  }
}

function serverError(message: string, code: string): OpenAIErrorResult['body'] {
  return { error: { message, type: 'server_error', param: null, code } };
}
