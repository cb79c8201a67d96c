import type { ChatContentPart, ChatMessage } from '../../core/chat-types.js';
import { GatewayError } from '../../core/errors.js';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan } from '../../lib/json-depth.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';
import { DUMMY_THOUGHT_SIGNATURE, geminiCallId, signatureFromToolCall } from './tool-ids.js';

/**
 * OpenAI chat `messages` → Gemini `systemInstruction` parts and `contents` (docs/reference/translation.md §1.1–§3), for
 * `chat-request.ts`. System/developer text is hoisted; same-role turns merge; tool results join the user
 * turn after the calls; remote images become placeholders (see `RemoteImage`).
 */

const bad = (message: string, param: string) => new GatewayError('TG_ERR_BAD_REQUEST', message, param);

export interface MessageOptions {
  /** A server-side `tool_call_id → thoughtSignature` cache, consulted when the client did not round-trip one. */
  thoughtSignatures?: (toolCallId: string) => string | undefined;
  /** Signature for a model turn whose calls have none; `false` sends none. Default `skip_thought_signature_validator`. */
  dummyThoughtSignature?: string | false;
}

/** A remote image to fetch: replace the placeholder part at `path` in `body` (see `fillRemoteImage`). */
export interface RemoteImage {
  url: string;
  /** Path of the placeholder part inside `body`, e.g. `['contents', 0, 'parts', 1]`. */
  path: (string | number)[];
  /** Guessed from the URL's extension; prefer the fetched response's `Content-Type`. */
  mimeType: string;
}

/** Replaces a remote image's placeholder part with the fetched bytes (mutates `body`). */
export function fillRemoteImage(body: JsonObject, image: RemoteImage, media: { mimeType: string; data: string }): void {
  let parent: unknown = body;
  for (const key of image.path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = image.path[image.path.length - 1]!;
  const part = (parent as Record<string | number, unknown>)[last];
  if (!isJsonObject(part) || !isJsonObject(part.fileData) || part.fileData.fileUri !== image.url) {
    throw new Error(`fillRemoteImage: no placeholder for ${image.url} at ${image.path.join('.')}`);
  }
  (parent as Record<string | number, unknown>)[last] = { inlineData: { mimeType: media.mimeType, data: media.data } };
}

interface Turn {
  role: 'user' | 'model';
  parts: JsonObject[];
}

export function convertMessages(messages: unknown, options: MessageOptions): { system: JsonObject[]; contents: Turn[]; remoteImages: RemoteImage[] } {
  if (!Array.isArray(messages) || messages.length === 0) throw bad("'messages' must be a non-empty array", 'messages');
  const system: JsonObject[] = [];
  const turns: Turn[] = [];
  const placeholders = new Map<JsonObject, string>();
  const callNames = new Map<string, { name: string; geminiId?: string }>();

  messages.forEach((raw: unknown, i) => {
    const where = `messages[${i}]`;
    if (!isJsonObject(raw)) throw bad('Each message must be an object', where);
    const m = raw as unknown as ChatMessage;
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const text of textsOf(m.content, `${where}.content`, false)) system.push({ text });
        return;
      case 'user':
        turns.push({ role: 'user', parts: userParts(m.content, `${where}.content`, placeholders) });
        return;
      case 'assistant':
        turns.push({ role: 'model', parts: assistantParts(m, where, callNames, options) });
        return;
      case 'tool': {
        const id = m.tool_call_id;
        const call = typeof id === 'string' ? callNames.get(id) : undefined;
        if (!call) throw bad(`No earlier assistant tool call has the id '${String(id)}'`, `${where}.tool_call_id`);
        const output = textsOf(m.content, `${where}.content`, true).join('');
        const functionResponse: JsonObject = { name: call.name, response: toolResponse(output) };
        if (call.geminiId) functionResponse.id = call.geminiId;
        turns.push({ role: 'user', parts: [{ functionResponse }] });
        return;
      }
      case 'function':
        throw bad("Role 'function' (deprecated function calling) is not supported; use tool messages", `${where}.role`);
      default:
        throw bad(`Unknown message role '${String(m.role)}'`, `${where}.role`);
    }
  });

  const contents: Turn[] = [];
  for (const turn of turns) {
    if (turn.parts.length === 0) continue; // Gemini rejects empty turns
    const prev = contents[contents.length - 1];
    if (prev && prev.role === turn.role) prev.parts.push(...turn.parts);
    else contents.push({ role: turn.role, parts: [...turn.parts] });
  }
  if (contents.length === 0) throw bad('The conversation has no user or assistant content (Gemini needs at least one turn)', 'messages');
  if (options.dummyThoughtSignature !== false) {
    const dummy = options.dummyThoughtSignature ?? DUMMY_THOUGHT_SIGNATURE;
    for (const turn of contents) {
      const calls = turn.role === 'model' ? turn.parts.filter((p) => p.functionCall) : [];
      if (calls.length > 0 && !calls.some((p) => p.thoughtSignature)) calls[0]!.thoughtSignature = dummy;
    }
  }
  return { system, contents, remoteImages: locateRemoteImages(contents, placeholders) };
}

