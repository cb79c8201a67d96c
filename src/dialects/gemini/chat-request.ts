import type { ChatRequest, ChatTool } from '../../core/chat-types.js';
import { GatewayError } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { convertMessages, type MessageOptions, type RemoteImage } from './chat-messages.js';
import { isEmptyObjectSchema, toGeminiSchema, toJsonSchema, usesLegacySchema } from './schema.js';

export { fillRemoteImage, type RemoteImage } from './chat-messages.js';

/**
 * OpenAI Chat Completions request → Gemini `generateContent` body (docs/reference/translation.md §1–§8, §15). Pure: no
 * I/O, no clock. The model goes in the URL (`models/{id}:generateContent`, or
 * `:streamGenerateContent?alt=sse` when `stream` is true), built by the caller.
 *
 * Decisions:
 * - `system`/`developer` messages, wherever they are, are hoisted in order into `systemInstruction`
 *   (Gemini has one; a late system message loses its position).
 * - Consecutive turns of one role are merged; `tool` messages become `functionResponse` parts of the user
 *   turn right after the calls (a user message that follows them joins that turn, after the results).
 * - `name` on messages, `image_url.detail`, assistant `reasoning_content` and `json_schema.strict` are dropped.
 * - Tool-call ids and thought signatures: see `tool-ids.ts`.
 * - Remote images (`http(s)://` in `image_url`) are NOT fetched here: each becomes a placeholder part
 *   `{fileData: {fileUri, mimeType}}` listed in `remoteImages` with its path in `body`. The caller fetches
 *   it under its own limits (size, timeout, SSRF guard) and calls `fillRemoteImage` to replace the
 *   placeholder with `inlineData`. Left unfilled, the placeholder is still a valid part for the newer API
 *   (public HTTPS URLs in `fileData`), with a MIME type guessed from the file extension.
 * - `reasoning_effort`: Gemini 3+ (by model name) → `thinkingConfig.thinkingLevel`; anything else (2.5,
 *   unrecognised names) → `thinkingConfig.thinkingBudget` (Gemini 3 still accepts it). See `thinkingConfig`.
 * - Tool and response schemas: `parametersJsonSchema` / `responseJsonSchema` (JSON Schema), or for
 *   legacy models (1.x, 2.0, Gemma) the OpenAPI-subset `parameters` / `responseSchema` with unsupported
 *   keywords stripped (`schema.ts`).
 */

export interface ChatToGeminiOptions extends MessageOptions {
  /** `maxOutputTokens` when the client sent neither `max_completion_tokens` nor `max_tokens`. */
  defaultMaxTokens?: number;
  /** The upstream model id, for model-dependent choices (thinking control, schema field). Default: `req.model`. */
  model?: string;
}

export interface GeminiChatRequest {
  body: JsonObject;
  stream: boolean;
  /** `stream_options.include_usage`: pass to `GeminiChatStream` as `includeUsage`. */
  includeUsage: boolean;
  remoteImages: RemoteImage[];
}

/** OpenAI parameters accepted and not sent upstream, with the reason. */
export const GEMINI_IGNORED_PARAMS: Readonly<Record<string, string>> = Object.freeze({
  parallel_tool_calls: 'Gemini has no switch for parallel function calls; the model decides',
  user: 'no end-user field in generateContent',
  safety_identifier: 'no end-user field in generateContent',
  metadata: 'OpenAI dashboard metadata; nothing upstream stores it',
  store: 'OpenAI stored completions; Gemini does not store generateContent calls',
  service_tier: "OpenAI processing tiers; Gemini's tiers are different products, priced differently",
  prompt_cache_key: 'Gemini caches prompt prefixes implicitly; explicit caches are cachedContent resources, not keys',
  prompt_cache_retention: 'Gemini implicit caching has no retention control',
  prompt_cache_options: 'Gemini implicit caching has no options',
  prediction: 'predicted outputs are an OpenAI latency feature; the answer is the same without it',
  verbosity: 'no equivalent in generationConfig',
});

