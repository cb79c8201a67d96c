import type { ChatContentPart, ChatMessage, ChatRole, ChatToolCall } from '../../core/chat-types.js';
import { badRequest } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { TOOL_SEARCH_NAME } from './responses-custom.js';
import { flatName, loadedToolNames } from './responses-tools.js';

/**
 * Responses API `input` items → chat messages (docs/reference/translation.md §13). The bridge itself reads no
 * store: `item_reference` items are resolved by the unified service's response store before they get here
 * (one left is a 400), and ids that point elsewhere (`file_id`) are refused with a 400 rather than dropped.
 * Calls of custom tools and of the client's tool search are the assistant's tool calls of the chat functions
 * they stand for (`responses-tools.ts`), their outputs tool messages; `additional_tools` adds tools only
 * (`planTools` reads it), so it is no message.
 */

const MESSAGE_ROLES = new Set(['user', 'assistant', 'system', 'developer']);
const IMAGE_DETAILS = new Set(['auto', 'low', 'high']);

export function inputToMessages(input: unknown): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input)) throw badRequest("'input' must be a string or an array of input items.", 'input');
  if (input.length === 0) throw badRequest("'input' must hold at least one item.", 'input');
  const messages: ChatMessage[] = [];
  input.forEach((item: unknown, i) => {
    const param = `input[${i}]`;
    if (!isJsonObject(item)) throw badRequest('An input item must be an object.', param);
    const type = item.type ?? 'message';
    switch (type) {
      case 'message':
        messages.push(messageItem(item, param));
        return;
      case 'function_call':
      case 'custom_tool_call':
        addToolCall(messages, item, param);
        return;
      case 'tool_search_call':
        if (clientSearch(item)) addToolCall(messages, item, param); // a search the server ran was no call of the chat model's
        return;
      case 'function_call_output':
      case 'custom_tool_call_output':
        messages.push(toolOutput(item, param));
        return;
      case 'tool_search_output':
        if (clientSearch(item)) messages.push(searchOutput(item, param));
        return;
      case 'additional_tools':
        return; // its tools join the request's (planTools)
      case 'reasoning':
        return; // provider reasoning is not replayable across providers, and this bridge minted none of its own
      case 'item_reference':
        throw badRequest('item_reference needs the gateway\'s response store, which this call did not consult: send the items themselves.', param);
      default:
        throw badRequest(`Input items of type ${JSON.stringify(type)} are not supported for this model.`, `${param}.type`);
    }
  });
  return messages;
}

function messageItem(item: JsonObject, param: string): ChatMessage {
  const role = item.role;
  if (typeof role !== 'string' || !MESSAGE_ROLES.has(role)) {
    throw badRequest(`Message role ${JSON.stringify(role)} is not supported: use user, assistant, system or developer.`, `${param}.role`);
  }
  const content = item.content;
  const where = `${param}.content`;
  if (typeof content === 'string') return { role: role as ChatRole, content };
  if (!Array.isArray(content)) throw badRequest('Message content must be a string or an array of content parts.', where);
  const parts = content.map((part: unknown, j) => contentPart(part, role, `${where}[${j}]`));
  return { role: role as ChatRole, content: role === 'user' ? parts : compact(parts) };
}

/** One text part reads as a plain string, which every chat upstream takes for any role. */
function compact(parts: ChatContentPart[]): string | ChatContentPart[] {
  const only = parts.length === 1 ? parts[0] : undefined;
  return only?.type === 'text' ? only.text : parts;
}

/** `role` decides which part types are allowed; `place` names where they are in error messages. */
function contentPart(part: unknown, role: string, param: string, place = `${role} messages`): ChatContentPart {
  if (!isJsonObject(part)) throw badRequest('A content part must be an object.', param);
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      if (typeof part.text !== 'string') throw badRequest('A text part needs a string `text`.', `${param}.text`);
      return { type: 'text', text: part.text };
    case 'refusal':
      if (role !== 'assistant') break;
      if (typeof part.refusal !== 'string') throw badRequest('A refusal part needs a string `refusal`.', `${param}.refusal`);
      return { type: 'refusal', refusal: part.refusal };
    case 'input_image':
      if (role !== 'user') break;
      return imagePart(part, param);
    case 'input_file':
      if (role !== 'user') break;
      return filePart(part, param);
  }
  throw badRequest(`Content part type ${JSON.stringify(part.type)} is not supported in ${place}.`, `${param}.type`);
}

