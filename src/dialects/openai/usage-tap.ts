import { SseParser, type SseEvent } from '../../lib/sse.js';
import { readTopLevelFields, scanTopLevel } from '../../lib/json-fields.js';
import { JsonUsageTap, type UsageTap, type UsageTapResult } from '../../core/usage-tap.js';
import type { Usage } from '../../core/usage.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import {
  usageFromChatCompletion,
  usageFromEmbeddings,
  usageFromImages,
  usageFromResponsesObject,
  usageFromTranscription,
} from './usage.js';
import { withReportedCost } from './usage-cost.js';

function parseObject(data: string): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return isJsonObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export { OpenAIChatStreamTap } from './chat-stream-tap.js';

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const TEXT_DELTAS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
  'response.mcp_call_arguments.delta',
  'response.code_interpreter_call_code.delta',
]);

/**
 * Responses API stream (docs/reference/openai.md §2.3): usage from the terminal event (`response.completed`,
 * `.incomplete`, `.failed`), the model from any event's `response`, and the text deltas.
 * Complete = a terminal event seen.
 */
export class OpenAIResponsesStreamTap implements UsageTap {
  private readonly sse = new SseParser();
  private usage: Usage | undefined;
  private model: string | undefined;
  private text: string[] = [];
  private terminal = false;

  push(chunk: Buffer): void {
    for (const event of this.sse.push(chunk)) this.onEvent(event);
  }

  end(): UsageTapResult {
    for (const event of this.sse.end()) this.onEvent(event);
    const result: UsageTapResult = { complete: this.terminal, outputText: this.text.join('') };
    if (this.usage) result.usage = this.usage;
    if (this.model) result.model = this.model;
    return result;
  }

  private onEvent(event: SseEvent): void {
    const data = parseObject(event.data);
    if (!data) return;
    const type = typeof data.type === 'string' ? data.type : event.event;
    if (type === undefined) return;
    if (TEXT_DELTAS.has(type)) {
      if (typeof data.delta === 'string') this.text.push(data.delta);
      return;
    }
    const response = data.response;
    if (!isJsonObject(response)) return;
    if (typeof response.model === 'string') this.model = response.model;
    if (TERMINAL.has(type)) {
      this.terminal = true;
      this.usage = usageFromResponsesObject(response) ?? this.usage;
    }
  }
}

const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;

/**
 * True when the event is the trailing usage-only chunk of a chat stream (`choices: []` with a usage
 * object) — the one to drop when the gateway, not the client, asked for `include_usage`.
 */
export function stripUsageChunk(event: SseEvent): boolean {
  if (!EMPTY_CHOICES.test(event.data)) return false; // cheap filter: most chunks are not it
  const chunk = parseObject(event.data);
  return !!chunk && Array.isArray(chunk.choices) && chunk.choices.length === 0 && isJsonObject(chunk.usage);
}

const INCLUDE_USAGE = '{"include_usage":true}';

/**
 * For a streaming chat request, the body with `stream_options.include_usage: true`, changed in place
 * at byte level (everything else byte-for-byte). `added` is true when the client did not ask for the
 * usage chunk itself (absent, or explicitly false) — then the relay must strip it. Non-stream bodies,
 * invalid JSON and a non-object `stream_options` are returned untouched.
 */
export function withIncludeUsage(body: Buffer): { body: Buffer; added: boolean } {
  const unchanged = { body, added: false };
  const fields = readTopLevelFields(body, ['stream', 'stream_options']);
  if (fields.stream !== true) return unchanged;
  const options = fields.stream_options;
  if (options !== undefined && options !== null && !isJsonObject(options)) return unchanged;
  if (isJsonObject(options) && options.include_usage === true) return unchanged;
  const scan = scanTopLevel(body);
  if (!scan?.closed) return unchanged; // not a well-formed object: the upstream will judge it
  const range = scan.fields.filter((f) => f.key === 'stream_options').at(-1);
  if (!range) {
    const insert = Buffer.from(`"stream_options":${INCLUDE_USAGE},`, 'utf8');
    return { body: Buffer.concat([body.subarray(0, scan.open + 1), insert, body.subarray(scan.open + 1)]), added: true };
  }
  const replacement = isJsonObject(options) ? JSON.stringify({ ...options, include_usage: true }) : INCLUDE_USAGE;
  const spliced = [body.subarray(0, range.start), Buffer.from(replacement, 'utf8'), body.subarray(range.end)];
  return { body: Buffer.concat(spliced), added: true };
}

/** Non-stream OpenAI bodies: the op's usage parser over the whole (buffered) JSON body. */
export type OpenAIJsonOp = 'chat' | 'completions' | 'responses' | 'embeddings' | 'images' | 'transcription';

const JSON_PARSERS: Record<OpenAIJsonOp, (body: unknown) => Usage | undefined> = {
  chat: usageFromChatCompletion,
  completions: usageFromChatCompletion,
  responses: usageFromResponsesObject,
  embeddings: usageFromEmbeddings,
  images: usageFromImages,
  transcription: usageFromTranscription,
};

/** `reportedCost`: the provider prices each call in `usage.cost` (OpenRouter), which is kept in the usage. */
export function openAIJsonTap(op: OpenAIJsonOp, maxBytes?: number, reportedCost = false): UsageTap {
  const model = (body: unknown): string | undefined =>
    isJsonObject(body) && typeof body.model === 'string' ? body.model : undefined;
  const fields = op === 'transcription' ? ['usage', 'duration', 'model'] : ['usage', 'model'];
  const text = op === 'chat' || op === 'completions' || op === 'responses' ? openAIAnswerText : undefined;
  return new JsonUsageTap(JSON_PARSERS[op], {
    model,
    fields,
    ...(text ? { text } : {}),
    ...(maxBytes === undefined ? {} : { maxBytes }),
    ...(reportedCost ? { fromBytes: withReportedCost } : {}),
  });
}

/** Generated text of a chat, completions or Responses answer: message content, tool-call arguments, legacy text. */
export function openAIAnswerText(body: unknown): string {
  if (!isJsonObject(body)) return '';
  const parts: string[] = [];
  for (const choice of Array.isArray(body.choices) ? body.choices : []) {
    if (!isJsonObject(choice)) continue;
    if (typeof choice.text === 'string') parts.push(choice.text);
    const message = isJsonObject(choice.message) ? choice.message : undefined;
    if (typeof message?.content === 'string') parts.push(message.content);
    if (typeof message?.refusal === 'string') parts.push(message.refusal);
    for (const call of Array.isArray(message?.tool_calls) ? message.tool_calls : []) {
      const fn = isJsonObject(call) && isJsonObject(call.function) ? call.function : undefined;
      if (fn) parts.push(String(fn.name ?? ''), String(fn.arguments ?? ''));
    }
  }
  for (const item of Array.isArray(body.output) ? body.output : []) {
    if (!isJsonObject(item)) continue;
    if (typeof item.arguments === 'string') parts.push(item.arguments);
    for (const content of Array.isArray(item.content) ? item.content : []) {
      if (isJsonObject(content) && typeof content.text === 'string') parts.push(content.text);
    }
  }
  return parts.join('\n');
}
