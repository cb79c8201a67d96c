import type { AnswerWarning } from '../../core/dialect.js';
import type { ChatTool, ChatToolChoice } from '../../core/chat-types.js';
import { badRequest } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/**
 * Responses `tools` and `tool_choice` for a chat model (docs/unified-responses.md):
 * - function tools pass as chat function tools;
 * - namespaced tools (`{type:"namespace", name, tools:[function…]}`, Codex) are flattened to functions named
 *   `<namespace>__<name>`; the map back (`ToolNames`) turns the model's calls into `function_call` items
 *   with `namespace` and the tool's own `name` again;
 * - hosted tools (web search, file search, code interpreter, computer use, image generation, MCP, tool
 *   search) run on OpenAI's side and a chat model has none: they are dropped with a warning on the
 *   response, unless `tool_choice` requires one, which is a 400 naming it;
 * - any other tool type (custom, shell, apply_patch) is a 400.
 */

export const NAMESPACE_SEPARATOR = '__';
const CHAT_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const TOOL_CHOICE_OPTIONS = new Set(['none', 'auto', 'required']);

/** Tool types that OpenAI runs itself; a chat model behind the bridge cannot. */
export const HOSTED_TOOL_TYPES: ReadonlySet<string> = new Set([
  'web_search',
  'web_search_2025_08_26',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'file_search',
  'code_interpreter',
  'computer',
  'computer_use',
  'computer_use_preview',
  'image_generation',
  'mcp',
  'tool_search',
]);

/** Flattened chat name → the namespaced tool it stands for. */
export type ToolNames = ReadonlyMap<string, { namespace: string; name: string }>;

export interface ToolPlan {
  tools: ChatTool[] | undefined;
  toolChoice: ChatToolChoice | undefined;
  names: ToolNames;
  warnings: AnswerWarning[];
}

export const flatName = (namespace: string, name: string): string => `${namespace}${NAMESPACE_SEPARATOR}${name}`;

/** The plan for a request's `tools` and `tool_choice`; throws a 400 naming the field at fault. */
export function planTools(body: JsonObject): ToolPlan {
  const names = new Map<string, { namespace: string; name: string }>();
  const dropped: string[] = [];
  const tools = convertTools(body.tools, names, dropped);
  const toolChoice = convertToolChoice(body.tool_choice);
  if (toolChoice === 'required' && !tools) {
    throw badRequest(`tool_choice "required" needs a function tool, and this model has none of the tools given (${dropped.join(', ')} run only on OpenAI).`, 'tool_choice');
  }
  const warnings = dropped.map((type) => ({
    code: 'tool_dropped',
    message: `The hosted tool ${JSON.stringify(type)} is not available for this model and was left out of the request.`,
  }));
  return { tools, toolChoice, names, warnings };
}

function convertTools(tools: unknown, names: Map<string, { namespace: string; name: string }>, dropped: string[]): ChatTool[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw badRequest("'tools' must be an array.", 'tools');
  const out: ChatTool[] = [];
  const seen = new Set<string>();
  const add = (tool: ChatTool, param: string) => {
    if (seen.has(tool.function.name)) throw badRequest(`Two tools are named ${JSON.stringify(tool.function.name)} for this model.`, param);
    seen.add(tool.function.name);
    out.push(tool);
  };
  tools.forEach((tool: unknown, i) => {
    const param = `tools[${i}]`;
    if (!isJsonObject(tool)) throw badRequest('A tool must be an object.', param);
    if (tool.type === 'namespace') return namespaceTools(tool, param, names).forEach((t) => add(t, param));
    if (typeof tool.type === 'string' && HOSTED_TOOL_TYPES.has(tool.type)) return void dropped.push(tool.type);
    add(functionTool(tool, param), `${param}.name`);
  });
  return out.length > 0 ? out : undefined;
}

function namespaceTools(tool: JsonObject, param: string, names: Map<string, { namespace: string; name: string }>): ChatTool[] {
  const namespace = tool.name;
  if (typeof namespace !== 'string' || namespace === '') throw badRequest('A namespace tool needs a `name`.', `${param}.name`);
  if (!Array.isArray(tool.tools)) throw badRequest('A namespace tool needs a `tools` array.', `${param}.tools`);
  return tool.tools.map((inner: unknown, j) => {
    const where = `${param}.tools[${j}]`;
    const fn = functionTool(inner, where);
    const flat = flatName(namespace, fn.function.name);
    if (!CHAT_TOOL_NAME.test(flat)) {
      throw badRequest(`The namespaced tool ${JSON.stringify(flat)} is not a valid tool name for this model (letters, digits, _ and -, at most 64).`, `${where}.name`);
    }
    names.set(flat, { namespace, name: fn.function.name });
    const description = [typeof tool.description === 'string' ? tool.description : '', fn.function.description ?? ''].filter((d) => d !== '').join('\n\n');
    return { type: 'function', function: { ...fn.function, name: flat, ...(description ? { description } : {}) } };
  });
}