function imagePart(part: JsonObject, param: string): ChatContentPart {
  if (part.file_id !== undefined && part.file_id !== null) {
    throw badRequest('OpenAI file ids cannot be read by this model: send the image as image_url (https or data URL).', `${param}.file_id`);
  }
  if (typeof part.image_url !== 'string' || part.image_url === '') throw badRequest('An input_image part needs `image_url`.', `${param}.image_url`);
  const image: { url: string; detail?: 'auto' | 'low' | 'high' } = { url: part.image_url };
  // `original` (full resolution) has no chat equivalent; `high` is the closest.
  if (part.detail === 'original') image.detail = 'high';
  else if (typeof part.detail === 'string' && IMAGE_DETAILS.has(part.detail)) image.detail = part.detail as 'auto' | 'low' | 'high';
  return { type: 'image_url', image_url: image };
}

function filePart(part: JsonObject, param: string): ChatContentPart {
  if (part.file_id !== undefined && part.file_id !== null) {
    throw badRequest('OpenAI file ids cannot be read by this model: send the file as file_data.', `${param}.file_id`);
  }
  if (part.file_url !== undefined && part.file_url !== null) {
    throw badRequest('File URLs are not supported for this model: send the file as file_data.', `${param}.file_url`);
  }
  if (typeof part.file_data !== 'string' || part.file_data === '') throw badRequest('An input_file part needs `file_data`.', `${param}.file_data`);
  const file: { filename?: string; file_data: string } = { file_data: part.file_data };
  if (typeof part.filename === 'string' && part.filename !== '') file.filename = part.filename;
  return { type: 'file', file };
}

/**
 * Consecutive call items (`function_call`, `custom_tool_call`, `tool_search_call`) are one assistant turn (LiteLLM#22578): each joins the assistant
 * message right before it — an earlier call, or the text the assistant said before calling.
 */
function addToolCall(messages: ChatMessage[], item: JsonObject, param: string): void {
  if (typeof item.call_id !== 'string' || item.call_id === '') throw badRequest(`A ${String(item.type)} item needs a \`call_id\`.`, `${param}.call_id`);
  const call: ChatToolCall = { id: item.call_id, type: 'function', function: callFunction(item, param) };
  // Put back on the call by the response store (a Gemini thought signature), or sent by a chat-minded client.
  if (isJsonObject(item.extra_content)) call.extra_content = item.extra_content;
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') {
    last.tool_calls = [...(last.tool_calls ?? []), call];
    return;
  }
  messages.push({ role: 'assistant', content: null, tool_calls: [call] });
}

/** The chat function call a call item stands for. */
function callFunction(item: JsonObject, param: string): ChatToolCall['function'] {
  if (item.type === 'tool_search_call') {
    const args = item.arguments;
    return { name: TOOL_SEARCH_NAME, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) };
  }
  if (typeof item.name !== 'string' || item.name === '') throw badRequest(`A ${String(item.type)} item needs a \`name\`.`, `${param}.name`);
  const name = typeof item.namespace === 'string' && item.namespace !== '' ? flatName(item.namespace, item.name) : item.name;
  if (item.type === 'custom_tool_call') {
    if (typeof item.input !== 'string') throw badRequest('A custom_tool_call item needs `input` as a string.', `${param}.input`);
    return { name, arguments: JSON.stringify({ input: item.input }) };
  }
  if (typeof item.arguments !== 'string') throw badRequest('A function_call item needs `arguments` as a JSON string.', `${param}.arguments`);
  return { name, arguments: item.arguments };
}

/** A tool search item of the client's (the only kind the chat model called); `execution` defaults to client when a call id is given. */
function clientSearch(item: JsonObject): boolean {
  return item.execution === 'client' || (item.execution === undefined && typeof item.call_id === 'string' && item.call_id !== '');
}

/** A client tool search's result: its tools join the request's (planTools); the model is told which it may call now. */
function searchOutput(item: JsonObject, param: string): ChatMessage {
  if (typeof item.call_id !== 'string' || item.call_id === '') throw badRequest('A tool_search_output item needs a `call_id`.', `${param}.call_id`);
  const names = loadedToolNames(item.tools);
  const content = names.length > 0 ? `Tools loaded, callable now: ${names.join(', ')}.` : 'No tools matched the search.';
  return { role: 'tool', tool_call_id: item.call_id, content };
}

function toolOutput(item: JsonObject, param: string): ChatMessage {
  if (typeof item.call_id !== 'string' || item.call_id === '') throw badRequest(`A ${String(item.type)} item needs a \`call_id\`.`, `${param}.call_id`);
  const output = item.output;
  const where = `${param}.output`;
  if (typeof output === 'string') return { role: 'tool', tool_call_id: item.call_id, content: output };
  if (!Array.isArray(output)) throw badRequest(`A ${String(item.type)} needs \`output\` as a string or an array of content parts.`, where);
  const parts = output.map((part: unknown, j) => contentPart(part, 'user', `${where}[${j}]`, String(item.type)));
  return { role: 'tool', tool_call_id: item.call_id, content: compact(parts) };
}
