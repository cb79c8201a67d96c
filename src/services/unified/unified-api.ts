import type { ChatRequest } from '../../core/chat-types.js';
import { badRequest } from '../../core/errors.js';
import type { Op } from '../../core/ops.js';
import { ChatChunksAsCompletions, chatAsCompletion, completionsAsChat } from '../../dialects/openai/chat-as-completions.js';
import { responsesToChat } from '../../dialects/openai/responses-request.js';
import { chatToResponse } from '../../dialects/openai/responses-response.js';
import { ChatChunksAsResponseEvents } from '../../dialects/openai/responses-stream.js';
import { newId } from '../../lib/ids.js';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan } from '../../lib/json-depth.js';
import { formModelProblem, multipartBoundary, readFormFields, replaceFormField } from '../../lib/multipart-fields.js';
import type { ClientSink } from '../passthrough/client-sink.js';
import type { ResponseTranslator } from '../passthrough/response-translator.js';
import type { BackupCandidates } from './backup-candidates.js';
import type { DialectCalls, UnifiedCall, Wrap } from './dialect-calls.js';
import type { ModelRouter, RoutedModel } from './model-router.js';
import { ChainedTranslator, JsonTranslator, SseTranslator, openAIErrorsAsThey } from './translators.js';

export type { UnifiedCall } from './dialect-calls.js';

/**
 * The unified OpenAI-compatible calls on every provider: routes the model, picks the dialect, and tries
 * the model's backup when its provider fails before answering.
 */
export class UnifiedApi {
  constructor(
    private readonly router: ModelRouter,
    private readonly calls: DialectCalls,
    private readonly candidates: BackupCandidates,
  ) {}

  async chat(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const routed = this.router.route(call.pathModel ?? request['model'], 'chat');
    return this.candidates.run(call, routed, { ops: ['chat'], stream: request['stream'] === true }, (attempt, candidate) => this.chatOn(attempt, request as ChatRequest, candidate, sink));
  }

  /** Chat on any provider; `wrap` re-shapes the OpenAI chat answer (text completions, Responses). */
  private chatOn(call: UnifiedCall, request: ChatRequest, routed: RoutedModel, sink: ClientSink, wrap?: Wrap): Promise<void> {
    switch (routed.provider.dialect) {
      case 'gemini':
        return this.calls.gemini(call, request, routed, sink, wrap);
      case 'anthropic':
        return this.calls.anthropic(call, request, routed, sink, wrap);
      default: {
        const stream = request.stream === true;
        return this.calls.openAI(call, request, routed, '/v1/chat/completions', sink, wrap ? wrap(OPENAI_CHAT_AS_IT_IS, stream) : undefined);
      }
    }
  }

  /** `POST /v1/embeddings`: OpenAI-dialect providers as they are, Gemini through embedContent. */
  async embeddings(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const routed = this.router.route(request['model'], 'embeddings');
    return this.candidates.run(call, routed, { ops: ['embeddings'], stream: false }, (attempt, candidate) => {
      if (candidate.provider.dialect === 'openai') return this.calls.openAI(attempt, request, candidate, '/v1/embeddings', sink);
      if (candidate.provider.dialect === 'gemini') return this.calls.geminiEmbeddings(attempt, request, candidate, sink);
      throw notServed('Embeddings', candidate);
    });
  }

  /** `POST /v1/images/generations` (OpenAI-dialect providers, xAI images too). */
  imageGenerations(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.openAIOnly(call, sink, 'images.generate', '/v1/images/generations', 'Image generation');
  }

  speech(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.openAIOnly(call, sink, 'audio.speech', '/v1/audio/speech', 'Speech');
  }

  private async openAIOnly(call: UnifiedCall, sink: ClientSink, op: Op, path: string, what: string): Promise<void> {
    const request = parseObject(call.body);
    const routed = this.router.route(request['model'], op);
    return this.candidates.run(call, routed, { ops: [op], stream: request['stream'] === true }, (attempt, candidate) => {
      if (candidate.provider.dialect !== 'openai') throw notServed(what, candidate);
      return this.calls.openAI(attempt, request, candidate, path, sink);
    });
  }

