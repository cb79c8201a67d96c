import type { ChatRequest, ChatResponseFormat } from '../../core/chat-types.js';
import { badRequest } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { inputToMessages } from './responses-items.js';
import { planTools } from './responses-tools.js';

/**
 * `POST /v1/responses` for a model that speaks only Chat Completions (docs/reference/translation.md §13): the Responses
 * request becomes a chat request, which the gateway then serves like any other. Every 400 names the
 * Responses field at fault.
 */

/** Accepted and dropped: none of them changes what a correct answer looks like. */
export const RESPONSES_IGNORED_PARAMS = [
  'store', // kept by the unified service's response store (services/unified/responses-store.ts), not by the bridge
  'metadata', // tags of the stored response; echoed in the answer, never sent upstream
  'include', // extra output (encrypted reasoning, logprobs, hosted-tool results) that chat upstreams do not produce
  'truncation', // the gateway never truncates input; the answer says `truncation: "disabled"`
  'service_tier', // OpenAI price tiers
  'prompt_cache_key', // OpenAI cache routing hints
  'prompt_cache_retention', // idem
  'prompt_cache_options', // idem
  'top_logprobs', // chat upstreams behind the bridge return no log-probabilities
  'stream_options', // obfuscation padding only; usage always ends a Responses stream
  'max_tool_calls', // caps built-in (hosted) tool calls, which the bridge refuses anyway
  'context_management', // server-side compaction of long inputs; the input is sent whole
] as const;

/**
 * Refused with a 400 naming the parameter unless neutral (null, false, empty): each needs state or an OpenAI
 * service. `previous_response_id` is expanded by the response store before the bridge (so it reaches the
 * bridge only when no store was consulted).
 */
export const RESPONSES_REFUSED_PARAMS = [
  'previous_response_id', // continues a stored response
  'conversation', // continues a stored conversation
  'background', // runs detached and is polled later by id
  'prompt', // a stored prompt template
  'moderation', // moderated responses are an OpenAI service
] as const;

export function responsesToChat(body: Record<string, unknown>): ChatRequest {
  if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object.');
  refuseStatefulParams(body);
  if (typeof body.model !== 'string' || body.model === '') throw badRequest("'model' is required.", 'model');
  if (body.input === undefined || body.input === null) throw badRequest("'input' is required.", 'input');

  const messages = inputToMessages(body.input);
  const instructions = optional(body, 'instructions', 'string');
  if (instructions) messages.unshift({ role: 'system', content: instructions });
  const chat: ChatRequest = { model: body.model, messages };

  const { tools, toolChoice } = planTools(body);
  if (tools) chat.tools = tools;
  if (toolChoice !== undefined) chat.tool_choice = toolChoice;
  const parallel = optional(body, 'parallel_tool_calls', 'boolean');
  if (parallel !== undefined) chat.parallel_tool_calls = parallel;
  const format = convertTextFormat(body.text);
  if (format) chat.response_format = format;

  const maxOutput = body.max_output_tokens;
  if (maxOutput !== undefined && maxOutput !== null) {
    if (!Number.isInteger(maxOutput) || (maxOutput as number) < 1) throw badRequest("'max_output_tokens' must be a positive integer.", 'max_output_tokens');
    chat.max_completion_tokens = maxOutput as number;
  }
  const temperature = optional(body, 'temperature', 'number');
  if (temperature !== undefined) chat.temperature = temperature;
  const topP = optional(body, 'top_p', 'number');
  if (topP !== undefined) chat.top_p = topP;
  const effort = reasoningEffort(body.reasoning);
  if (effort !== undefined) chat.reasoning_effort = effort;
  const user = optional(body, 'user', 'string');
  if (user !== undefined) chat.user = user;
  const safetyIdentifier = optional(body, 'safety_identifier', 'string');
  if (safetyIdentifier !== undefined) chat.safety_identifier = safetyIdentifier;

  const stream = optional(body, 'stream', 'boolean');
  if (stream) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return chat;
}

const REFUSAL_REASONS: Record<(typeof RESPONSES_REFUSED_PARAMS)[number], string> = {
  previous_response_id: "it needs the gateway's response store, which this call did not consult, so send the whole conversation in 'input'",
  conversation: "this gateway keeps no stored conversations, so send the whole conversation in 'input'",
  background: 'this gateway keeps no stored responses to poll later, so run the request in the foreground',
  prompt: "this gateway keeps no stored prompt templates, so send 'instructions' and 'input'",
  moderation: 'moderated responses are an OpenAI service',
};

function refuseStatefulParams(body: JsonObject): void {
  for (const name of RESPONSES_REFUSED_PARAMS) {
    const value = body[name];
    if (value === undefined || value === null || value === false || value === '') continue;
    if (isJsonObject(value) && Object.keys(value).length === 0) continue;
    throw badRequest(`'${name}' is not supported for this model: ${REFUSAL_REASONS[name]}.`, name);
  }
}

type Kind = { string: string; number: number; boolean: boolean };

/** A scalar field that may be absent or null; a value of another type is a 400. */
function optional<K extends keyof Kind>(body: JsonObject, name: string, kind: K): Kind[K] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value))) throw badRequest(`'${name}' must be a ${kind}.`, name);
  return value as Kind[K];
}

function convertTextFormat(text: unknown): ChatResponseFormat | undefined {
  if (text === undefined || text === null) return undefined;
  if (!isJsonObject(text)) throw badRequest("'text' must be an object.", 'text');
  const format = text.format; // `verbosity` is a length hint with no chat equivalent: ignored
  if (format === undefined || format === null) return undefined;
  if (!isJsonObject(format)) throw badRequest("'text.format' must be an object.", 'text.format');
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      if (typeof format.name !== 'string' || format.name === '') throw badRequest('A json_schema format needs a `name`.', 'text.format.name');
      if (!isJsonObject(format.schema)) throw badRequest('A json_schema format needs a `schema` object.', 'text.format.schema');
      const spec: Extract<ChatResponseFormat, { type: 'json_schema' }>['json_schema'] = { name: format.name, schema: format.schema };
      if (typeof format.description === 'string') spec.description = format.description;
      if (typeof format.strict === 'boolean') spec.strict = format.strict;
      return { type: 'json_schema', json_schema: spec };
    }
    default:
      throw badRequest(`text.format type ${JSON.stringify(format.type)} is not supported.`, 'text.format.type');
  }
}

function reasoningEffort(reasoning: unknown): string | undefined {
  if (reasoning === undefined || reasoning === null) return undefined;
  if (!isJsonObject(reasoning)) throw badRequest("'reasoning' must be an object.", 'reasoning');
  const effort = reasoning.effort; // `summary` is honoured as far as the upstream returns reasoning text
  if (effort === undefined || effort === null) return undefined;
  if (typeof effort !== 'string') throw badRequest("'reasoning.effort' must be a string.", 'reasoning.effort');
  return effort;
}
