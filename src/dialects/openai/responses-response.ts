import type { AnswerWarning, BridgeObserver } from '../../core/dialect.js';
import { GatewayError } from '../../core/errors.js';
import { isJsonObject } from '../../lib/json-value.js';
import { customInput, searchArguments } from './responses-custom.js';
import { toolOrigin, type ToolNames } from './responses-tools.js';

/**
 * A chat completion as a Responses API `Response` object (docs/reference/openai.md §2.2, docs/reference/translation.md §10–§13), and
 * the response skeleton the stream bridge (`responses-stream.ts`) shares, so a streamed answer ends with
 * the same object a non-streamed one returns.
 */

export interface ResponseContext {
  /** The model name to echo: the one the client asked for. */
  model: string;
  /** Unix seconds. */
  createdAt: number;
  /** The response id, `resp_…`; output item ids are derived from it, so they are stable per response. */
  id: string;
  /** The client's Responses request body: its settings are echoed in the response. */
  request: Readonly<Record<string, unknown>>;
  /** What the answer says of `store`: true when a response store is told of it (`observe`) and the client did not opt out. */
  store: boolean;
  /** Notes the response carries from the start (hosted tools dropped). */
  warnings: readonly AnswerWarning[];
  /** Chat function names → the tool each stands for (namespaced, custom, the client's tool search). */
  names: ToolNames;
  /** Told of the final response (completed or incomplete) before it is sent; its warnings are added. */
  observe?: BridgeObserver | undefined;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export type ResponseContentPart = { type: 'output_text'; text: string; annotations: never[] } | { type: 'refusal'; refusal: string };

export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
}

export interface MessageItem {
  type: 'message';
  id: string;
  role: 'assistant';
  status: ItemStatus;
  content: ResponseContentPart[];
}

export interface FunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  /** Set when the tool was one of a namespace tool's (the chat model saw `<namespace>__<name>`). */
  namespace?: string;
  arguments: string;
  status: ItemStatus;
}

/** A call of a custom tool: its `input` is the text the model wrote (the chat function's `input` argument). */
export interface CustomToolCallItem {
  type: 'custom_tool_call';
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
  status: ItemStatus;
}

/** A call of the client's tool search (the chat function `tool_search`): `arguments` parsed from the model's JSON. */
export interface ToolSearchCallItem {
  type: 'tool_search_call';
  id: string;
  call_id: string;
  execution: 'client';
  arguments: unknown;
  status: ItemStatus;
}

export type CallItem = FunctionCallItem | CustomToolCallItem | ToolSearchCallItem;
export type OutputItem = ReasoningItem | MessageItem | CallItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  tool_choice: unknown;
  tools: unknown[];
  text: unknown;
  max_output_tokens: number | null;
  previous_response_id: string | null;
  reasoning: { effort: unknown; summary: unknown };
  store: boolean;
  truncation: 'disabled';
  metadata: Record<string, unknown>;
  usage: ResponseUsage | null;
  user: string | null;
  /** tollgate's: what the gateway dropped or did not keep (absent when nothing). */
  warnings?: AnswerWarning[];
}

/** The response as `response.created` shows it; the caller fills status, output, usage and the outcome. */
export function responseSkeleton(ctx: ResponseContext): ResponseObject {
  const req = ctx.request;
  const reasoning = isJsonObject(req.reasoning) ? req.reasoning : {};
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.createdAt,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: typeof req.instructions === 'string' ? req.instructions : null,
    model: ctx.model,
    output: [],
    parallel_tool_calls: typeof req.parallel_tool_calls === 'boolean' ? req.parallel_tool_calls : true,
    // Not OpenAI's defaults (1): the upstream's own defaults apply, and the bridge does not know them.
    temperature: typeof req.temperature === 'number' ? req.temperature : null,
    top_p: typeof req.top_p === 'number' ? req.top_p : null,
    tool_choice: req.tool_choice ?? 'auto',
    tools: Array.isArray(req.tools) ? req.tools : [],
    text: { ...(isJsonObject(req.text) ? req.text : {}), format: isJsonObject(req.text) && isJsonObject(req.text.format) ? req.text.format : { type: 'text' } },
    max_output_tokens: typeof req.max_output_tokens === 'number' ? req.max_output_tokens : null,
    previous_response_id: typeof req.previous_response_id === 'string' ? req.previous_response_id : null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    store: ctx.store,
    truncation: 'disabled',
    metadata: isJsonObject(req.metadata) ? req.metadata : {},
    usage: null,
    user: typeof req.user === 'string' ? req.user : null,
    ...(ctx.warnings.length > 0 ? { warnings: [...ctx.warnings] } : {}),
  };
}

/** The final response after its observer saw it: with the observer's warnings, and `store: false` when it was not kept. */
export function observed(ctx: ResponseContext, response: ResponseObject, toolCallExtras: Record<string, unknown>): ResponseObject {
  if (!ctx.observe) return response;
  const more = ctx.observe({ answer: response, toolCallExtras });
  if (more.length === 0) return response;
  const kept = !more.some((w) => w.code === 'not_stored');
  return { ...response, store: response.store && kept, warnings: [...(response.warnings ?? []), ...more] };
}

/** The output item for a chat tool call (as it starts: empty, in progress), by what its function stands for. */
export function openCall(chatName: string, callId: string, toolIndex: number, ctx: ResponseContext, ids: ItemIds): CallItem {
  const origin = toolOrigin(chatName, ctx.names);
  const ns = origin.namespace !== undefined ? { namespace: origin.namespace } : {};
  if (origin.kind === 'custom') {
    return { type: 'custom_tool_call', id: ids.customCall(toolIndex), call_id: callId, name: origin.name, ...ns, input: '', status: 'in_progress' };
  }
  if (origin.kind === 'tool_search') {
    return { type: 'tool_search_call', id: ids.toolSearch(toolIndex), call_id: callId, execution: 'client', arguments: {}, status: 'in_progress' };
  }
  return { type: 'function_call', id: ids.functionCall(toolIndex), call_id: callId, name: origin.name, ...ns, arguments: '', status: 'in_progress' };
}