  imageEdits(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'images.edit', '/v1/images/edits', 'Image edits');
  }

  transcriptions(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'audio.transcribe', '/v1/audio/transcriptions', 'Transcription');
  }

  translations(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'audio.transcribe', '/v1/audio/translations', 'Transcription');
  }

  /** Multipart calls: the form is forwarded as it is with only its `model` field renamed; files are never decoded. */
  private async multipart(call: UnifiedCall, sink: ClientSink, op: Op, path: string, what: string): Promise<void> {
    const boundary = multipartBoundary(headerText(call.headers['content-type']));
    if (boundary === undefined) throw badRequest('This endpoint takes a multipart/form-data body.');
    const problem = formModelProblem(call.body, boundary);
    if (problem) throw badRequest(problem, 'model');
    const routed = this.router.route(readFormFields(call.body, boundary, ['model'])['model'], op);
    return this.candidates.run(call, routed, { ops: [op], stream: false }, (attempt, candidate) => {
      if (candidate.provider.dialect !== 'openai') throw notServed(what, candidate);
      const form = replaceFormField(call.body, boundary, 'model', candidate.upstreamModel) ?? call.body;
      return this.calls.openAIForm(attempt, form, candidate, path, sink);
    });
  }

  /**
   * `POST /v1/responses`: providers hosting the Responses API get it as it is (model renamed); every other
   * chat model gets it bridged through chat, its answer or stream re-shaped as a Response.
   */
  async responses(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const native = this.tryRoute(request['model'], 'responses');
    const bridged = native?.provider.nativeResponses ? undefined : this.router.route(request['model'], 'chat');
    return this.candidates.run(call, bridged ?? native!, { ops: ['responses', 'chat'], stream: request['stream'] === true }, (attempt, candidate) => {
      if (candidate.provider.nativeResponses && serves(candidate, 'responses')) {
        return this.calls.openAI(attempt, request, candidate, '/v1/responses', sink);
      }
      return this.responsesViaChat(attempt, request, candidate, sink);
    });
  }

  private responsesViaChat(call: UnifiedCall, request: Record<string, unknown>, routed: RoutedModel, sink: ClientSink): Promise<void> {
    const chat = responsesToChat(request);
    const ctx = { model: routed.requested, createdAt: Math.floor(call.startedAt / 1000), id: newId('resp', call.startedAt), request };
    const asResponse: Wrap = (inner, stream) =>
      new ChainedTranslator(
        inner,
        stream ? new SseTranslator(new ChatChunksAsResponseEvents(ctx), openAIErrorsAsThey) : new JsonTranslator((answer) => chatToResponse(answer, ctx), openAIErrorsAsThey),
      );
    return this.chatOn(call, chat, routed, sink, asResponse);
  }

  /**
   * `POST /v1/completions` (and Botech's `/v1/text/generations`): models with a completions endpoint get it
   * as it is; any other chat model gets the prompt as one user message, and its answer as a text completion.
   */
  async completions(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const native = this.tryRoute(request['model'], 'completions');
    const routed = native?.provider.dialect === 'openai' ? native : this.router.route(request['model'], 'chat');
    const asCompletions: Wrap = (inner, stream) => new ChainedTranslator(inner, completionsTranslator(stream, routed.requested));
    return this.candidates.run(call, routed, { ops: ['completions', 'chat'], stream: request['stream'] === true }, (attempt, candidate) => {
      if (candidate.provider.dialect === 'openai' && serves(candidate, 'completions')) return this.calls.openAI(attempt, request, candidate, '/v1/completions', sink);
      return this.chatOn(attempt, completionsAsChat(request), candidate, sink, asCompletions);
    });
  }

  private tryRoute(model: unknown, op: Op): RoutedModel | undefined {
    try {
      return this.router.route(model, op);
    } catch {
      return undefined;
    }
  }
}

/** OpenAI-dialect chat answers need no translation before being re-shaped. */
const OPENAI_CHAT_AS_IT_IS: ResponseTranslator = {
  headers: (upstream) => upstream,
  push: (chunk) => chunk,
  end: () => Buffer.alloc(0),
  error: (status, body, headers) => ({ status, body, headers }),
};

/** OpenAI chat bytes (SSE or JSON) → text completion bytes. */
function completionsTranslator(stream: boolean, model: string): ResponseTranslator {
  return stream
    ? new SseTranslator(new ChatChunksAsCompletions(model), openAIErrorsAsThey)
    : new JsonTranslator((chat) => chatAsCompletion(chat, model), openAIErrorsAsThey);
}

/** Whether the model serves `op` (its catalog entry, else its provider). */
function serves(routed: RoutedModel, op: Op): boolean {
  return routed.catalog ? routed.catalog.entry.ops.includes(op) : routed.provider.ops.has(op);
}

function notServed(what: string, routed: RoutedModel) {
  return badRequest(`${what} with ${routed.provider.id} models is not served on /v1.`, 'model');
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseObject(body: Buffer): Record<string, unknown> {
  if (jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) throw badRequest(`The request body is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}
