import type { ChatTool } from '../../core/chat-types.js';
import { badRequest } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/**
 * Custom tools (`{type:"custom", name, description, format}`, Codex's `apply_patch` and `exec`) and the
 * client-executed tool search (`{type:"tool_search", execution:"client"}`) for a chat model, which knows only
 * JSON function tools (docs/unified-responses.md):
 * - a custom tool becomes a function with one string parameter, `input`, whose description states the
 *   input's format (a grammar's definition up to `MAX_GRAMMAR_CHARS`, else that it is too long to repeat);
 *   the model's `{"input": "…"}` is the `custom_tool_call` item's `input` again;
 * - the client's tool search becomes a function `tool_search` with the parameters the tool defines, and
 *   its call a `tool_search_call` item with `execution: "client"` and the parsed `arguments`.
 */

/** A grammar longer than this is not repeated in the tool's parameter description (it would crowd the prompt). */
export const MAX_GRAMMAR_CHARS = 8192;
/** The chat function that stands for a client-executed tool search. */
export const TOOL_SEARCH_NAME = 'tool_search';
const DEFAULT_SEARCH_PARAMETERS = {
  type: 'object',
  properties: { query: { type: 'string', description: 'Search query for the deferred tools.' } },
  required: ['query'],
};

/** The chat function a custom tool stands as (named `name`, the caller flattens namespaces). */
export function customChatTool(tool: JsonObject, name: string, param: string): ChatTool {
  const input = { type: 'string', description: inputDescription(tool.format, `${param}.format`) };
  const description = typeof tool.description === 'string' && tool.description !== '' ? { description: tool.description } : {};
  const parameters = { type: 'object', properties: { input }, required: ['input'], additionalProperties: false };
  return { type: 'function', function: { name, ...description, parameters } };
}

function inputDescription(format: unknown, param: string): string {
  const plain = "The tool's input as plain text, exactly as the tool takes it (not JSON, not quoted)";
  if (format === undefined || format === null) return `${plain}.`;
  if (!isJsonObject(format)) throw badRequest('A custom tool `format` must be an object.', param);
  if (format.type === 'text') return `${plain}.`;
  if (format.type !== 'grammar') throw badRequest(`Custom tool format type ${JSON.stringify(format.type)} is not supported: only text and grammar are.`, `${param}.type`);
  if (format.syntax !== 'lark' && format.syntax !== 'regex') throw badRequest('A grammar format needs `syntax` lark or regex.', `${param}.syntax`);
  if (typeof format.definition !== 'string') throw badRequest('A grammar format needs a string `definition`.', `${param}.definition`);
  const what = format.syntax === 'lark' ? 'Lark grammar' : 'regular expression';
  if (format.definition.length > MAX_GRAMMAR_CHARS) {
    return `${plain}. It must match a ${what} of ${format.definition.length} characters, too long to repeat here: follow the tool's description.`;
  }
  return `${plain}. It must match this ${what}:\n${format.definition}`;
}

/** The chat function a client-executed tool search stands as. */
export function toolSearchChatTool(tool: JsonObject, param: string): ChatTool {
  const parameters = tool.parameters ?? DEFAULT_SEARCH_PARAMETERS;
  if (!isJsonObject(parameters)) throw badRequest('Tool search `parameters` must be a JSON schema object.', `${param}.parameters`);
  const description = typeof tool.description === 'string' && tool.description !== '' ? { description: tool.description } : {};
  return { type: 'function', function: { name: TOOL_SEARCH_NAME, ...description, parameters } };
}

/** The custom tool's input in the model's arguments: `input` of `{"input": "…"}`, else the arguments as they are. */
export function customInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (isJsonObject(parsed) && typeof parsed.input === 'string') return parsed.input;
  } catch {
    // not JSON: the model wrote the input itself
  }
  return args;
}

/** A tool search call's `arguments`: the parsed JSON object, else the text the model wrote. */
export function searchArguments(args: string): unknown {
  try {
    const parsed: unknown = JSON.parse(args);
    if (isJsonObject(parsed)) return parsed;
  } catch {
    // kept as text
  }
  return args === '' ? {} : args;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const OPENING = '{"input":"';
const OPENED = /^\s*\{\s*"input"\s*:\s*"/;

/**
 * Reads a custom tool's input out of the model's streamed arguments (`{"input":"…`) as they arrive, so
 * the client gets `response.custom_tool_call_input.delta` events while the model writes. Arguments of
 * another shape are not streamed: `finish` then hands back the whole input at once.
 */
export class CustomInputReader {
  private args = '';
  /** Where the input string's next character is; -1 before its opening quote was seen, -2 when it never will be. */
  private pos = -1;
  private closed = false;
  private emitted = '';
  private held = '';

  /** The decoded text the fragment completes. */
  push(fragment: string): string {
    this.args += fragment;
    if (this.pos === -1) {
      const opened = OPENED.exec(this.args);
      if (opened) this.pos = opened[0].length;
      else if (!OPENING.startsWith(this.args.replace(/\s+/g, ''))) this.pos = -2;
    }
    if (this.pos < 0 || this.closed) return '';
    const text = this.held + this.decode();
    // A high surrogate waits for its pair, so no delta splits a character.
    const last = text.charCodeAt(text.length - 1);
    const split = last >= 0xd800 && last <= 0xdbff;
    this.held = split ? text.slice(-1) : '';
    const out = split ? text.slice(0, -1) : text;
    this.emitted += out;
    return out;
  }

  /** The whole input, and what of it the deltas have not carried yet. */
  finish(): { input: string; rest: string } {
    const input = customInput(this.args);
    return { input, rest: input.startsWith(this.emitted) ? input.slice(this.emitted.length) : '' };
  }

  private decode(): string {
    let out = '';
    const args = this.args;
    while (this.pos < args.length) {
      const c = args[this.pos]!;
      if (c === '"') {
        this.closed = true;
        break;
      }
      if (c !== '\\') {
        out += c;
        this.pos += 1;
        continue;
      }
      const e = args[this.pos + 1];
      if (e === undefined || (e === 'u' && this.pos + 6 > args.length)) break; // the escape is not complete yet
      if (e === 'u') {
        out += String.fromCharCode(parseInt(args.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        out += ESCAPES[e] ?? e;
        this.pos += 2;
      }
    }
    return out;
  }
}
