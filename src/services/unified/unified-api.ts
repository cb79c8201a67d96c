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
import { multipartBoundary, readFormFields, replaceFormField } from '../../lib/multipart-fields.js';
import type { Principal } from '../auth/authenticator.js';
import type { ClientSink } from '../passthrough/client-sink.js';
import type { PassthroughService } from '../passthrough/passthrough-service.js';
import type { ModelRouter, RoutedModel } from './model-router.js';
import type { RemoteImageFetcher } from './remote-images.js';
import { errorBody } from '../surface-errors.js';
import { ChainedTranslator, JsonTranslator, SseTranslator, openAIErrorsAsThey, type ChatStreamAdapter } from './translators.js';
import type { ResponseTranslator } from '../passthrough/response-translator.js';
import { ChatChunksAsCompletions, chatAsCompletion, completionsAsChat } from '../../dialects/openai/chat-as-completions.js';

export interface UnifiedCall {
  principal: Principal;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `/v1/models/{model}/chat/completions`: the model from the URL, which wins over the body's. */
  pathModel?: string;
  startedAt: number;
}

/**
 * The unified OpenAI-compatible calls on every provider. OpenAI-dialect upstreams (OpenAI, xAI, DeepSeek,
 * OpenRouter) get the body as sent with only the model renamed, and answer with the client's model name;
 * Anthropic and Gemini get translated requests and answer through translators.
 */
export class UnifiedApi {
  constructor(
    private readonly router: ModelRouter,
    private readonly passthrough: PassthroughService,
    private readonly imageFetcher: RemoteImageFetcher,
  ) {}

  async chat(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const requested = call.pathModel ?? request['model'];
    const routed = this.router.route(requested, 'chat');
    if (routed.provider.dialect === 'gemini') return this.viaGemini(call, request as ChatRequest, routed, sink);
    if (routed.provider.dialect !== 'openai') return this.viaAnthropic(call, request as ChatRequest, routed, sink);
    return this.viaOpenAIDialect(call, request, routed, '/v1/chat/completions', sink);
  }

  /** `POST /v1/embeddings`: OpenAI-dialect providers as they are, Gemini through embedContent. */
  async embeddings(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const routed = this.router.route(request['model'], 'embeddings');
    if (routed.provider.dialect === 'openai') return this.viaOpenAIDialect(call, request, routed, '/v1/embeddings', sink);
    const translated = embeddingsToGemini(request as unknown as EmbeddingsRequest, routed.upstreamModel);
    const body = Buffer.from(JSON.stringify(translated.body));
    const path = `/v1beta/models/${encodeURIComponent(routed.upstreamModel)}:${translated.method}`;
    // Gemini reports no token count: the answer's usage is the count the call is billed by.
    const inputTokens = estimateGeminiRequest(path, body)?.inputTokens ?? 0;
    const encodingFormat = request['encoding_format'] === 'base64' ? 'base64' : 'float';
    await this.passthrough.forward(
      {
        ...this.translatedCall(call, routed, path, '', body, { 'content-type': 'application/json' }),
        translator: new JsonTranslator((response) => geminiEmbeddingsToOpenAI(response, { model: routed.requested, encodingFormat, inputTokens }), geminiErrorToOpenAI),
      },
      sink,
    );
  }

  /** `POST /v1/images/generations` and `/v1/audio/speech`: OpenAI-dialect providers (xAI images too). */
  async imageGenerations(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const routed = this.router.route(request['model'], 'images.generate');
    if (routed.provider.dialect !== 'openai') throw badRequest(`Image generation with ${routed.provider.id} models is not served on /v1.`, 'model');
    return this.viaOpenAIDialect(call, request, routed, '/v1/images/generations', sink);
  }

  async speech(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const routed = this.router.route(request['model'], 'audio.speech');
    if (routed.provider.dialect !== 'openai') throw badRequest(`Speech with ${routed.provider.id} models is not served on /v1.`, 'model');
    return this.viaOpenAIDialect(call, request, routed, '/v1/audio/speech', sink);
  }

