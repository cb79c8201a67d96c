import type { ByteTransform } from './byte-transform.js';
import type { GatewayError } from './errors.js';
import type { CostBasis, RequestUsage } from './estimate.js';
import type { NativeEndpoint } from './native-endpoint.js';
import type { Op } from './ops.js';
import type { UsageTap } from './usage-tap.js';

/** The API dialects tollgate speaks; a client's surface is the dialect of the route it called. */
export type DialectName = 'openai' | 'anthropic' | 'gemini';

/** How a native call is metered: the tap that reads its answer, and what admission holds money against. */
export interface NativeMeter {
  /** What the endpoint is to the gateway: metered, free, billed later, or unknown (see native-endpoint.ts). */
  endpoint: NativeEndpoint;
  tap: UsageTap | undefined;
  /** Set when the gateway asked for the stream's usage chunk itself and must keep it from the client. */
  filter: ByteTransform | undefined;
  /** A body to send instead of the one read (the gateway asked for the stream's usage in it); undefined: as read. */
  body: Buffer | undefined;
  /** Billing read from the request, for answers that report no usage (speech, DALL·E images). */
  requestUsage?: RequestUsage | undefined;
  /** What admission holds money against; undefined for calls that cost nothing. */
  basis: CostBasis | undefined;
  /** The provider's own count of what it bills, asked once the answer is out (Gemini embeddings); see `UsageRecount`. */
  recount?: UsageRecount | undefined;
}

/**
 * Free upstream calls that count the input tokens the provider bills, for answers that report none (Gemini
 * embeddings: `models/{model}:countTokens`, one per embedded text). Their sum replaces `requestUsage`'s
 * bound when every one of them answers in time.
 */
export interface UsageRecount {
  /** POST requests on the provider's API, each counting one part of the call's input. */
  requests: ReadonlyArray<{ path: string; body: Buffer }>;
  /** The tokens one count answer states; undefined when it states none. */
  tokens(answer: unknown): number | undefined;
}

/** A native call as its dialect needs to know it: canonical path, top-level body fields. */
export interface NativeCallShape {
  method: string;
  /** With the version, canonical: `/v1/chat/completions`. */
  path: string;
  /** Top-level fields read from a JSON body (model, stream) or a multipart form (model). */
  fields: Readonly<Record<string, unknown>>;
}

/** What the native surface of a dialect knows: its endpoints, their metering, its key-rejection rule. */
export interface NativeRules {
  /** The endpoint a call reaches (`path` canonical), as the dialect lists it. */
  endpoint(method: string, path: string): NativeEndpoint;
  /** How a metered call is metered; throws a 400 GatewayError when a metered JSON body is malformed. */
  meter(call: NativeCallShape, body: Buffer | undefined): NativeMeter;
  /** The model a call names (in its body, or its path), at most 200 characters. */
  model(call: NativeCallShape): string | null;
  /** An error answer that says the upstream key itself was refused (beyond a plain 401). */
  keyRejected(status: number, body: Buffer): boolean;
  /** The dialect's SDKs may send the client's key as `?key=` (Google's do); elsewhere a key there is refused. */
  keyInQuery: boolean;
}

/** How a dialect's clients are told of a failure. */
export interface ErrorRendering {
  body(err: GatewayError): object;
  /** The bytes that end a stream of this dialect with the failure. */
  streamEvent(err: GatewayError): string;
}

/** A unified (OpenAI-shaped) request as a codec receives it. */
export interface CodecInput {
  /** The OpenAI path of the operation as called (`/v1/audio/translations`); a bridged call's is chat's. */
  endpoint: string;
  /** The request, parsed (or built by a bridge: a Responses request as chat). */
  request: Readonly<Record<string, unknown>>;
  /** The client's bytes, when `request` is exactly them parsed: a codec may edit them instead of re-serialising. */
  bytes?: Buffer;
  /** Multipart operations: the form as sent, and its boundary. */
  form?: { body: Buffer; boundary: string };
}

export interface CodecContext {
  /** The provider's name of the model. */
  upstreamModel: string;
  /** The name the client asked for, which the answer carries. */
  requestedModel: string;
  startedAt: number;
  /** The model's maximum output from the catalog, for dialects that need a cap. */
  maxOutputTokens?: number | undefined;
  /** How the client's surface (OpenAI's, on /v1) tells a failure the gateway itself finds in an answer. */
  clientErrors: ErrorRendering;
}

/** Media the gateway fetches itself once a call is admitted (Gemini takes images only inline). */
export interface FetchedMedia {
  mimeType: string;
  /** Base64. */
  data: string;
}

/** The upstream request a codec made: what the relay sends, plus the auth. */
export interface EncodedCall {
  method: string;
  path: string;
  /** Query string without `?`. */
  query: string;
  /** Sent as they are; with `withClientHeaders`, on top of the client's (filtered as native calls are). */
  headers: Record<string, string>;
  withClientHeaders: boolean;
  body: Buffer;
  stream: boolean;
  /** Top-level fields the relay records (model, stream), as a native call of this dialect would show them. */
  fields: Readonly<Record<string, unknown>>;
  /** URLs to fetch after admission, and how to complete the body with what they held. */
  remote?: { urls: readonly string[]; complete(media: readonly FetchedMedia[]): Buffer };
}

/**
 * One unified operation on one dialect, pure: the client's request in, the upstream call out; the
 * provider's answer bytes (stream or whole) through `decode` back in OpenAI's shape, errors included.
 * Usage is read by the dialect's native meter from the provider's own bytes, as for native calls.
 */
export interface OpCodec {
  /** Throws a 400 GatewayError for a request this dialect cannot carry. */
  encode(input: CodecInput, ctx: CodecContext): EncodedCall;
  decode(call: EncodedCall, input: CodecInput, ctx: CodecContext): ByteTransform;
}

/**
 * Answers an OpenAI operation other than chat by way of chat (Responses and text completions on models
 * that have only chat): the request as chat in, the chat answer's bytes re-shaped out.
 */
export interface ChatBridge {
  toChat(request: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>>;
  /** `observe`, when given, is told of the finished answer (the Responses bridge: for the response store). */
  fromChat(request: Readonly<Record<string, unknown>>, stream: boolean, ctx: CodecContext, observe?: BridgeObserver): ByteTransform;
}

/** A note the gateway adds to an answer it re-shaped (a Response's `warnings`): what it dropped or did not keep. */
export interface AnswerWarning {
  code: string;
  message: string;
}

/** A bridged answer once complete, as the client receives it. */
export interface BridgedAnswer {
  /** The answer object (a Response). */
  answer: object;
  /** Per tool call id, the provider's side field on that call (`extra_content`: Gemini's thought signature). */
  toolCallExtras: Readonly<Record<string, unknown>>;
}

/** Told of a bridged answer before its last bytes go out; the warnings it returns are added to the answer. */
export type BridgeObserver = (answer: BridgedAnswer) => readonly AnswerWarning[];

/** Everything the gateway knows of one dialect; services look it up in `DIALECTS` and nowhere else. */
export interface DialectModule {
  name: DialectName;
  native: NativeRules;
  errors: ErrorRendering;
  /** The unified operations this dialect can carry; one it cannot is absent, never a stub. */
  ops: Readonly<Partial<Record<Op, OpCodec>>>;
}
