import { badRequest } from '../../core/errors.js';
import type { Op } from '../../core/ops.js';
import { CHAT_BRIDGES, codecOf, type CodecInput } from '../../dialects/index.js';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan } from '../../lib/json-depth.js';
import { formModelProblem, multipartBoundary, readFormFields } from '../../lib/multipart-fields.js';
import type { ClientSink } from '../relay/client-sink.js';
import type { BackupCandidates } from './backup-candidates.js';
import type { CodecCalls, UnifiedCall } from './codec-calls.js';
import type { ModelRouter, RoutedModel } from './model-router.js';
import type { ResponsesStore } from './responses-store.js';

export type { UnifiedCall } from './codec-calls.js';

/** What each operation is called in a refusal ("Embeddings with anthropic models is not served on /v1."). */
const OP_NAMES: Readonly<Record<Op, string>> = {
  chat: 'Chat',
  responses: 'Responses',
  completions: 'Text completions',
  embeddings: 'Embeddings',
  'images.generate': 'Image generation',
  'images.edit': 'Image edits',
  'audio.speech': 'Speech',
  'audio.transcribe': 'Transcription',
};

/**
 * The unified OpenAI-compatible calls on every provider: routes the model, finds its dialect's codec for
 * the operation (or a bridge through chat), and tries the model's backup when its provider fails before
 * answering.
 */
export class UnifiedApi {
  constructor(
    private readonly router: ModelRouter,
    private readonly calls: CodecCalls,
    private readonly candidates: BackupCandidates,
    /** The response store of bridged `/v1/responses` calls. */
    readonly responsesStore?: ResponsesStore,
  ) {}

  async chat(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const routed = this.router.route(call.pathModel ?? request['model'], 'chat');
    const input = { endpoint: '/v1/chat/completions', request, bytes: call.body };
    return this.candidates.run(call, routed, { ops: ['chat'], stream: request['stream'] === true }, (attempt, candidate) => this.viaCodec(attempt, 'chat', input, candidate, sink));
  }

  /** `POST /v1/embeddings`. */
  embeddings(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.jsonOp(call, sink, 'embeddings', '/v1/embeddings', false);
  }

  /** `POST /v1/images/generations` (xAI images too). */
  imageGenerations(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.jsonOp(call, sink, 'images.generate', '/v1/images/generations');
  }

  speech(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.jsonOp(call, sink, 'audio.speech', '/v1/audio/speech');
  }

  imageEdits(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'images.edit', '/v1/images/edits');
  }

  transcriptions(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'audio.transcribe', '/v1/audio/transcriptions');
  }

  translations(call: UnifiedCall, sink: ClientSink): Promise<void> {
    return this.multipart(call, sink, 'audio.transcribe', '/v1/audio/translations');
  }

  /**
   * `POST /v1/responses`: providers hosting the Responses API get it as it is (model renamed); every other
   * chat model gets it bridged through chat, its answer or stream re-shaped as a Response.
   */
  async responses(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const native = this.tryRoute(request['model'], 'responses');
    const bridged = native?.provider.nativeResponses ? undefined : this.router.route(request['model'], 'chat');
    const input = { endpoint: '/v1/responses', request, bytes: call.body };
    return this.candidates.run(call, bridged ?? native!, { ops: ['responses', 'chat'], stream: request['stream'] === true }, (attempt, candidate) => {
      if (candidate.provider.nativeResponses && serves(candidate, 'responses')) return this.viaCodec(attempt, 'responses', input, candidate, sink);
      return this.viaChat(attempt, 'responses', request, candidate, sink);
    });
  }

  /**
   * `POST /v1/completions` (and Botech's `/v1/text/generations`): models with a completions endpoint get it
   * as it is; any other chat model gets the prompt as one user message, and its answer as a text completion.
   */
  async completions(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const native = this.tryRoute(request['model'], 'completions');
    const routed = native && codecOf(native.provider.dialect, 'completions') ? native : this.router.route(request['model'], 'chat');
    const input = { endpoint: '/v1/completions', request, bytes: call.body };
    return this.candidates.run(call, routed, { ops: ['completions', 'chat'], stream: request['stream'] === true }, (attempt, candidate) => {
      if (codecOf(candidate.provider.dialect, 'completions') && serves(candidate, 'completions')) return this.viaCodec(attempt, 'completions', input, candidate, sink);
      return this.viaChat(attempt, 'completions', request, candidate, sink);
    });
  }

  /** A JSON operation its model's dialect carries with a codec of its own; `streams`: the op can answer as a stream. */
  private async jsonOp(call: UnifiedCall, sink: ClientSink, op: Op, endpoint: string, streams = true): Promise<void> {
    const request = parseObject(call.body);
    const routed = this.router.route(request['model'], op);
    const input = { endpoint, request, bytes: call.body };
    const stream = streams && request['stream'] === true; // embeddings are whole answers whatever the body says
    return this.candidates.run(call, routed, { ops: [op], stream }, (attempt, candidate) => this.viaCodec(attempt, op, input, candidate, sink));
  }

  /** Multipart calls: the form is forwarded as it is with only its `model` field renamed; files are never decoded. */
  private async multipart(call: UnifiedCall, sink: ClientSink, op: Op, endpoint: string): Promise<void> {
    const boundary = multipartBoundary(headerText(call.headers['content-type']));
    if (boundary === undefined) throw badRequest('This endpoint takes a multipart/form-data body.');
    const problem = formModelProblem(call.body, boundary);
    if (problem) throw badRequest(problem, 'model');
    const routed = this.router.route(readFormFields(call.body, boundary, ['model'])['model'], op);
    const input = { endpoint, request: {}, form: { body: call.body, boundary } };
    return this.candidates.run(call, routed, { ops: [op], stream: false }, (attempt, candidate) => this.viaCodec(attempt, op, input, candidate, sink));
  }

  private viaCodec(call: UnifiedCall, op: Op, input: CodecInput, routed: RoutedModel, sink: ClientSink): Promise<void> {
    const codec = codecOf(routed.provider.dialect, op);
    if (!codec) throw notServed(OP_NAMES[op], routed);
    return this.calls.run(call, codec, input, routed, sink);
  }

  /**
   * `op` answered by way of chat, on a model whose dialect has no codec for it (or that does not serve it).
   * A Responses call has what it names in the response store expanded first, and its answer kept there.
   */
  private async viaChat(call: UnifiedCall, op: Op, request: Record<string, unknown>, routed: RoutedModel, sink: ClientSink): Promise<void> {
    const bridge = CHAT_BRIDGES[op];
    const codec = codecOf(routed.provider.dialect, 'chat');
    if (!bridge || !codec) throw notServed(OP_NAMES[op], routed);
    const store = op === 'responses' ? this.responsesStore : undefined;
    const expanded = store ? await store.expand(call.principal, request) : request;
    const input = { endpoint: '/v1/chat/completions', request: bridge.toChat(expanded) };
    const observe = store?.observer(call.principal, request, expanded);
    // The answer echoes the request as sent, but names the tools of the input the model saw (earlier items may have added some).
    const answered = expanded === request ? request : { ...request, input: expanded['input'] };
    return this.calls.run(call, codec, input, routed, sink, { bridge, request: answered, observe });
  }

  private tryRoute(model: unknown, op: Op): RoutedModel | undefined {
    try {
      return this.router.route(model, op);
    } catch {
      return undefined;
    }
  }
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
