/**
 * Turns a provider's answer into another API's answer while it is relayed (the unified API over Anthropic
 * or Gemini). The relay still meters the provider's own bytes; only what the client receives changes.
 */
export interface ResponseTranslator {
  /** Headers of a successful answer, given the provider's. */
  headers(upstream: Record<string, string | string[]>): Record<string, string | string[]>;
  /** Provider bytes in, client bytes out (possibly empty until an event or the whole body is complete). */
  push(chunk: Buffer): Buffer;
  /** What is left to send when the provider's answer ended normally. */
  end(): Buffer;
  /**
   * For a whole (non-stream) answer, the status to send, known only once it was translated: a provider
   * answer that cannot be translated becomes a 502. Headers of such answers wait until then.
   */
  status?(): number;
  /** A provider error answer (status ≥ 400, body already scrubbed) in the client's shape. */
  error(status: number, body: Buffer, headers: Record<string, string | string[]>): { status: number; body: Buffer; headers: Record<string, string | string[]> };
}