/** OpenAI parameters refused with 400 when set (null, [] and {} count as unset), with the reason. */
export const GEMINI_REFUSED_PARAMS: Readonly<Record<string, string>> = Object.freeze({
  logit_bias: 'Gemini has no token biasing',
  modalities: 'audio output is not served by the Gemini chat adapter; only ["text"] is accepted',
  audio: 'audio output is not served by the Gemini chat adapter',
  web_search_options: 'Google Search grounding is billed per query, which the gateway does not meter',
  functions: 'the deprecated function-calling API is not translated; use tools',
  function_call: 'the deprecated function-calling API is not translated; use tool_choice',
  moderation: 'moderated completions are an OpenAI service',
});

const bad = (message: string, param: string) => new GatewayError('TG_ERR_BAD_REQUEST', message, param);
const isSet = (v: unknown) =>
  v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(isJsonObject(v) && Object.keys(v).length === 0);

export function chatToGemini(req: ChatRequest, options: ChatToGeminiOptions = {}): GeminiChatRequest {
  if (!isJsonObject(req)) throw bad('The request body must be a JSON object', 'body');
  for (const param of Object.keys(GEMINI_REFUSED_PARAMS)) {
    const v = req[param];
    if (param === 'modalities' && Array.isArray(v) && v.every((m) => m === 'text')) continue;
    // `web_search_options: {}` asks for web search with default settings.
    const requested = param === 'web_search_options' ? v !== undefined && v !== null : isSet(v);
    if (requested) throw bad(`'${param}' is not supported for Gemini models: ${GEMINI_REFUSED_PARAMS[param]}`, param);
  }
  const model = options.model ?? (typeof req.model === 'string' ? req.model : '');
  const legacy = usesLegacySchema(model);

  const { system, contents, remoteImages } = convertMessages(req.messages, options);
  const body: JsonObject = {};
  if (system.length > 0) body.systemInstruction = { parts: system };
  body.contents = contents;

  const tools = convertTools(req, legacy);
  if (tools.declarations.length > 0) body.tools = [{ functionDeclarations: tools.declarations }];
  if (tools.config) body.toolConfig = { functionCallingConfig: tools.config };

  const gc = generationConfig(req, options, model, legacy);
  if (Object.keys(gc).length > 0) body.generationConfig = gc;

  return {
    body,
    stream: req.stream === true,
    includeUsage: req.stream === true && isJsonObject(req.stream_options) && req.stream_options.include_usage === true,
    remoteImages,
  };
}

// ---- tools ---------------------------------------------------------------------------------------

function convertTools(req: ChatRequest, legacy: boolean): { declarations: JsonObject[]; config?: JsonObject } {
  const tools: unknown = req.tools;
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) throw bad("'tools' must be an array", 'tools');
  let declarations = ((tools ?? []) as unknown[]).map((t, i) => declaration(t, i, legacy));
  const names = new Set(declarations.map((d) => d.name as string));
  const choice: unknown = req.tool_choice;
  if (choice === undefined || choice === null) return { declarations };
  const need = (param: string) => {
    if (declarations.length === 0) throw bad("'tool_choice' needs 'tools'", param);
  };
  const known = (name: unknown, param: string): string => {
    if (typeof name !== 'string' || !names.has(name)) throw bad(`Function '${String(name)}' is not in 'tools'`, param);
    return name;
  };
  if (choice === 'auto' || choice === 'none') return declarations.length ? { declarations, config: { mode: choice.toUpperCase() } } : { declarations };
  if (choice === 'required') {
    need('tool_choice');
    return { declarations, config: { mode: 'ANY' } };
  }
  if (isJsonObject(choice) && choice.type === 'function') {
    need('tool_choice');
    const name = known(isJsonObject(choice.function) ? choice.function.name : undefined, 'tool_choice.function.name');
    return { declarations, config: { mode: 'ANY', allowedFunctionNames: [name] } };
  }
  if (isJsonObject(choice) && choice.type === 'allowed_tools' && isJsonObject(choice.allowed_tools)) {
    need('tool_choice');
    const { mode, tools: allowed } = choice.allowed_tools;
    if (!Array.isArray(allowed) || allowed.length === 0) throw bad("'allowed_tools.tools' must be a non-empty array", 'tool_choice.allowed_tools.tools');
    const allowedNames = allowed.map((t: unknown, i) =>
      known(isJsonObject(t) && isJsonObject(t.function) ? t.function.name : undefined, `tool_choice.allowed_tools.tools[${i}]`),
    );
    if (mode === 'required') return { declarations, config: { mode: 'ANY', allowedFunctionNames: allowedNames } };
    if (mode === 'auto') {
      // allowedFunctionNames only applies to ANY: restrict AUTO by declaring only the allowed functions.
      declarations = declarations.filter((d) => allowedNames.includes(d.name as string));
      return { declarations, config: { mode: 'AUTO' } };
    }
    throw bad("'allowed_tools.mode' must be 'auto' or 'required'", 'tool_choice.allowed_tools.mode');
  }
  throw bad("'tool_choice' must be 'none', 'auto', 'required', a function choice or allowed_tools", 'tool_choice');
}

