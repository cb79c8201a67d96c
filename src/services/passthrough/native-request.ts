import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Surface } from '../../core/surface.js';
import type { ProviderSpec } from '../../providers/index.js';
import type { Principal } from '../auth/authenticator.js';
import type { ResponseTranslator } from './response-translator.js';

/** One call to relay: the upstream request (method, canonical path, query, headers, body) and how to relay it. */
export interface NativeRequest {
  provider: ProviderSpec;
  surface: Surface;
  method: string;
  /** Path after the mount, with the version, canonical (lib/canonical-path.ts): `/v1/chat/completions`. */
  path: string;
  /** Query string without `?`, the client's `key` already removed. */
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer | Readable | undefined;
  contentLength: number | undefined;
  /** Top-level fields read from a JSON body (model, stream) or a multipart form (model); empty otherwise. */
  fields: Readonly<Record<string, unknown>>;
  principal: Principal;
  startedAt: number;
  /** Unified API: the model name to answer with (the one the client asked for), instead of the provider's. */
  echoModel?: string;
  /** 2 for Responses streams, whose events carry the model in `response.model` (whole answers: top level). */
  echoModelDepth?: 1 | 2;
  /** Unified API over another dialect: the answer is translated for the client (errors included). */
  translator?: ResponseTranslator;
  /** Send exactly these request headers (plus the provider's auth) instead of the client's. */
  upstreamHeaders?: Record<string, string>;
  /**
   * Unified calls with a backup candidate: a failure before anything reached the client (connection,
   * no response headers within `firstByteTimeoutMs` when set, 429, 401, 5xx, Gemini's rejected key)
   * rejects with a `CandidateFailed` so the caller can try the backup, instead of being relayed.
   */
  failover?: { firstByteTimeoutMs?: number };
  /**
   * Completes a JSON body after admission (Gemini images named by URL are fetched only for calls that were
   * admitted); `body` is what is estimated and checked, the result is what is sent.
   */
  completeBody?: (signal: AbortSignal) => Promise<Buffer>;
}