function functionTool(tool: unknown, param: string): ChatTool {
  if (!isJsonObject(tool)) throw badRequest('A tool must be an object.', param);
  if (tool.type !== 'function') {
    throw badRequest(`Tool type ${JSON.stringify(tool.type)} is not supported for this model: only function, namespace and (dropped) hosted tools are.`, `${param}.type`);
  }
  if (typeof tool.name !== 'string' || tool.name === '') throw badRequest('A function tool needs a `name`.', `${param}.name`);
  const fn: ChatTool['function'] = { name: tool.name };
  if (typeof tool.description === 'string') fn.description = tool.description;
  if (tool.parameters !== undefined && tool.parameters !== null) {
    if (!isJsonObject(tool.parameters)) throw badRequest('Tool `parameters` must be a JSON schema object.', `${param}.parameters`);
    fn.parameters = tool.parameters;
  }
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

/** A function named in `tool_choice` (or an allowed tool): its chat name, flattened when it names a namespace. */
function chosenName(choice: JsonObject, param: string): string {
  if (typeof choice.name !== 'string' || choice.name === '') throw badRequest('A function named in tool_choice needs a `name`.', `${param}.name`);
  return typeof choice.namespace === 'string' && choice.namespace !== '' ? flatName(choice.namespace, choice.name) : choice.name;
}

function hostedRequired(type: string, param: string): never {
  throw badRequest(`tool_choice requires the hosted tool ${JSON.stringify(type)}, which is not available for this model.`, param);
}

function convertToolChoice(choice: unknown): ChatToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === 'string') {
    if (!TOOL_CHOICE_OPTIONS.has(choice)) throw badRequest(`tool_choice ${JSON.stringify(choice)} is not one of none, auto, required.`, 'tool_choice');
    return choice as 'none' | 'auto' | 'required';
  }
  if (!isJsonObject(choice)) throw badRequest("'tool_choice' must be a string or an object.", 'tool_choice');
  if (choice.type === 'function') return { type: 'function', function: { name: chosenName(choice, 'tool_choice') } };
  if (choice.type === 'allowed_tools') return allowedTools(choice);
  if (typeof choice.type === 'string' && HOSTED_TOOL_TYPES.has(choice.type)) hostedRequired(choice.type, 'tool_choice.type');
  throw badRequest(`tool_choice type ${JSON.stringify(choice.type)} is not supported for this model: only function tools are.`, 'tool_choice.type');
}

function allowedTools(choice: JsonObject): ChatToolChoice {
  const mode = choice.mode;
  if (mode !== 'auto' && mode !== 'required') throw badRequest("allowed_tools 'mode' must be auto or required.", 'tool_choice.mode');
  if (!Array.isArray(choice.tools)) throw badRequest("allowed_tools needs a 'tools' array.", 'tool_choice.tools');
  const hosted: string[] = [];
  const tools: ChatTool[] = [];
  choice.tools.forEach((tool: unknown, i) => {
    const param = `tool_choice.tools[${i}]`;
    if (isJsonObject(tool) && typeof tool.type === 'string' && HOSTED_TOOL_TYPES.has(tool.type)) return void hosted.push(tool.type);
    if (!isJsonObject(tool) || tool.type !== 'function') {
      throw badRequest(`Allowed tool type ${JSON.stringify(isJsonObject(tool) ? tool.type : tool)} is not supported for this model: only function tools are.`, `${param}.type`);
    }
    tools.push({ type: 'function', function: { name: chosenName(tool, param) } });
  });
  if (tools.length === 0 && hosted.length > 0) {
    if (mode === 'required') hostedRequired(hosted[0]!, 'tool_choice.tools');
    return 'none'; // only hosted tools were allowed, and this model has none of them
  }
  return { type: 'allowed_tools', allowed_tools: { mode, tools } };
}

/** A chat tool call's name as a Responses `function_call` item names it. */
export function itemName(chatName: string, names: ToolNames): { name: string; namespace?: string } {
  const named = names.get(chatName);
  return named ? { name: named.name, namespace: named.namespace } : { name: chatName };
}
