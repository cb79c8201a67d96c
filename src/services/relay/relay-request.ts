import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { ByteTransform } from '../../core/byte-transform.js';
import type { Surface } from '../../core/surface.js';
import type { ProviderSpec } from '../../providers/index.js';
import type { Principal } from '../auth/authenticator.js';

/** What is sent upstream, before the provider's auth is added. */
export interface UpstreamCall {
  method: string;
  /** With the version, canonical (lib/canonical-path.ts): `/v1/chat/completions`. */
  path: string;
  /** Query string without `?`, the client's `key` already removed. */
  query: string;
  /** The client's headers, sent filtered (hop-by-hop, auth, account-selecting ones dropped); none: only `headers`. */
  clientHeaders: IncomingHttpHeaders | undefined;
  /** Sent as they are, over the client's. */
  headers: Readonly<Record<string, string>>;
  body: Buffer | Readable | undefined;
  /** A streamed body's declared length. */
  contentLength: number | undefined;
}

/** How the relay treats the call beyond sending it. */
export interface RelayOptions {
  /** What the answer goes through after secrets are masked (a dialect translation, the model echo). */
  answer?: ByteTransform | undefined;
  /**
   * Calls with a backup candidate: a failure before anything reached the client (connection, no response
   * headers within `firstByteTimeoutMs` when set, 429, 401, 5xx, a rejected key) rejects with a
   * `CandidateFailed` so the caller can try the backup, instead of being relayed.
   */
  failover?: { firstByteTimeoutMs?: number } | undefined;
  /**
   * Completes a JSON body after admission (Gemini images named by URL are fetched only for calls that
   * were admitted); `call.body` is what is estimated and checked, the result is what is sent.
   */
  completeBody?: ((signal: AbortSignal) => Promise<Buffer>) | undefined;
}

/** One call to relay, native or unified. */
export interface RelayRequest {
  provider: ProviderSpec;
  /** The client's API, whose shape the gateway's own errors take. */
  surface: Surface;
  principal: Principal;
  startedAt: number;
  call: UpstreamCall;
  /** Top-level fields read from a JSON body (model, stream) or a multipart form (model); empty otherwise. */
  fields: Readonly<Record<string, unknown>>;
  options: RelayOptions;
}