/** A call item's payload from the chat call's whole arguments. */
export function settleCall(item: CallItem, args: string): void {
  if (item.type === 'custom_tool_call') item.input = customInput(args);
  else if (item.type === 'tool_search_call') item.arguments = searchArguments(args);
  else item.arguments = args;
}

export interface ItemIds {
  reasoning(n: number): string;
  message(n: number): string;
  functionCall(toolIndex: number): string;
  customCall(toolIndex: number): string;
  toolSearch(toolIndex: number): string;
  /** For a tool call the upstream sent without an id. */
  callId(toolIndex: number): string;
}

/** Output item ids: `msg_<suffix>`, then `msg_<suffix>_1`, … for later messages; tool calls by chat index. */
export function itemIds(responseId: string): ItemIds {
  const suffix = responseId.replace(/^resp_/, '');
  const nth = (prefix: string, n: number) => (n === 0 ? `${prefix}_${suffix}` : `${prefix}_${suffix}_${n}`);
  return {
    reasoning: (n) => nth('rs', n),
    message: (n) => nth('msg', n),
    functionCall: (toolIndex) => `fc_${suffix}_${toolIndex}`,
    customCall: (toolIndex) => `ctc_${suffix}_${toolIndex}`,
    toolSearch: (toolIndex) => `tsc_${suffix}_${toolIndex}`,
    callId: (toolIndex) => `call_${suffix}_${toolIndex}`,
  };
}

/** docs/reference/translation.md §10: a cut (`length`) or filtered answer is `incomplete`, anything else `completed`. */
export function outcomeOf(finishReason: unknown): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** Chat usage → Responses usage (docs/reference/translation.md §11); null when the upstream sent none. */
export function responseUsage(chatUsage: unknown): ResponseUsage | null {
  if (!isJsonObject(chatUsage)) return null;
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const input = count(chatUsage.prompt_tokens);
  const output = count(chatUsage.completion_tokens);
  const promptDetails = isJsonObject(chatUsage.prompt_tokens_details) ? chatUsage.prompt_tokens_details : {};
  const completionDetails = isJsonObject(chatUsage.completion_tokens_details) ? chatUsage.completion_tokens_details : {};
  const inputDetails: ResponseUsage['input_tokens_details'] = { cached_tokens: count(promptDetails.cached_tokens) };
  if (count(promptDetails.cache_write_tokens) > 0) inputDetails.cache_write_tokens = count(promptDetails.cache_write_tokens);
  return {
    input_tokens: input,
    input_tokens_details: inputDetails,
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(completionDetails.reasoning_tokens) },
    total_tokens: typeof chatUsage.total_tokens === 'number' ? chatUsage.total_tokens : input + output,
  };
}

/**
 * When the answer stopped early, the item being written when it stopped is the one left unfinished.
 * Reasoning items carry no status.
 */
export function markLastItemIncomplete(output: OutputItem[]): void {
  const last = output[output.length - 1];
  if (last && last.type !== 'reasoning') last.status = 'incomplete';
}

/**
 * A chat completion (choice 0) as a Response: a `reasoning` item from `reasoning_content` (as summary
 * text), a `message` item when there is text or a refusal, then one item per tool call (`function_call`, `custom_tool_call` or
 * `tool_search_call`, by the tool the chat function stands for).
 */
export function chatToResponse(chat: unknown, ctx: ResponseContext): ResponseObject {
  const choice = isJsonObject(chat) && Array.isArray(chat.choices) ? chat.choices[0] : undefined;
  const message = isJsonObject(choice) ? choice.message : undefined;
  if (!isJsonObject(chat) || !isJsonObject(choice) || !isJsonObject(message)) {
    throw new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'The upstream answered with a body that is not a chat completion.');
  }
  const ids = itemIds(ctx.id);
  const output: OutputItem[] = [];
  if (typeof message.reasoning_content === 'string' && message.reasoning_content !== '') {
    output.push({ type: 'reasoning', id: ids.reasoning(0), summary: [{ type: 'summary_text', text: message.reasoning_content }] });
  }
  const content: ResponseContentPart[] = [];
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'output_text', text: message.content, annotations: [] });
  if (typeof message.refusal === 'string' && message.refusal !== '') content.push({ type: 'refusal', refusal: message.refusal });
  if (content.length > 0) output.push({ type: 'message', id: ids.message(0), role: 'assistant', status: 'completed', content });
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  const extras: Record<string, unknown> = {};
  calls.forEach((call: unknown, i) => {
    const fn = isJsonObject(call) && isJsonObject(call.function) ? call.function : {};
    const callId = isJsonObject(call) && typeof call.id === 'string' && call.id !== '' ? call.id : ids.callId(i);
    if (isJsonObject(call) && isJsonObject(call.extra_content)) extras[callId] = call.extra_content;
    const item = openCall(typeof fn.name === 'string' ? fn.name : '', callId, i, ctx, ids);
    settleCall(item, typeof fn.arguments === 'string' ? fn.arguments : '');
    item.status = 'completed';
    output.push(item);
  });
  const outcome = outcomeOf(choice.finish_reason);
  if (outcome.status === 'incomplete') markLastItemIncomplete(output);
  return observed(ctx, { ...responseSkeleton(ctx), ...outcome, output, usage: responseUsage(chat.usage) }, extras);
}
