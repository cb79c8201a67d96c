/** Where an answer goes: the client's connection, as the HTTP layer exposes it to services. */
export interface ClientSink {
  /** Sends status and headers; they leave with the first body bytes. */
  start(status: number, headers: Record<string, string | string[]>): void;
  /** Returns false when the client is not keeping up; wait for `onDrain` before writing more. */
  write(chunk: Buffer): boolean;
  end(last?: Buffer | string): void;
  /** Cuts the connection, so the client sees an incomplete answer rather than a short one. */
  destroy(): void;
  onDrain(listener: () => void): void;
  /** Called once if the client goes away (or has gone already) before the answer is complete. */
  onAbort(listener: () => void): void;
  /** Told when the relay takes the call: from then on the relay records it (history, access log). */
  taken?: (() => void) | undefined;
}
