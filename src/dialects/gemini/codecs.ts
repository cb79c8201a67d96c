import { JsonTranslator, SseTranslator } from '../../core/answer-translators.js';
import type { ChatRequest } from '../../core/chat-types.js';
import type { EncodedCall, OpCodec } from '../../core/dialect.js';
import { badRequest } from '../../core/errors.js';
import type { Op } from '../../core/ops.js';
import { newId } from '../../lib/ids.js';
import { chatToGemini, fillRemoteImage } from './chat-request.js';
import { geminiErrorToOpenAI, geminiToChat } from './chat-response.js';
import { GeminiChatStream } from './chat-stream.js';
import { embeddingsToGemini, geminiEmbeddingsToOpenAI, type EmbeddingsRequest } from './embeddings.js';
import { estimateGeminiRequest } from './request-estimate.js';

/** Images fetched by the gateway for one request (each within IMAGE_FETCH_MAX_BYTES). */
const MAX_REMOTE_IMAGES = 8;
const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });

const modelPath = (model: string, method: string) => `/v1beta/models/${encodeURIComponent(model)}:${method}`;

/**
 * Chat on Gemini generateContent (`alt=sse` for streams). Images named by URL are sent inline: the call is
 * estimated and admitted with them as placeholders (priced by count), and they are fetched once admitted.
 */
const chat: OpCodec = {
  encode({ request }, ctx): EncodedCall {
    const translated = chatToGemini(request as ChatRequest, { model: ctx.upstreamModel });
    const images = translated.remoteImages;
    if (images.length > MAX_REMOTE_IMAGES) {
      throw badRequest(`At most ${MAX_REMOTE_IMAGES} images by URL per request for this model; send more as data URLs.`, 'messages');
    }
    const call: EncodedCall = {
      method: 'POST',
      path: modelPath(ctx.upstreamModel, translated.stream ? 'streamGenerateContent' : 'generateContent'),
      query: translated.stream ? 'alt=sse' : '',
      headers: JSON_HEADERS,
      withClientHeaders: false,
      body: Buffer.from(JSON.stringify(translated.body)),
      stream: translated.stream,
      fields: {},
    };
    if (images.length === 0) return call;
    const complete = (media: ReadonlyArray<{ mimeType: string; data: string }>) => {
      images.forEach((image, i) => fillRemoteImage(translated.body, image, media[i]!));
      return Buffer.from(JSON.stringify(translated.body));
    };
    return { ...call, remote: { urls: images.map((image) => image.url), complete } };
  },
  decode(call, { request }, ctx) {
    const id = `chatcmpl-${newId('gm', ctx.startedAt).slice(3)}`;
    const answer = { model: ctx.requestedModel, created: Math.floor(ctx.startedAt / 1000), id };
    if (!call.stream) return new JsonTranslator((response) => geminiToChat(response, answer), ctx.clientErrors.body, geminiErrorToOpenAI);
    const options = (request as ChatRequest).stream_options;
    const includeUsage = typeof options === 'object' && options !== null && options.include_usage === true;
    return new SseTranslator(new GeminiChatStream({ ...answer, includeUsage }), ctx.clientErrors.body, geminiErrorToOpenAI);
  },
};

/** Embeddings on Gemini embedContent / batchEmbedContents. */
const embeddings: OpCodec = {
  encode({ request }, ctx): EncodedCall {
    const translated = embeddingsToGemini(request as unknown as EmbeddingsRequest, ctx.upstreamModel);
    return {
      method: 'POST',
      path: modelPath(ctx.upstreamModel, translated.method),
      query: '',
      headers: JSON_HEADERS,
      withClientHeaders: false,
      body: Buffer.from(JSON.stringify(translated.body)),
      stream: false,
      fields: {},
    };
  },
  decode(call, { request }, ctx) {
    // Gemini reports no token count: the answer's usage is the count the call is billed by.
    const inputTokens = estimateGeminiRequest(call.path, call.body)?.inputTokens ?? 0;
    const encodingFormat = request['encoding_format'] === 'base64' ? 'base64' : 'float';
    const convert = (response: unknown) => geminiEmbeddingsToOpenAI(response, { model: ctx.requestedModel, encodingFormat, inputTokens });
    return new JsonTranslator(convert, ctx.clientErrors.body, geminiErrorToOpenAI);
  },
};

/** Gemini carries chat and embeddings (and through the chat bridges, Responses and text completions). */
export const GEMINI_CODECS: Readonly<Partial<Record<Op, OpCodec>>> = { chat, embeddings };
