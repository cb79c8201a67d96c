// Public types of the mock upstreams (re-exported from index.ts).

export type MockFlavor = 'openai' | 'anthropic' | 'gemini';

export interface RecordedRequest {
  method: string;
  /** path + query exactly as received */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Fault {
  /** answer this HTTP status with the provider's own error body shape */
  status?: number;
  /** override the error body (JSON-encoded); also used as the mid-stream error payload */
  errorBody?: unknown;
  /** extra response headers (e.g. retry-after), added to every response the fault applies to */
  headers?: Record<string, string>;
  /** wait before sending response headers */
  delayHeadersMs?: number;
  /** never answer (until the socket closes) */
  hang?: boolean;
  /** streaming: delay between stream chunks */
  chunkDelayMs?: number;
  /** streaming: destroy the socket after N chunks/events were written */
  dropAfterChunks?: number;
  /** streaming: after N chunks write the provider's mid-stream error event, then end */
  errorEventAfterChunks?: number;
  /** streaming: after N chunks stop writing but keep the socket open */
  stallAfterChunks?: number;
}

export interface MockUpstream {
  flavor: MockFlavor;
  /** 'http://127.0.0.1:PORT' (origin, no path) */
  url: string;
  /** every request received, in order */
  requests: RecordedRequest[];
  lastRequest(): RecordedRequest | undefined;
  /** apply to the next `count` (default 1) requests */
  failNext(fault: Fault, count?: number): void;
  /** apply to all requests until cleared (failNext faults take precedence) */
  setFault(fault: Fault | undefined): void;
  /** clear requests and faults */
  reset(): void;
  /** close the server, destroying open sockets */
  close(): Promise<void>;
}

export interface MockOptions {
  /** number of text deltas in streamed answers (default 5) */
  streamChunks?: number;
  /** serve requests without credentials, as a local vLLM or Ollama does */
  open?: boolean;
  /** OpenRouter's flavour of the OpenAI API: its models list, and `usage.cost` when asked (test/mocks/openrouter.ts) */
  openrouter?: boolean;
}
