import type { AnswerWarning } from '../../core/dialect.js';
import type { ChatTool, ChatToolChoice } from '../../core/chat-types.js';
import { badRequest } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { customChatTool, TOOL_SEARCH_NAME, toolSearchChatTool } from './responses-custom.js';

/**
 * Responses `tools` and `tool_choice` for a chat model (docs/unified-responses.md):
 * - function tools pass as chat function tools;
 * - custom tools (`{type:"custom", format}`, Codex's `apply_patch`) become functions with one string
 *   parameter `input` (`responses-custom.ts`); their calls come back as `custom_tool_call` items;
 * - namespaced tools (`{type:"namespace", name, tools:[function | custom…]}`, Codex) are flattened to
 *   functions named `<namespace>__<name>`; the map back (`ToolNames`) turns the model's calls into items
 *   with `namespace` and the tool's own `name` again;
 * - a client-executed tool search (`{type:"tool_search", execution:"client"}`) becomes the function
 *   `tool_search`; its calls come back as `tool_search_call` items;
 * - tools an input item adds (`additional_tools`, the `tools` a `tool_search_output` loaded) join the
 *   request's, translated the same way; a later definition of the same name replaces the earlier one;
 * - hosted tools (web search, file search, code interpreter, computer use, image generation, MCP, a
 *   server-executed tool search) run on OpenAI's side and a chat model has none: they are dropped with a
 *   warning on the response, unless `tool_choice` requires one, which is a 400 naming it;
 * - any other tool type (local_shell, shell, apply_patch) is a 400.
 */

export const NAMESPACE_SEPARATOR = '__';
const CHAT_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const TOOL_CHOICE_OPTIONS = new Set(['none', 'auto', 'required']);

/** Tool types that OpenAI runs itself; a chat model behind the bridge cannot. (`tool_search` only when server-executed.) */
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

/** What a chat function stands for: the item type its calls come back as, the tool's own name and namespace. */
export interface ToolOrigin {
  kind: 'function' | 'custom' | 'tool_search';
  name: string;
  namespace?: string;
}

/** Chat function name → the tool it stands for, for every tool not passed as a plain function. */
export type ToolNames = ReadonlyMap<string, ToolOrigin>;

export interface ToolPlan {
  tools: ChatTool[] | undefined;
  toolChoice: ChatToolChoice | undefined;
  names: ToolNames;
  warnings: AnswerWarning[];
}

export const flatName = (namespace: string, name: string): string => `${namespace}${NAMESPACE_SEPARATOR}${name}`;

/** Input item types whose `tools` join the request's. */
const TOOL_ITEMS = new Set(['additional_tools', 'tool_search_output']);

interface Collected {
  out: ChatTool[];
  names: Map<string, ToolOrigin>;
  dropped: Set<string>;
}

/** The plan for a request's tools (its `tools`, and those its input items add) and `tool_choice`; throws a 400 naming the field at fault. */
export function planTools(body: JsonObject): ToolPlan {
  const into: Collected = { out: [], names: new Map(), dropped: new Set() };
  convertTools(body.tools, 'tools', into, false);
  if (Array.isArray(body.input)) {
    body.input.forEach((item: unknown, i) => {
      if (isJsonObject(item) && typeof item.type === 'string' && TOOL_ITEMS.has(item.type)) convertTools(item.tools, `input[${i}].tools`, into, true);
    });
  }
  const tools = into.out.length > 0 ? into.out : undefined;
  const toolChoice = convertToolChoice(body.tool_choice, into.names);
  const dropped = [...into.dropped];
  if (toolChoice === 'required' && !tools) {
    throw badRequest(`tool_choice "required" needs a function tool, and this model has none of the tools given (${dropped.join(', ')} run only on OpenAI).`, 'tool_choice');
  }
  const warnings = dropped.map((type) => ({
    code: 'tool_dropped',
    message: `The hosted tool ${JSON.stringify(type)} is not available for this model and was left out of the request.`,
  }));
  return { tools, toolChoice, names: into.names, warnings };
}

