import { badRequest } from '../../core/errors.js';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan } from '../../lib/json-depth.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { textSegments, userBlocks, type Block } from './chat-content.js';

/**
 * OpenAI `messages[]` → Anthropic `system` + `messages` (docs/reference/translation.md §1.1).
 *
 * - `system` / `developer` messages, wherever they are, are hoisted in order into `system`: Anthropic has no
 *   mid-conversation system role, and a late instruction still applies to what follows. A message's text
 *   parts are joined with "\n", messages with "\n\n".
 * - Consecutive same-role turns are merged; empty text is dropped; a message left with nothing is skipped.
 * - `tool_calls` become `tool_use` blocks (arguments must parse to a JSON object; "" is `{}`); `tool`
 *   messages become `tool_result` blocks in the one user turn right after their assistant turn. Every call
 *   must be answered before the next user or assistant message, by ids of that assistant turn (else 400).
 * - A final assistant turn stays a prefill (Anthropic continues it), trailing whitespace removed (Anthropic
 *   rejects it).
 * - `name` has no equivalent and is dropped; so is `reasoning_content` (no signature to send it back with).
 */

export interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

export interface Conversation {
  /** System text segments, in order; empty when there is none. */
  system: string[];
  turns: Turn[];
  /** The last turn is an assistant prefill. */
  prefill: boolean;
}

/** Anthropic ids must match ^[a-zA-Z0-9_-]+$; ids from other providers are mapped the same way on both sides. */
const anthropicId = (id: string): string => id.replace(/[^a-zA-Z0-9_-]/g, '_');

interface PendingCalls {
  index: number;
  unanswered: Set<string>;
}

export function convertMessages(messages: unknown): Conversation {
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest("'messages' must be a non-empty array.", 'messages');
  const system: string[] = [];
  const turns: Turn[] = [];
  let pending: PendingCalls | undefined;
  messages.forEach((message: unknown, i) => {
    const param = `messages[${i}]`;
    if (!isJsonObject(message)) throw badRequest('A message must be an object.', param);
    const role = message.role;
    if (role !== 'tool' && role !== 'system' && role !== 'developer') pending = settle(pending);
    switch (role) {
      case 'system':
      case 'developer': {
        const text = textSegments(message.content, `${param}.content`).join('\n');
        if (text !== '') system.push(text);
        return;
      }
      case 'user':
        return append(turns, 'user', userBlocks(message.content, `${param}.content`));
      case 'assistant': {
        const { blocks, ids } = assistantBlocks(message, param);
        if (ids.size > 0) pending = { index: i, unanswered: ids };
        return append(turns, 'assistant', blocks);
      }
      case 'tool':
        return append(turns, 'user', [toolResult(message, param, pending)]);
      default:
        throw badRequest(`Message role ${JSON.stringify(role)} is not supported.`, `${param}.role`);
    }
  });
  settle(pending);
  return { system, turns, prefill: trimPrefill(turns) };
}

function append(turns: Turn[], role: Turn['role'], blocks: Block[]): void {
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (last?.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/** Fails when the previous assistant turn still has unanswered tool calls; else clears them. */
function settle(pending: PendingCalls | undefined): undefined {
  if (pending && pending.unanswered.size > 0) {
    const ids = [...pending.unanswered].join(', ');
    throw badRequest(`The tool calls ${ids} of messages[${pending.index}] have no tool message answering them right after.`, `messages[${pending.index}].tool_calls`);
  }
  return undefined;
}

function assistantBlocks(message: JsonObject, param: string): { blocks: Block[]; ids: Set<string> } {
  const blocks: Block[] = textSegments(message.content, `${param}.content`, true).map((text) => ({ type: 'text', text }));
  const ids = new Set<string>();
  const calls = message.tool_calls;
  if (calls === undefined || calls === null) return { blocks, ids };
  if (!Array.isArray(calls)) throw badRequest("'tool_calls' must be an array.", `${param}.tool_calls`);
  calls.forEach((call: unknown, j) => {
    const where = `${param}.tool_calls[${j}]`;
    if (!isJsonObject(call) || !isJsonObject(call.function)) throw badRequest('A tool call needs a `function`.', where);
    if (call.type !== undefined && call.type !== 'function') throw badRequest('Only function tool calls are supported.', `${where}.type`);
    if (typeof call.id !== 'string' || call.id === '') throw badRequest('A tool call needs an id.', `${where}.id`);
    if (ids.has(call.id)) throw badRequest(`Duplicate tool call id ${call.id}.`, `${where}.id`);
    const name = call.function.name;
    if (typeof name !== 'string' || name === '') throw badRequest('A tool call needs a function name.', `${where}.function.name`);
    ids.add(call.id);
    blocks.push({ type: 'tool_use', id: anthropicId(call.id), name, input: parseArguments(call.function.arguments, `${where}.function.arguments`) });
  });
  return { blocks, ids };
}

function parseArguments(args: unknown, param: string): Record<string, unknown> {
  if (typeof args !== 'string') throw badRequest('Tool call arguments must be a JSON string.', param);
  if (args.trim() === '') return {};
  if (jsonNestsDeeperThan(args, MAX_JSON_DEPTH)) throw badRequest(`Tool call arguments are nested deeper than ${MAX_JSON_DEPTH} levels.`, param);
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw badRequest('Tool call arguments are not valid JSON.', param);
  }
  if (!isJsonObject(parsed)) throw badRequest('Tool call arguments must be a JSON object.', param);
  return parsed;
}

function toolResult(message: JsonObject, param: string, pending: PendingCalls | undefined): Block {
  const id = message.tool_call_id;
  if (typeof id !== 'string' || id === '') throw badRequest('A tool message needs a tool_call_id.', `${param}.tool_call_id`);
  if (!pending?.unanswered.delete(id)) {
    throw badRequest(`No tool call with id ${id} awaits an answer: a tool message must follow the assistant message that made the call, once per call.`, `${param}.tool_call_id`);
  }
  const block: Block = { type: 'tool_result', tool_use_id: anthropicId(id) };
  const segments = textSegments(message.content, `${param}.content`);
  if (typeof message.content === 'string') {
    if (segments.length > 0) block.content = message.content;
  } else if (segments.length > 0) {
    block.content = segments.map((text) => ({ type: 'text', text }));
  }
  return block;
}

/** Strips trailing whitespace off a final assistant turn; says whether a prefill is left. */
function trimPrefill(turns: Turn[]): boolean {
  const last = turns[turns.length - 1];
  if (last?.role !== 'assistant') return false;
  for (let tail = last.content.at(-1); tail?.type === 'text' && typeof tail.text === 'string'; tail = last.content.at(-1)) {
    const text = tail.text.trimEnd();
    if (text !== '') {
      tail.text = text;
      break;
    }
    last.content.pop();
  }
  if (last.content.length === 0) turns.pop();
  return turns[turns.length - 1]?.role === 'assistant';
}