/** Text of system, tool and assistant content: a string or text parts (assistant: also refusal parts). */
function textsOf(content: unknown, param: string, keepEmpty: boolean, allowRefusal = false): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content || keepEmpty ? [content] : [];
  if (!Array.isArray(content)) throw bad('Content must be a string or an array of parts', param);
  const out: string[] = [];
  content.forEach((p: unknown, j) => {
    const part = p as ChatContentPart;
    if (isJsonObject(p) && part.type === 'text' && typeof part.text === 'string') {
      if (part.text || keepEmpty) out.push(part.text);
    } else if (allowRefusal && isJsonObject(p) && part.type === 'refusal' && typeof part.refusal === 'string') {
      if (part.refusal) out.push(part.refusal);
    } else {
      throw bad('Only text parts are allowed here', `${param}[${j}]`);
    }
  });
  return out;
}

function userParts(content: unknown, param: string, placeholders: Map<JsonObject, string>): JsonObject[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) throw bad('Content must be a string or an array of parts', param);
  const parts: JsonObject[] = [];
  content.forEach((p: unknown, j) => {
    const where = `${param}[${j}]`;
    if (!isJsonObject(p)) throw bad('Each content part must be an object', where);
    const part = p as unknown as ChatContentPart;
    switch (part.type) {
      case 'text':
        if (typeof part.text !== 'string') throw bad("A text part needs a string 'text'", `${where}.text`);
        if (part.text) parts.push({ text: part.text });
        return;
      case 'image_url': {
        const url = isJsonObject(part.image_url) ? part.image_url.url : undefined;
        if (typeof url !== 'string') throw bad("An image_url part needs 'image_url.url'", `${where}.image_url.url`);
        if (url.startsWith('data:')) {
          parts.push({ inlineData: dataUrl(url, `${where}.image_url.url`) });
        } else if (/^https?:\/\//i.test(url)) {
          const placeholder = { fileData: { fileUri: url, mimeType: guessImageType(url) } };
          placeholders.set(placeholder, url);
          parts.push(placeholder);
        } else {
          throw bad('Image URLs must be http(s):// URLs or base64 data URLs', `${where}.image_url.url`);
        }
        return;
      }
      case 'input_audio': {
        const audio = part.input_audio;
        if (!isJsonObject(audio) || typeof audio.data !== 'string' || !audio.data || typeof audio.format !== 'string' || !audio.format) {
          throw bad("An input_audio part needs base64 'data' and a 'format'", `${where}.input_audio`);
        }
        parts.push({ inlineData: { mimeType: `audio/${audio.format.toLowerCase()}`, data: audio.data } });
        return;
      }
      case 'file': {
        const file = isJsonObject(part.file) ? part.file : {};
        if (typeof file.file_data === 'string') {
          parts.push({ inlineData: dataUrl(file.file_data, `${where}.file.file_data`) });
        } else if (file.file_id !== undefined) {
          throw bad('Uploaded OpenAI files (file_id) cannot be sent to Gemini; send file_data', `${where}.file.file_id`);
        } else {
          throw bad("A file part needs 'file.file_data' (a base64 data URL)", `${where}.file`);
        }
        return;
      }
      default:
        throw bad(`Content part type '${String((part as { type?: unknown }).type)}' is not supported in user messages`, `${where}.type`);
    }
  });
  return parts;
}

