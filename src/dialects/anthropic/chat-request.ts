import type { ChatRequest } from '../../core/chat-types.js';
import { badRequest } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { convertMessages, type Turn } from './chat-messages.js';
import { refuseUnsupportedParams } from './chat-params.js';
import { thinkingFor } from './chat-thinking.js';
import { convertTools } from './chat-tools.js';

export { ANTHROPIC_IGNORED_PARAMS, ANTHROPIC_REFUSED_PARAMS } from './chat-params.js';

export interface ChatToAnthropicOptions {
  upstreamModel: string;
  /**
   * `max_tokens` when the client sent no cap. Thinking shares it, so the model's max output is a better
   * default than a small number.
   */
  defaultMaxTokens: number;
}

/** Appended to `system` for `response_format: json_object`: Anthropic has no JSON mode. */
export const JSON_OBJECT_INSTRUCTION = 'Respond with a single valid JSON object and nothing else: no prose, no Markdown code fences.';

/**
 * An OpenAI chat request as an Anthropic Messages body (docs/reference/translation.md §1–§8, §15). Throws a
 * `TG_ERR_BAD_REQUEST` GatewayError naming the parameter for anything Anthropic cannot honour.
 *
 * Choices (see the helpers for the rest):
 * - `temperature` is clamped to Anthropic's 0..1 (OpenAI allows up to 2); with thinking on, `temperature`
 *   and `top_p` are dropped (Anthropic rejects them with thinking).
 * - `response_format`: `json_schema` → native structured output `output_config.format` (models without it
 *   answer 400, which reaches the client); `json_object`, or `json_schema` without a schema → an
 *   instruction appended to `system`. The tool-forcing trick is not used: it collides with the client's
 *   own tools and with thinking.
 * - `stop` → `stop_sequences`, whitespace-only entries dropped (Anthropic rejects them).
 * - `safety_identifier` (or the older `user`) → `metadata.user_id`.
 */
export function chatToAnthropic(req: ChatRequest, options: ChatToAnthropicOptions): Record<string, unknown> {
  if (!isJsonObject(req)) throw badRequest('The request body must be a JSON object.');
  refuseUnsupportedParams(req);
  const conversation = convertMessages(req.messages);
  if (conversation.turns.length === 0) throw badRequest("'messages' must hold at least one non-empty user or assistant message.", 'messages');
  const maxTokens = maxTokensOf(req, options.defaultMaxTokens);
  const tools = convertTools(req.tools, req.tool_choice, req.parallel_tool_calls);
  const format = responseFormat(req.response_format);

  const body: JsonObject = { model: options.upstreamModel, max_tokens: maxTokens };
  const system = format.instruction ? [...conversation.system, format.instruction] : conversation.system;
  if (system.length > 0) body.system = system.join('\n\n');
  body.messages = conversation.turns;
  if (tools.tools) body.tools = tools.tools;
  if (tools.toolChoice) body.tool_choice = tools.toolChoice;
  if (format.outputConfig) body.output_config = format.outputConfig;
  const stops = stopSequences(req.stop);
  if (stops.length > 0) body.stop_sequences = stops;
  const thinking = thinkingFor(req.reasoning_effort, maxTokens, {
    forcedTool: tools.forced,
    prefill: conversation.prefill,
    toolLoop: lastAssistantCallsTools(conversation.turns),
  });
  if (thinking) body.thinking = thinking;
  else Object.assign(body, sampling(req));
  const userId = firstString(req.safety_identifier, req.user);
  if (userId !== undefined) body.metadata = { user_id: userId };
  if (req.stream === true) body.stream = true;
  return body;
}

function maxTokensOf(req: ChatRequest, fallback: number): number {
  for (const name of ['max_completion_tokens', 'max_tokens'] as const) {
    const value = req[name];
    if (value === undefined || value === null) continue;
    if (!Number.isInteger(value) || value < 1) throw badRequest(`'${name}' must be a positive integer.`, name);
    return value;
  }
  return fallback;
}

function sampling(req: ChatRequest): JsonObject {
  const out: JsonObject = {};
  const { temperature, top_p: topP } = req;
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) throw badRequest("'temperature' must be a number between 0 and 2.", 'temperature');
    // OpenAI's range is 0–2, Anthropic's 0–1: values above 1 are sent as 1.
    out.temperature = Math.min(1, temperature);
  }
  if (topP !== undefined && topP !== null) {
    if (typeof topP !== 'number' || !(topP >= 0 && topP <= 1)) throw badRequest("'top_p' must be a number between 0 and 1.", 'top_p');
    out.top_p = topP;
  }
  return out;
}

function stopSequences(stop: unknown): string[] {
  if (stop === undefined || stop === null) return [];
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw badRequest("'stop' must be a string or an array of strings.", 'stop');
  return list.filter((s: string) => s.trim() !== '');
}

function responseFormat(format: unknown): { instruction?: string; outputConfig?: JsonObject } {
  if (format === undefined || format === null) return {};
  if (!isJsonObject(format)) throw badRequest("'response_format' must be an object.", 'response_format');
  switch (format.type) {
    case 'text':
      return {};
    case 'json_object':
      return { instruction: JSON_OBJECT_INSTRUCTION };
    case 'json_schema': {
      const spec = format.json_schema;
      if (!isJsonObject(spec)) throw badRequest("response_format json_schema needs a 'json_schema' object.", 'response_format.json_schema');
      if (spec.schema === undefined || spec.schema === null) return { instruction: JSON_OBJECT_INSTRUCTION };
      if (!isJsonObject(spec.schema)) throw badRequest('The JSON schema must be an object.', 'response_format.json_schema.schema');
      return { outputConfig: { format: { type: 'json_schema', schema: spec.schema } } };
    }
    default:
      throw badRequest(`response_format type ${JSON.stringify(format.type)} is not supported.`, 'response_format.type');
  }
}

function lastAssistantCallsTools(turns: Turn[]): boolean {
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    if (turn.role === 'assistant') return turn.content.some((b) => b.type === 'tool_use');
  }
  return false;
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v !== '');
}
