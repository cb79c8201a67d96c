import { badRequest } from '../../core/errors.js';
import { isJsonObject } from '../../lib/json-value.js';
import type { Block } from './chat-content.js';

/**
 * `tools`, `tool_choice`, `parallel_tool_calls` → Anthropic `tools` + `tool_choice` (docs/reference/translation.md §4).
 * `strict` is dropped (older Claude models reject it). `allowed_tools` narrows `tools[]` to the listed
 * functions, then acts as auto / any. `parallel_tool_calls: false` sets `disable_parallel_tool_use` (on an
 * `auto` choice when the client sent none). Without tools, a choice that forces a call is a 400.
 */

export interface ToolSetup {
  tools?: Block[];
  toolChoice?: Block;
  /** The choice forces a tool call (any / tool), which Anthropic forbids together with thinking. */
  forced: boolean;
}

function toolDefinition(tool: unknown, param: string): Block {
  if (!isJsonObject(tool) || tool.type !== 'function') throw badRequest('Only function tools are supported for Anthropic models.', `${param}.type`);
  const fn = tool.function;
  if (!isJsonObject(fn) || typeof fn.name !== 'string' || fn.name === '') throw badRequest('A function tool needs a name.', `${param}.function.name`);
  if (fn.parameters !== undefined && !isJsonObject(fn.parameters)) throw badRequest('Function parameters must be a JSON Schema object.', `${param}.function.parameters`);
  // Anthropic requires input_schema.type "object"; an omitted schema means a no-argument function.
  const schema = fn.parameters ?? { properties: {} };
  const def: Block = { name: fn.name, input_schema: schema.type === undefined ? { type: 'object', ...schema } : schema };
  if (typeof fn.description === 'string' && fn.description !== '') def.description = fn.description;
  return def;
}

function functionName(ref: unknown, names: Set<string>, param: string): string {
  const name = isJsonObject(ref) && isJsonObject(ref.function) ? ref.function.name : undefined;
  if (typeof name !== 'string' || !names.has(name)) throw badRequest(`tool_choice names a function that is not in tools: ${JSON.stringify(name)}.`, param);
  return name;
}

export function convertTools(tools: unknown, choice: unknown, parallel: unknown): ToolSetup {
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) throw badRequest("'tools' must be an array.", 'tools');
  let defs = (tools ?? []).map((tool: unknown, i: number) => toolDefinition(tool, `tools[${i}]`));
  const names = new Set(defs.map((d) => d.name as string));
  let type: 'auto' | 'any' | 'none' | 'tool';
  let name: string | undefined;
  if (choice === undefined || choice === null || choice === 'auto') type = 'auto';
  else if (choice === 'none') type = 'none';
  else if (choice === 'required') type = 'any';
  else if (isJsonObject(choice) && choice.type === 'function') {
    type = 'tool';
    name = functionName(choice, names, 'tool_choice.function.name');
  } else if (isJsonObject(choice) && choice.type === 'allowed_tools' && isJsonObject(choice.allowed_tools) && Array.isArray(choice.allowed_tools.tools)) {
    const allowed = new Set(choice.allowed_tools.tools.map((t: unknown, i: number) => functionName(t, names, `tool_choice.allowed_tools.tools[${i}]`)));
    defs = defs.filter((d) => allowed.has(d.name as string));
    type = choice.allowed_tools.mode === 'required' ? 'any' : 'auto';
  } else {
    throw badRequest('tool_choice must be "none", "auto", "required", a function or allowed_tools.', 'tool_choice');
  }
  if (defs.length === 0) {
    if (type === 'any' || type === 'tool') throw badRequest('tool_choice forces a tool call but no tools are given.', 'tool_choice');
    return { forced: false };
  }
  const toolChoice: Block = name === undefined ? { type } : { type, name };
  if (parallel === false && type !== 'none') toolChoice.disable_parallel_tool_use = true;
  // An absent choice stays absent (Anthropic's default is auto) unless it must carry disable_parallel_tool_use.
  const explicit = (choice !== undefined && choice !== null) || toolChoice.disable_parallel_tool_use === true;
  return { tools: defs, ...(explicit ? { toolChoice } : {}), forced: type === 'any' || type === 'tool' };
}
