import type { IncomingHttpHeaders } from 'node:http';
import type { ChatRequest } from '../../core/chat-types.js';
import { GatewayError, badRequest } from '../../core/errors.js';
import { chatToAnthropic } from '../../dialects/anthropic/chat-request.js';
import { anthropicErrorToOpenAI, anthropicToChat } from '../../dialects/anthropic/chat-response.js';
import { AnthropicChatStream } from '../../dialects/anthropic/chat-stream.js';
import { chatToGemini, fillRemoteImage } from '../../dialects/gemini/chat-request.js';
import { geminiErrorToOpenAI, geminiToChat } from '../../dialects/gemini/chat-response.js';
import { GeminiChatStream } from '../../dialects/gemini/chat-stream.js';
import { embeddingsToGemini, geminiEmbeddingsToOpenAI, type EmbeddingsRequest } from '../../dialects/gemini/embeddings.js';
import { estimateGeminiRequest } from '../../dialects/gemini/request-estimate.js';
import { newId } from '../../lib/ids.js';
import type { Principal } from '../auth/authenticator.js';
import type { ClientSink } from '../passthrough/client-sink.js';
import type { NativeRequest, PassthroughService } from '../passthrough/passthrough-service.js';
import type { ResponseTranslator } from '../passthrough/response-translator.js';
import { errorBody } from '../surface-errors.js';
import type { RoutedModel } from './model-router.js';
import type { RemoteImageFetcher } from './remote-images.js';
import { JsonTranslator, SseTranslator, type ChatStreamAdapter } from './translators.js';

export interface UnifiedCall {
  principal: Principal;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `/v1/models/{model}/chat/completions`: the model from the URL, which wins over the body's. */
  pathModel?: string;
  startedAt: number;
  /** Set while a backup candidate remains: failures before the answer come back to the caller. */
  failover?: NativeRequest['failover'];
}

/** Optionally wraps an adapter's translator (chat answers re-shaped as text completions or Responses). */
export type Wrap = (translator: ResponseTranslator, stream: boolean) => ResponseTranslator;
const same: Wrap = (translator) => translator;

/**
 * One call to one provider in its own dialect: OpenAI-dialect upstreams (OpenAI, xAI, DeepSeek,
 * OpenRouter, custom hosts) get the body with only the model renamed and answer with the client's model
 * name; Anthropic and Gemini get translated requests and answer through translators.
 */
export class DialectCalls {
  constructor(
    private readonly passthrough: PassthroughService,
    private readonly imageFetcher: RemoteImageFetcher,
  ) {}

  /** An OpenAI-dialect JSON call; `request` gets the provider's model name. */
  async openAI(call: UnifiedCall, request: Record<string, unknown>, routed: RoutedModel, path: string, sink: ClientSink, translator?: ResponseTranslator): Promise<void> {
    const body = Buffer.from(JSON.stringify({ ...request, model: routed.upstreamModel }));
    await this.passthrough.forward(
      {
        ...this.common(call, routed, path, body),
        headers: { ...call.headers, 'content-type': 'application/json' },
        fields: { model: routed.upstreamModel, stream: request['stream'] === true },
        echoModel: routed.requested,
        ...(path === '/v1/responses' ? { echoModelDepth: 2 as const } : {}),
        ...(translator ? { translator } : {}),
      },
      sink,
    );
  }

  /** A multipart form already carrying the provider's model name. */
  async openAIForm(call: UnifiedCall, form: Buffer, routed: RoutedModel, path: string, sink: ClientSink): Promise<void> {
    await this.passthrough.forward(
      { ...this.common(call, routed, path, form), headers: call.headers, fields: { model: routed.upstreamModel }, echoModel: routed.requested },
      sink,
    );
  }

  /** Chat on Anthropic Messages; `max_tokens` (required there) defaults to the model's maximum output. */
  async anthropic(call: UnifiedCall, request: ChatRequest, routed: RoutedModel, sink: ClientSink, wrap: Wrap = same): Promise<void> {
    const translated = chatToAnthropic(request, {
      upstreamModel: routed.upstreamModel,
      defaultMaxTokens: routed.catalog?.entry.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    });
    const stream = translated['stream'] === true;
    const body = Buffer.from(JSON.stringify(translated));
    const created = Math.floor(call.startedAt / 1000);
    const id = `chatcmpl-${newId('an', call.startedAt).slice(3)}`;
    await this.passthrough.forward(
      {
        ...this.common(call, routed, '/v1/messages', body),
        upstreamHeaders: { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION },
        fields: { model: routed.upstreamModel, stream },
        translator: wrap(
          stream
            ? new SseTranslator(
                endsWithErrorWhenCut(new AnthropicChatStream({ model: routed.requested, created, id, includeUsage: request.stream_options?.include_usage === true })),
                anthropicErrorToOpenAI,
              )
            : new JsonTranslator((message) => anthropicToChat(message, { model: routed.requested, created }), anthropicErrorToOpenAI),
          stream,
        ),
      },
      sink,
    );
  }

