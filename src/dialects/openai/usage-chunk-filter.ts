import { SseParser } from '../../lib/sse.js';
import { stripUsageChunk } from './usage-tap.js';

const LF_LF = Buffer.from('\n\n');
const CRLF_CRLF = Buffer.from('\r\n\r\n');

/**
 * Drops the usage-only chunk from a chat stream whose usage the gateway (not the client) asked for,
 * forwarding every other event byte for byte. Bytes are released at event boundaries.
 */
export class UsageChunkFilter {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (;;) {
      const boundary = nextBoundary(data, start);
      if (!boundary) break;
      const event = data.subarray(start, boundary.end);
      if (!isUsageChunk(event)) out.push(event);
      start = boundary.end;
    }
    this.pending = Buffer.from(data.subarray(start));
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Whatever is left when the stream ends (an incomplete event is passed on as it came). */
  end(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return isUsageChunk(rest) ? Buffer.alloc(0) : rest;
  }
}

function nextBoundary(data: Buffer, from: number): { end: number } | undefined {
  const lf = data.indexOf(LF_LF, from);
  const crlf = data.indexOf(CRLF_CRLF, from);
  if (lf < 0 && crlf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf + CRLF_CRLF.length };
  return { end: lf + LF_LF.length };
}

function isUsageChunk(raw: Buffer): boolean {
  if (raw.indexOf('"usage"') < 0) return false;
  const parser = new SseParser();
  const events = [...parser.push(raw), ...parser.end()];
  return events.length === 1 && stripUsageChunk(events[0]!);
}
