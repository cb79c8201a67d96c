import { GatewayError } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/**
 * OpenAI `/v1/embeddings` ⇄ Gemini `embedContent` / `batchEmbedContents` (docs/reference/translation.md §14, docs/reference/gemini.md §6).
 * - one string → `embedContent`; an array of strings → `batchEmbedContents`, one request per string, each
 *   naming the model as `models/<id>` (the same as in the URL). Token arrays (`number[]`, `number[][]`) → 400:
 *   Gemini embeds text only. `dimensions` → `outputDimensionality`.
 * - the answer: `embedding.values` / `embeddings[i].values` → `data[i]`; `encoding_format: "base64"` →
 *   little-endian float32 bytes, base64 (what the openai SDK asks for by default and decodes).
 * - Gemini returns no token counts: the caller passes its own count (`inputTokens`) for `usage`.
 */

const bad = (message: string, param: string) => new GatewayError('TG_ERR_BAD_REQUEST', message, param);

export interface EmbeddingsRequest {
  input: string | string[] | number[] | number[][];
  dimensions?: number;
  model: string;
}

export function embeddingsToGemini(
  req: EmbeddingsRequest,
  upstreamModel: string,
): { method: 'embedContent' | 'batchEmbedContents'; body: Record<string, unknown> } {
  const { input, dimensions } = req;
  const format = (req as { encoding_format?: unknown }).encoding_format;
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw bad("'encoding_format' must be 'float' or 'base64'", 'encoding_format');
  }
  const extra: JsonObject = {};
  if (dimensions !== undefined && dimensions !== null) {
    if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
      throw bad("'dimensions' must be a positive integer", 'dimensions');
    }
    extra.outputDimensionality = dimensions;
  }
  if (typeof input === 'string') {
    if (!input) throw bad("'input' must not be empty", 'input');
    return { method: 'embedContent', body: { content: { parts: [{ text: input }] }, ...extra } };
  }
  if (!Array.isArray(input) || input.length === 0) throw bad("'input' must be a string or a non-empty array of strings", 'input');
  const model = upstreamModel.startsWith('models/') ? upstreamModel : `models/${upstreamModel}`;
  const requests = (input as unknown[]).map((text, i) => {
    if (typeof text === 'number' || Array.isArray(text)) {
      throw bad('Token arrays are not supported for Gemini embedding models; send text', 'input');
    }
    if (typeof text !== 'string' || !text) throw bad('Each input must be a non-empty string', `input[${i}]`);
    return { model, content: { parts: [{ text }] }, ...extra };
  });
  return { method: 'batchEmbedContents', body: { requests } };
}

export interface OpenAIEmbeddings {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export function geminiEmbeddingsToOpenAI(
  response: unknown,
  options: { model: string; encodingFormat: 'float' | 'base64'; inputTokens: number },
): OpenAIEmbeddings {
  const r = isJsonObject(response) ? response : {};
  const list = Array.isArray(r.embeddings) ? r.embeddings : isJsonObject(r.embedding) ? [r.embedding] : undefined;
  if (!list) throw new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'Gemini returned no embeddings');
  const data = list.map((e: unknown, index) => {
    const values = isJsonObject(e) && Array.isArray(e.values) ? e.values : undefined;
    if (!values || !values.every((v) => typeof v === 'number')) {
      throw new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'Gemini returned a malformed embedding');
    }
    const embedding = options.encodingFormat === 'base64' ? float32Base64(values as number[]) : (values as number[]);
    return { object: 'embedding' as const, index, embedding };
  });
  const tokens = Math.max(0, Math.trunc(options.inputTokens));
  return { object: 'list', data, model: options.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

/** Little-endian float32 bytes, base64 (openai-node `toFloat32Array` reads them back). */
export function float32Base64(values: number[]): string {
  const buf = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}