function assistantParts(
  m: ChatMessage,
  where: string,
  callNames: Map<string, { name: string; geminiId?: string }>,
  options: MessageOptions,
): JsonObject[] {
  const parts: JsonObject[] = textsOf(m.content, `${where}.content`, false, true).map((text) => ({ text }));
  if (typeof m.refusal === 'string' && m.refusal && parts.length === 0) parts.push({ text: m.refusal });
  if ((m as { function_call?: unknown }).function_call) {
    throw bad("'function_call' on messages (deprecated function calling) is not supported; use tool_calls", `${where}.function_call`);
  }
  if (m.tool_calls === undefined || m.tool_calls === null) return parts;
  if (!Array.isArray(m.tool_calls)) throw bad("'tool_calls' must be an array", `${where}.tool_calls`);
  m.tool_calls.forEach((tc: unknown, j) => {
    const at = `${where}.tool_calls[${j}]`;
    if (!isJsonObject(tc) || tc.type !== 'function' || !isJsonObject(tc.function)) throw bad("Only tool calls of type 'function' are supported", at);
    const { id } = tc;
    const { name, arguments: args } = tc.function;
    if (typeof id !== 'string' || !id) throw bad('A tool call needs an id', `${at}.id`);
    if (typeof name !== 'string' || !name) throw bad('A tool call needs a function name', `${at}.function.name`);
    const geminiId = geminiCallId(id);
    const functionCall: JsonObject = { name, args: parseArguments(args, `${at}.function.arguments`) };
    if (geminiId) functionCall.id = geminiId;
    const part: JsonObject = { functionCall };
    const signature = signatureFromToolCall(tc) ?? options.thoughtSignatures?.(id);
    if (signature) part.thoughtSignature = signature;
    parts.push(part);
    callNames.set(id, geminiId ? { name, geminiId } : { name });
  });
  return parts;
}

/** OpenAI `arguments` (a JSON string) → Gemini `args` (an object). `""` → `{}`; anything else invalid → 400. */
function parseArguments(args: unknown, param: string): JsonObject {
  if (args === undefined || args === null || args === '') return {};
  if (typeof args !== 'string') throw bad('Tool call arguments must be a JSON string', param);
  if (jsonNestsDeeperThan(args, MAX_JSON_DEPTH)) throw bad(`Tool call arguments are nested deeper than ${MAX_JSON_DEPTH} levels`, param);
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw bad('Tool call arguments are not valid JSON', param);
  }
  if (!isJsonObject(parsed)) throw bad('Tool call arguments must be a JSON object', param);
  return parsed;
}

/** `functionResponse.response` must be an object: the output's JSON object, else `{output: <value or text>}`. */
function toolResponse(output: string): JsonObject {
  // Output nested too deep for the gateway to walk is passed on as the text it is.
  if (jsonNestsDeeperThan(output, MAX_JSON_DEPTH)) return { output };
  try {
    const parsed: unknown = JSON.parse(output);
    return isJsonObject(parsed) ? parsed : { output: parsed };
  } catch {
    return { output };
  }
}

/** Strict `data:<mime>[;params];base64,<data>` → `{mimeType, data}`. */
function dataUrl(url: string, param: string): { mimeType: string; data: string } {
  const comma = url.indexOf(',');
  const meta = comma < 0 ? [] : url.slice(5, comma).split(';');
  const mimeType = (meta[0] ?? '').trim().toLowerCase();
  const base64 = meta.slice(1).some((p) => p.trim().toLowerCase() === 'base64');
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(mimeType) || !base64 || comma === url.length - 1) {
    throw bad('Data URLs must look like data:<media type>;base64,<data>', param);
  }
  return { mimeType, data: url.slice(comma + 1) };
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic', heif: 'image/heif',
};

function guessImageType(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url.replace(/^https?:\/\/[^/]*/i, ''))?.[1]?.toLowerCase();
  return (ext && IMAGE_TYPES[ext]) || 'image/jpeg';
}

function locateRemoteImages(contents: Turn[], placeholders: Map<JsonObject, string>): RemoteImage[] {
  const out: RemoteImage[] = [];
  if (placeholders.size === 0) return out;
  contents.forEach((turn, t) =>
    turn.parts.forEach((part, p) => {
      const url = placeholders.get(part);
      if (url !== undefined) out.push({ url, path: ['contents', t, 'parts', p], mimeType: (part.fileData as JsonObject).mimeType as string });
    }),
  );
  return out;
}