/** `later`: tools of input items, where a name defined again replaces the earlier tool (in `tools` it is a 400). */
function convertTools(tools: unknown, where: string, into: Collected, later: boolean): void {
  if (tools === undefined || tools === null) return;
  if (!Array.isArray(tools)) throw badRequest(`'${where}' must be an array.`, where);
  const fresh = new Set<string>();
  const add = (tool: ChatTool, origin: ToolOrigin | undefined, param: string) => {
    const name = tool.function.name;
    const at = into.out.findIndex((t) => t.function.name === name);
    if (at >= 0 && (!later || fresh.has(name))) throw badRequest(`Two tools are named ${JSON.stringify(name)} for this model.`, param);
    fresh.add(name);
    if (at >= 0) into.out[at] = tool;
    else into.out.push(tool);
    if (origin) into.names.set(name, origin);
    else into.names.delete(name);
  };
  tools.forEach((tool: unknown, i) => {
    const param = `${where}[${i}]`;
    if (!isJsonObject(tool)) throw badRequest('A tool must be an object.', param);
    if (tool.type === 'namespace') return namespaceTools(tool, param).forEach(([t, origin, p]) => add(t, origin, p));
    if (tool.type === 'tool_search' && tool.execution === 'client') {
      return add(toolSearchChatTool(tool, param), { kind: 'tool_search', name: TOOL_SEARCH_NAME }, param);
    }
    if (typeof tool.type === 'string' && HOSTED_TOOL_TYPES.has(tool.type)) return void into.dropped.add(tool.type);
    const [chat, origin] = innerTool(tool, param, undefined);
    add(chat, origin, `${param}.name`);
  });
}

/** A function or custom tool, at the top level or in a namespace: its chat function, and its origin unless it is a plain function. */
function innerTool(tool: unknown, param: string, namespace: string | undefined): [ChatTool, ToolOrigin | undefined] {
  if (!isJsonObject(tool)) throw badRequest('A tool must be an object.', param);
  if (tool.type !== 'custom' && tool.type !== 'function') {
    const allowed = namespace === undefined ? 'function, custom, namespace, client tool_search and (dropped) hosted tools are' : 'function and custom tools are';
    throw badRequest(`Tool type ${JSON.stringify(tool.type)} is not supported for this model: only ${allowed}.`, `${param}.type`);
  }
  if (typeof tool.name !== 'string' || tool.name === '') throw badRequest(`A ${tool.type} tool needs a \`name\`.`, `${param}.name`);
  const name = namespace === undefined ? tool.name : flatName(namespace, tool.name);
  if (namespace !== undefined && !CHAT_TOOL_NAME.test(name)) {
    throw badRequest(`The namespaced tool ${JSON.stringify(name)} is not a valid tool name for this model (letters, digits, _ and -, at most 64).`, `${param}.name`);
  }
  const ns = namespace === undefined ? {} : { namespace };
  if (tool.type === 'custom') return [customChatTool(tool, name, param), { kind: 'custom', name: tool.name, ...ns }];
  const fn = functionTool(tool, param);
  fn.function.name = name;
  return [fn, namespace === undefined ? undefined : { kind: 'function', name: tool.name, namespace }];
}

function namespaceTools(tool: JsonObject, param: string): Array<[ChatTool, ToolOrigin | undefined, string]> {
  const namespace = tool.name;
  if (typeof namespace !== 'string' || namespace === '') throw badRequest('A namespace tool needs a `name`.', `${param}.name`);
  if (!Array.isArray(tool.tools)) throw badRequest('A namespace tool needs a `tools` array.', `${param}.tools`);
  return tool.tools.map((inner: unknown, j) => {
    const where = `${param}.tools[${j}]`;
    const [chat, origin] = innerTool(inner, where, namespace);
    const description = [typeof tool.description === 'string' ? tool.description : '', chat.function.description ?? ''].filter((d) => d !== '').join('\n\n');
    if (description) chat.function.description = description;
    return [chat, origin, where];
  });
}

/** The chat names of the tools a `tool_search_output` item loaded (as `planTools` names them). */
export function loadedToolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool: unknown) => {
    if (!isJsonObject(tool)) return [];
    if (tool.type === 'namespace' && Array.isArray(tool.tools) && typeof tool.name === 'string') {
      const namespace = tool.name;
      return tool.tools.flatMap((inner: unknown) => (isJsonObject(inner) && typeof inner.name === 'string' ? [flatName(namespace, inner.name)] : []));
    }
    if (tool.type === 'tool_search') return tool.execution === 'client' ? [TOOL_SEARCH_NAME] : [];
    return typeof tool.name === 'string' ? [tool.name] : [];
  });
}

