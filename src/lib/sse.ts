/**
 * Incremental Server-Sent Events parser (WHATWG "event stream" rules) over raw response bytes.
 *
 * - Chunks may split anything, including a multi-byte UTF-8 character or a `\r\n` pair: the bytes of
 *   an unfinished line are kept and decoded only once the line is complete.
 * - Lines end with `\n`, `\r\n` or `\r`; a blank line dispatches the event; `data:` lines are joined
 *   with `\n`; `:` lines are comments; `event:` names the event; `id:`/`retry:` and unknown fields are
 *   ignored; one space after the colon is removed; a leading UTF-8 BOM is dropped.
 * - Line ends are found with `indexOf`, never with a per-byte loop, and a long line that arrives over
 *   many chunks is concatenated once, not once per chunk.
 * - `end()` dispatches a final event whose blank line never came (lenient: billing wants a complete
 *   `data:` record even when the upstream closed right after it; a cut record fails to parse anyway).
 */
export interface SseEvent {
  event?: string;
  data: string;
}

const LF = 0x0a;
const CR = 0x0d;

export class SseParser {
  /** Bytes of the unfinished line, as received (copied, so callers may reuse their buffers). */
  private pending: Buffer[] = [];
  /** The previous chunk ended with `\r`: a `\n` at the start of the next one belongs to it. */
  private skipLf = false;
  private firstLine = true;
  private data: string[] = [];
  private eventName: string | undefined;

  push(chunk: Buffer | string): SseEvent[] {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const out: SseEvent[] = [];
    if (this.skipLf && buf.length > 0) {
      this.skipLf = false;
      if (buf[0] === LF) buf = buf.subarray(1);
    }
    if (buf.length === 0) return out;
    const firstLf = buf.indexOf(LF);
    const firstCr = buf.indexOf(CR);
    if (firstLf < 0 && firstCr < 0) {
      this.pending.push(Buffer.from(buf));
      return out;
    }
    let pos = 0;
    let lf = firstLf;
    let cr = firstCr;
    if (this.pending.length > 0) {
      // Join the held bytes with this chunk's first line only, and decode that line.
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      this.pending.push(buf.subarray(0, end));
      const line = Buffer.concat(this.pending);
      this.pending = [];
      this.line(line, 0, line.length, out);
      pos = this.afterTerminator(buf, end);
    }
    while (pos < buf.length) {
      if (lf >= 0 && lf < pos) lf = buf.indexOf(LF, pos);
      if (cr >= 0 && cr < pos) cr = buf.indexOf(CR, pos);
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (end < 0) {
        this.pending.push(Buffer.from(buf.subarray(pos)));
        break;
      }
      this.line(buf, pos, end, out);
      pos = this.afterTerminator(buf, end);
    }
    return out;
  }

  /** Flushes an unterminated last line and an event that never got its blank line. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.pending.length > 0) {
      const line = Buffer.concat(this.pending);
      this.pending = [];
      this.line(line, 0, line.length, out);
    }
    this.dispatch(out);
    this.skipLf = false;
    return out;
  }

  /** Index just past the line terminator found at `end`. */
  private afterTerminator(buf: Buffer, end: number): number {
    if (buf[end] === CR) {
      if (end + 1 === buf.length) {
        this.skipLf = true;
        return end + 1;
      }
      if (buf[end + 1] === LF) return end + 2;
    }
    return end + 1;
  }

  private line(buf: Buffer, start: number, end: number, out: SseEvent[]): void {
    if (this.firstLine) {
      this.firstLine = false;
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    if (start === end) {
      this.dispatch(out);
      return;
    }
    const text = buf.toString('utf8', start, end);
    if (text.charCodeAt(0) === 0x3a) return; // ':' comment
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = '';
    if (colon >= 0) value = text.charCodeAt(colon + 1) === 0x20 ? text.slice(colon + 2) : text.slice(colon + 1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventName = value;
    // id, retry and unknown fields: ignored
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data.length > 0) {
      const event: SseEvent = { data: this.data.length === 1 ? (this.data[0] as string) : this.data.join('\n') };
      if (this.eventName) event.event = this.eventName;
      out.push(event);
    }
    this.data = [];
    this.eventName = undefined;
  }
}

/** Serialises one event in the canonical form (`event:` line, `data:` lines, blank line). */
export function encodeSseEvent(event: SseEvent): string {
  const head = event.event ? `event: ${event.event}\n` : '';
  return `${head}data: ${event.data.split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`;
}