  /**
   * `POST /v1/images/edits`, `/v1/audio/transcriptions` and `/v1/audio/translations` (multipart): the form
   * is forwarded as it is with only its `model` field renamed; files are never decoded.
   */
  imageEdits(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'images.edit', '/v1/images/edits');
  }

  transcriptions(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'audio.transcribe', '/v1/audio/transcriptions');
  }

  translations(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'audio.transcribe', '/v1/audio/translations');
  }

  private async multipart(call: UnifiedCall, sink: ClientSink, op: 'images.edit' | 'audio.transcribe', path: string): Promise<void> {
    const boundary = multipartBoundary(headerText(call.headers['content-type']));
    if (boundary === undefined) throw badRequest('This endpoint takes a multipart/form-data body.');
    const requested = readFormFields(call.body, boundary, ['model'])['model'];
    const routed = this.router.route(requested, op);
    if (routed.provider.dialect !== 'openai') throw badRequest(`${op === 'images.edit' ? 'Image edits' : 'Transcription'} with ${routed.provider.id} models is not served on /v1.`, 'model');
    const body = replaceFormField(call.body, boundary, 'model', routed.upstreamModel) ?? call.body;
    await this.passthrough.forward(
      {
        provider: routed.provider,
        surface: 'openai',
        method: 'POST',
        path,
        query: '',
        headers: call.headers,
        body,
        contentLength: body.length,
        fields: { model: routed.upstreamModel },
        principal: call.principal,
        startedAt: call.startedAt,
        echoModel: routed.requested,
      },
      sink,
    );
  }

  private async viaOpenAIDialect(
    call: UnifiedCall,
    request: Record<string, unknown>,
    routed: RoutedModel,
    path: string,
    sink: ClientSink,
    translator?: ResponseTranslator,
  ): Promise<void> {
    request['model'] = routed.upstreamModel;
    const body = Buffer.from(JSON.stringify(request));
    await this.passthrough.forward(
      {
        provider: routed.provider,
        surface: 'openai',
        method: 'POST',
        path,
        query: '',
        headers: { ...call.headers, 'content-type': 'application/json' },
        body,
        contentLength: body.length,
        fields: { model: routed.upstreamModel, stream: request['stream'] === true },
        principal: call.principal,
        startedAt: call.startedAt,
        echoModel: routed.requested,
        ...(translator ? { translator } : {}),
      },
      sink,
    );
  }

  /**
   * `POST /v1/completions` and Botech's `/v1/text/generations`: models with a completions endpoint get it
   * as it is; any other chat model gets the prompt as one user message, and its answer as a text completion.
   */
  async completions(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const native = this.tryRoute(request['model'], 'completions');
    if (native && native.provider.dialect === 'openai') return this.viaOpenAIDialect(call, request, native, '/v1/completions', sink);
    const routed = this.router.route(request['model'], 'chat');
    const chat = completionsAsChat(request);
    const asCompletions: Wrap = (inner, stream) => new ChainedTranslator(inner, completionsTranslator(stream, routed.requested));
    if (routed.provider.dialect === 'gemini') return this.viaGemini(call, chat, routed, sink, asCompletions);
    if (routed.provider.dialect === 'anthropic') return this.viaAnthropic(call, chat, routed, sink, asCompletions);
    // An OpenAI-dialect chat model: the provider speaks chat, only the answer's shape changes.
    return this.viaOpenAIDialect(call, chat as unknown as Record<string, unknown>, routed, '/v1/chat/completions', sink, completionsTranslator(chat.stream === true, routed.requested));
  }

  private tryRoute(model: unknown, op: 'completions'): RoutedModel | undefined {
    try {
      return this.router.route(model, op);
    } catch {
      return undefined;
    }
  }

  /** The relay call for a translated request (the translator is added by the caller). */
  private translatedCall(call: UnifiedCall, routed: RoutedModel, path: string, query: string, body: Buffer, headers: Record<string, string>, stream = false) {
    return {
      provider: routed.provider,
      surface: 'openai' as const,
      method: 'POST',
      path,
      query,
      headers: call.headers,
      upstreamHeaders: headers,
      body,
      contentLength: body.length,
      fields: { model: routed.upstreamModel, stream },
      principal: call.principal,
      startedAt: call.startedAt,
    };
  }

  /** Gemini generateContent (alt=sse for streams); remote images are fetched here and sent inline. */
  private async viaGemini(call: UnifiedCall, request: ChatRequest, routed: RoutedModel, sink: ClientSink, wrap: Wrap = same): Promise<void> {
    const translated = chatToGemini(request, { model: routed.upstreamModel });
    if (translated.remoteImages.length > MAX_REMOTE_IMAGES) {
      throw badRequest(`At most ${MAX_REMOTE_IMAGES} images by URL per request for this model; send more as data URLs.`, 'messages');
    }
    for (const image of translated.remoteImages) fillRemoteImage(translated.body, image, await this.imageFetcher.fetch(image.url));
    const body = Buffer.from(JSON.stringify(translated.body));
    const created = Math.floor(call.startedAt / 1000);
    const id = `chatcmpl-${newId('gm', call.startedAt).slice(3)}`;
    const answer = { model: routed.requested, created, id };
    const method = translated.stream ? 'streamGenerateContent' : 'generateContent';
    await this.passthrough.forward(
      {
        provider: routed.provider,
        surface: 'openai',
        method: 'POST',
        path: `/v1beta/models/${encodeURIComponent(routed.upstreamModel)}:${method}`,
        query: translated.stream ? 'alt=sse' : '',
        headers: call.headers,
        upstreamHeaders: { 'content-type': 'application/json' },
        body,
        contentLength: body.length,
        fields: {},
        principal: call.principal,
        startedAt: call.startedAt,
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


  /** Anthropic Messages; `max_tokens` (required there) defaults to the model's maximum output. */
  private async viaAnthropic(call: UnifiedCall, request: ChatRequest, routed: RoutedModel, sink: ClientSink, wrap: Wrap = same): Promise<void> {
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
        provider: routed.provider,
        surface: 'openai',
        method: 'POST',
        path: '/v1/messages',
        query: '',
        headers: call.headers,
        upstreamHeaders: { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION },
        body,
        contentLength: body.length,
        fields: { model: routed.upstreamModel, stream },
        principal: call.principal,
        startedAt: call.startedAt,
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
}

const ANTHROPIC_VERSION = '2023-06-01';
/** Images fetched by the gateway for one request (each within IMAGE_FETCH_MAX_BYTES). */
const MAX_REMOTE_IMAGES = 8;

/** Optionally wraps an adapter's translator (chat answers re-shaped as text completions). */
type Wrap = (translator: ResponseTranslator, stream: boolean) => ResponseTranslator;
const same: Wrap = (translator) => translator;

/** OpenAI chat bytes (SSE or JSON) → text completion bytes. */
function completionsTranslator(stream: boolean, model: string): ResponseTranslator {
  return stream
    ? new SseTranslator(new ChatChunksAsCompletions(model), openAIErrorsAsThey)
    : new JsonTranslator((chat) => chatAsCompletion(chat, model), openAIErrorsAsThey);
}

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
/** When neither the request nor the catalog gives an output cap (Anthropic requires one). */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 8192;

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}