function functionTool(tool: JsonObject, param: string): ChatTool {
  const fn: ChatTool['function'] = { name: typeof tool.name === 'string' ? tool.name : '' };
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
  if (typeof choice.name !== 'string' || choice.name === '') throw badRequest(`A ${String(choice.type)} tool named in tool_choice needs a \`name\`.`, `${param}.name`);
  return typeof choice.namespace === 'string' && choice.namespace !== '' ? flatName(choice.namespace, choice.name) : choice.name;
}

function hostedRequired(type: string, param: string): never {
  throw badRequest(`tool_choice requires the hosted tool ${JSON.stringify(type)}, which is not available for this model.`, param);
}

/** Whether a `tool_choice` (or allowed tool) of this type names a tool the chat model has: a function, a custom tool, the client's tool search. */
function chatToolType(type: unknown, names: ToolNames): boolean {
  return type === 'function' || type === 'custom' || (type === 'tool_search' && names.get(TOOL_SEARCH_NAME)?.kind === 'tool_search');
}

/** The chat function a `tool_choice` (or allowed tool) of a `chatToolType` names. */
function chosenTool(choice: JsonObject, param: string): ChatTool {
  return { type: 'function', function: { name: choice.type === 'tool_search' ? TOOL_SEARCH_NAME : chosenName(choice, param) } };
}

function convertToolChoice(choice: unknown, names: ToolNames): ChatToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === 'string') {
    if (!TOOL_CHOICE_OPTIONS.has(choice)) throw badRequest(`tool_choice ${JSON.stringify(choice)} is not one of none, auto, required.`, 'tool_choice');
    return choice as 'none' | 'auto' | 'required';
  }
  if (!isJsonObject(choice)) throw badRequest("'tool_choice' must be a string or an object.", 'tool_choice');
  if (chatToolType(choice.type, names)) return chosenTool(choice, 'tool_choice');
  if (choice.type === 'allowed_tools') return allowedTools(choice, names);
  if (typeof choice.type === 'string' && HOSTED_TOOL_TYPES.has(choice.type)) hostedRequired(choice.type, 'tool_choice.type');
  throw badRequest(`tool_choice type ${JSON.stringify(choice.type)} is not supported for this model: only function and custom tools are.`, 'tool_choice.type');
}

function allowedTools(choice: JsonObject, names: ToolNames): ChatToolChoice {
  const mode = choice.mode;
  if (mode !== 'auto' && mode !== 'required') throw badRequest("allowed_tools 'mode' must be auto or required.", 'tool_choice.mode');
  if (!Array.isArray(choice.tools)) throw badRequest("allowed_tools needs a 'tools' array.", 'tool_choice.tools');
  const hosted: string[] = [];
  const tools: ChatTool[] = [];
  choice.tools.forEach((tool: unknown, i) => {
    const param = `tool_choice.tools[${i}]`;
    if (isJsonObject(tool) && chatToolType(tool.type, names)) return void tools.push(chosenTool(tool, param));
    if (isJsonObject(tool) && typeof tool.type === 'string' && HOSTED_TOOL_TYPES.has(tool.type)) return void hosted.push(tool.type);
    throw badRequest(`Allowed tool type ${JSON.stringify(isJsonObject(tool) ? tool.type : tool)} is not supported for this model: only function and custom tools are.`, `${param}.type`);
  });
  if (tools.length === 0 && hosted.length > 0) {
    if (mode === 'required') hostedRequired(hosted[0]!, 'tool_choice.tools');
    return 'none'; // only hosted tools were allowed, and this model has none of them
  }
  return { type: 'allowed_tools', allowed_tools: { mode, tools } };
}

/** What a chat tool call's name stands for: a plain function unless the plan says otherwise. */
export function toolOrigin(chatName: string, names: ToolNames): ToolOrigin {
  return names.get(chatName) ?? { kind: 'function', name: chatName };
}
