// Fault-aware chunk writer for streamed response bodies.
import type { ServerResponse } from 'node:http';
import type { Fault } from './types.js';

/** Sleep that ends early when the response closes (so timers never outlive a test). */
export function sleep(ms: number, res?: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(t);
      res?.off('close', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    res?.once('close', done);
  });
}

/** Builds the mid-stream error chunk; `written` = number of chunks already written. */
export type ErrorChunk = (written: number) => string;

/**
 * Writes counted chunks. Before chunk N+1 (and before ending) it applies the fault's
 * streaming options: dropAfterChunks (destroy socket), errorEventAfterChunks (write the
 * provider error chunk and end), stallAfterChunks (stop, keep the socket open).
 */
export class StreamWriter {
  private written = 0;
  private stopped = false;
  private closed = false;
  /** resolves when everything written so far reached the socket */
  private flushed: Promise<void> = Promise.resolve();

  constructor(
    private readonly res: ServerResponse,
    private readonly fault: Fault | undefined,
    private readonly errorChunk: ErrorChunk,
  ) {
    res.once('close', () => {
      this.closed = true;
    });
  }

  get chunksWritten(): number {
    return this.written;
  }

  /** Write without counting or fault checks (e.g. the '[' of a JSON array stream). */
  raw(data: string | Buffer): void {
    if (this.stopped || this.closed) return;
    this.flushed = new Promise((resolve) => this.res.write(data, () => resolve()));
  }

  /** Write one counted chunk; returns false when the stream was cut/stopped. */
  async write(data: string | Buffer): Promise<boolean> {
    if (this.stopped || this.closed) return false;
    if (this.written > 0 && this.fault?.chunkDelayMs) await sleep(this.fault.chunkDelayMs, this.res);
    if (this.closed || this.applyFault()) return false;
    this.flushed = new Promise((resolve) => this.res.write(data, () => resolve()));
    this.written++;
    return true;
  }

  /** End the body (with an optional uncounted tail), unless a fault triggers first. */
  async end(tail?: string): Promise<void> {
    if (this.stopped || this.closed) return;
    if (this.written > 0 && this.fault?.chunkDelayMs && tail) await sleep(this.fault.chunkDelayMs, this.res);
    if (this.closed || this.applyFault()) return;
    this.res.end(tail);
  }

  private applyFault(): boolean {
    const f = this.fault;
    if (!f) return false;
    const n = this.written;
    if (f.dropAfterChunks === n) {
      // destroy only after the chunks already written were flushed, so the client sees exactly N
      this.stopped = true;
      void this.flushed.then(() => this.res.destroy());
      return true;
    }
    if (f.errorEventAfterChunks === n) {
      this.stopped = true;
      this.res.end(this.errorChunk(n));
      return true;
    }
    if (f.stallAfterChunks === n) {
      this.stopped = true;
      return true;
    }
    return false;
  }
}

export interface SseEvent {
  event?: string;
  data: unknown;
}

export function sseFrame(e: SseEvent): string {
  const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
  return (e.event ? `event: ${e.event}\n` : '') + `data: ${data}\n\n`;
}

/** Write each SSE event as one counted chunk, then end. */
export async function writeSse(w: StreamWriter, events: SseEvent[]): Promise<void> {
  for (const e of events) {
    if (!(await w.write(sseFrame(e)))) return;
  }
  await w.end();
}