function declaration(raw: unknown, i: number, legacy: boolean): JsonObject {
  const tool = raw as ChatTool;
  if (!isJsonObject(raw) || tool.type !== 'function') {
    throw bad(`Only 'function' tools are supported for Gemini models`, `tools[${i}].type`);
  }
  const fn: unknown = tool.function;
  if (!isJsonObject(fn) || typeof fn.name !== 'string' || !fn.name) throw bad('A function tool needs a name', `tools[${i}].function.name`);
  const decl: JsonObject = { name: fn.name };
  if (typeof fn.description === 'string' && fn.description) decl.description = fn.description;
  if (fn.parameters !== undefined && fn.parameters !== null) {
    if (!isJsonObject(fn.parameters)) throw bad('Function parameters must be a JSON Schema object', `tools[${i}].function.parameters`);
    if (Object.keys(fn.parameters).length === 0) return decl; // `{}`: a no-argument function, like no parameters
    if (legacy) {
      const schema = toGeminiSchema(fn.parameters, `tools[${i}].function.parameters`);
      if (!isEmptyObjectSchema(schema)) decl.parameters = schema;
    } else {
      decl.parametersJsonSchema = toJsonSchema(fn.parameters);
    }
  }
  return decl;
}

// ---- generationConfig ----------------------------------------------------------------------------

function num(req: ChatRequest, key: string, min: number, max: number, integer = false): number | undefined {
  const v = req[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw bad(`'${key}' must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`, key);
  }
  return v;
}

