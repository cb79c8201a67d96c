import { badRequest } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/** OpenAI content parts → Anthropic content blocks (docs/reference/translation.md §3). Empty text never becomes a block. */

export type Block = Record<string, unknown>;

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** `data:<mime>[;params];base64,<data>` only: a bare base64 string is ambiguous. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const params = url.slice(5, comma).split(';');
  if (params.length < 2 || params[params.length - 1]!.toLowerCase() !== 'base64') return undefined;
  const mediaType = params[0]!.trim().toLowerCase();
  const data = url.slice(comma + 1);
  if (mediaType === '' || data === '') return undefined;
  return { mediaType: mediaType === 'image/jpg' ? 'image/jpeg' : mediaType, data };
}

function textBlock(part: JsonObject, param: string): Block | undefined {
  if (typeof part.text !== 'string') throw badRequest('A text part needs a string `text`.', `${param}.text`);
  return part.text === '' ? undefined : { type: 'text', text: part.text };
}

function imageBlock(part: JsonObject, param: string): Block {
  const url = isJsonObject(part.image_url) ? part.image_url.url : undefined;
  if (typeof url !== 'string') throw badRequest('An image_url part needs `image_url.url`.', `${param}.image_url.url`);
  if (/^https:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  const parsed = parseDataUrl(url);
  if (!parsed) throw badRequest('Images must be an https URL or a base64 data URL.', `${param}.image_url.url`);
  if (!IMAGE_TYPES.has(parsed.mediaType)) {
    throw badRequest(`Image type ${parsed.mediaType} is not supported for Anthropic models (jpeg, png, gif, webp).`, `${param}.image_url.url`);
  }
  return { type: 'image', source: { type: 'base64', media_type: parsed.mediaType, data: parsed.data } };
}

function fileBlock(part: JsonObject, param: string): Block {
  const file = isJsonObject(part.file) ? part.file : {};
  if (file.file_id !== undefined) throw badRequest('OpenAI file ids cannot be read by Anthropic models; send file_data.', `${param}.file.file_id`);
  const parsed = typeof file.file_data === 'string' ? parseDataUrl(file.file_data) : undefined;
  if (parsed?.mediaType !== 'application/pdf') {
    throw badRequest('Files must be a base64 data URL of a PDF (data:application/pdf;base64,…).', `${param}.file.file_data`);
  }
  const block: Block = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: parsed.data } };
  if (typeof file.filename === 'string' && file.filename !== '') block.title = file.filename;
  return block;
}

/** One part of a user message; `undefined` for an empty text part. */
function userPart(part: unknown, param: string): Block | undefined {
  if (!isJsonObject(part)) throw badRequest('A content part must be an object.', param);
  switch (part.type) {
    case 'text':
      return textBlock(part, param);
    case 'image_url':
      return imageBlock(part, param);
    case 'file':
      return fileBlock(part, param);
    case 'input_audio':
      throw badRequest('Audio input is not supported for Anthropic models.', param);
    default:
      throw badRequest(`Content part type ${JSON.stringify(part.type)} is not supported in user messages.`, `${param}.type`);
  }
}

/** User content (string or parts) as blocks. `param` names the message's `content`. */
export function userBlocks(content: unknown, param: string): Block[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw badRequest('Message content must be a string or an array of parts.', param);
  return content.flatMap((part: unknown, j): Block[] => {
    const block = userPart(part, `${param}[${j}]`);
    return block ? [block] : [];
  });
}

/**
 * Content that may hold only text (system, developer, assistant, tool) as its non-empty text segments.
 * Assistant `refusal` parts count as text: they are what the assistant said.
 */
export function textSegments(content: unknown, param: string, allowRefusal = false): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [content];
  if (!Array.isArray(content)) throw badRequest('Message content must be a string or an array of text parts.', param);
  return content.flatMap((part: unknown, j): string[] => {
    const where = `${param}[${j}]`;
    if (isJsonObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text === '' ? [] : [part.text];
    if (allowRefusal && isJsonObject(part) && part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal === '' ? [] : [part.refusal];
    throw badRequest('Only text parts are allowed in this message.', where);
  });
}