  /** Chat on Gemini generateContent (alt=sse for streams); remote images are fetched here and sent inline. */
  async gemini(call: UnifiedCall, request: ChatRequest, routed: RoutedModel, sink: ClientSink, wrap: Wrap = same): Promise<void> {
    const translated = chatToGemini(request, { model: routed.upstreamModel });
    if (translated.remoteImages.length > MAX_REMOTE_IMAGES) {
      throw badRequest(`At most ${MAX_REMOTE_IMAGES} images by URL per request for this model; send more as data URLs.`, 'messages');
    }
    // Estimated and admitted with the images as placeholders (priced by count); fetched only once admitted.
    const body = Buffer.from(JSON.stringify(translated.body));
    const completeBody = async (signal: AbortSignal) => {
      for (const image of translated.remoteImages) fillRemoteImage(translated.body, image, await this.imageFetcher.fetch(image.url, signal));
      return Buffer.from(JSON.stringify(translated.body));
    };
    const created = Math.floor(call.startedAt / 1000);
    const id = `chatcmpl-${newId('gm', call.startedAt).slice(3)}`;
    const answer = { model: routed.requested, created, id };
    const method = translated.stream ? 'streamGenerateContent' : 'generateContent';
    await this.passthrough.forward(
      {
        ...this.common(call, routed, `/v1beta/models/${encodeURIComponent(routed.upstreamModel)}:${method}`, body),
        query: translated.stream ? 'alt=sse' : '',
        upstreamHeaders: { 'content-type': 'application/json' },
        fields: {},
        ...(translated.remoteImages.length > 0 ? { completeBody } : {}),
        translator: wrap(
          translated.stream
            ? new SseTranslator(new GeminiChatStream({ ...answer, includeUsage: translated.includeUsage }), geminiErrorToOpenAI)
            : new JsonTranslator((response) => geminiToChat(response, answer), geminiErrorToOpenAI),
          translated.stream,
        ),
      },
      sink,
    );
  }

  /** Embeddings on Gemini embedContent / batchEmbedContents. */
  async geminiEmbeddings(call: UnifiedCall, request: Record<string, unknown>, routed: RoutedModel, sink: ClientSink): Promise<void> {
    const translated = embeddingsToGemini(request as unknown as EmbeddingsRequest, routed.upstreamModel);
    const body = Buffer.from(JSON.stringify(translated.body));
    const path = `/v1beta/models/${encodeURIComponent(routed.upstreamModel)}:${translated.method}`;
    // Gemini reports no token count: the answer's usage is the count the call is billed by.
    const inputTokens = estimateGeminiRequest(path, body)?.inputTokens ?? 0;
    const encodingFormat = request['encoding_format'] === 'base64' ? 'base64' : 'float';
    await this.passthrough.forward(
      {
        ...this.common(call, routed, path, body),
        upstreamHeaders: { 'content-type': 'application/json' },
        fields: {},
        translator: new JsonTranslator((response) => geminiEmbeddingsToOpenAI(response, { model: routed.requested, encodingFormat, inputTokens }), geminiErrorToOpenAI),
      },
      sink,
    );
  }

  /** What every unified relay call shares; callers add headers, fields and a translator. */
  private common(call: UnifiedCall, routed: RoutedModel, path: string, body: Buffer) {
    return {
      provider: routed.provider,
      surface: 'openai' as const,
      method: 'POST',
      path,
      query: '',
      headers: call.headers,
      body,
      contentLength: body.length,
      principal: call.principal,
      startedAt: call.startedAt,
      ...(call.failover ? { failover: call.failover } : {}),
    };
  }
}

const ANTHROPIC_VERSION = '2023-06-01';
/** When neither the request nor the catalog gives an output cap (Anthropic requires one). */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 8192;
/** Images fetched by the gateway for one request (each within IMAGE_FETCH_MAX_BYTES). */
const MAX_REMOTE_IMAGES = 8;

/** A stream the provider closed before its last event ends with an error for the client, never a fake finish. */
function endsWithErrorWhenCut(stream: AnthropicChatStream): ChatStreamAdapter {
  return {
    push: (event) => stream.push(event),
    end: () => {
      const rest = stream.end();
      if (stream.completed()) return rest;
      const failure = new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'The provider ended the stream before it was complete.');
      return `${rest}data: ${JSON.stringify(errorBody('openai', failure))}\n\n`;
    },
  };
}