function generationConfig(req: ChatRequest, options: ChatToGeminiOptions, model: string, legacy: boolean): JsonObject {
  const gc: JsonObject = {};
  const stop = stopSequences(req.stop);
  if (stop.length > 0) gc.stopSequences = stop;
  const temperature = num(req, 'temperature', 0, 2);
  if (temperature !== undefined) gc.temperature = temperature;
  const topP = num(req, 'top_p', 0, 1);
  if (topP !== undefined) gc.topP = topP;
  const n = num(req, 'n', 1, 128, true);
  if (n !== undefined) gc.candidateCount = n;
  const max = num(req, 'max_completion_tokens', 1, Number.MAX_SAFE_INTEGER, true) ?? num(req, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  const maxTokens = max ?? options.defaultMaxTokens;
  if (maxTokens !== undefined) gc.maxOutputTokens = maxTokens;
  const seed = num(req, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  if (seed !== undefined) gc.seed = seed;
  // 0 is the OpenAI default and a no-op; some Gemini models reject penalties outright, so only send real ones.
  const presence = num(req, 'presence_penalty', -2, 2);
  if (presence) gc.presencePenalty = presence;
  const frequency = num(req, 'frequency_penalty', -2, 2);
  if (frequency) gc.frequencyPenalty = frequency;
  const topLogprobs = num(req, 'top_logprobs', 0, 20, true);
  if (req.logprobs !== undefined && req.logprobs !== null && typeof req.logprobs !== 'boolean') throw bad("'logprobs' must be a boolean", 'logprobs');
  if (req.logprobs === true) {
    gc.responseLogprobs = true;
    if (topLogprobs) gc.logprobs = topLogprobs;
  } else if (topLogprobs !== undefined) {
    throw bad("'top_logprobs' requires 'logprobs' to be true", 'top_logprobs');
  }
  Object.assign(gc, responseFormat(req.response_format, legacy));
  if (req.reasoning_effort !== undefined && req.reasoning_effort !== null) gc.thinkingConfig = thinkingConfig(req.reasoning_effort, model);
  return gc;
}

function stopSequences(stop: unknown): string[] {
  if (stop === undefined || stop === null) return [];
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw bad("'stop' must be a string or an array of strings", 'stop');
  const out = list.filter((s) => s.length > 0);
  if (out.length > 5) throw bad("'stop' accepts at most 5 sequences for Gemini models", 'stop');
  return out;
}

function responseFormat(rf: unknown, legacy: boolean): JsonObject {
  if (rf === undefined || rf === null) return {};
  if (!isJsonObject(rf)) throw bad("'response_format' must be an object", 'response_format');
  if (rf.type === 'text') return {};
  if (rf.type === 'json_object') return { responseMimeType: 'application/json' };
  if (rf.type === 'json_schema') {
    const js = rf.json_schema;
    if (!isJsonObject(js)) throw bad("'response_format.json_schema' is required", 'response_format.json_schema');
    const schema = js.schema;
    if (schema === undefined || schema === null) return { responseMimeType: 'application/json' };
    if (!isJsonObject(schema)) throw bad('The JSON schema must be an object', 'response_format.json_schema.schema');
    return legacy
      ? { responseMimeType: 'application/json', responseSchema: toGeminiSchema(schema, 'response_format.json_schema.schema') }
      : { responseMimeType: 'application/json', responseJsonSchema: toJsonSchema(schema) };
  }
  throw bad("'response_format.type' must be 'text', 'json_object' or 'json_schema'", 'response_format.type');
}

const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
type Effort = (typeof EFFORTS)[number];

/**
 * `reasoning_effort` → `thinkingConfig`.
 * - Gemini 3+ (`gemini-3…`): `thinkingLevel` none/minimal → MINIMAL (LOW on Pro models, which cannot
 *   go lower; Gemini 3 cannot switch thinking off), low → LOW, medium → MEDIUM, high/xhigh/max → HIGH.
 * - Otherwise (2.5 and unrecognised names): `thinkingBudget` none → 0 (128 on 2.5 Pro, its minimum: it
 *   cannot switch thinking off), minimal → 512, low → 1024, medium → 8192, high → 24576,
 *   xhigh/max → 32768 on Pro, else 24576 (the Flash maximum).
 * Models that do not think at all answer 400 upstream, as OpenAI's own non-reasoning models do.
 */
export function thinkingConfig(effort: unknown, model: string): JsonObject {
  if (typeof effort !== 'string' || !(EFFORTS as readonly string[]).includes(effort)) {
    throw bad(`'reasoning_effort' must be one of ${EFFORTS.join(', ')}`, 'reasoning_effort');
  }
  const e = effort as Effort;
  const generation = Number(/gemini-(\d+)/i.exec(model)?.[1] ?? NaN);
  const pro = /-pro\b/i.test(model);
  if (generation >= 3) {
    const levels: Record<Effort, string> = {
      none: pro ? 'LOW' : 'MINIMAL', minimal: pro ? 'LOW' : 'MINIMAL', low: 'LOW', medium: 'MEDIUM', high: 'HIGH', xhigh: 'HIGH', max: 'HIGH',
    };
    return { thinkingLevel: levels[e] };
  }
  const budgets: Record<Effort, number> = {
    none: pro ? 128 : 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: pro ? 32768 : 24576, max: pro ? 32768 : 24576,
  };
  return { thinkingBudget: budgets[e] };
}
