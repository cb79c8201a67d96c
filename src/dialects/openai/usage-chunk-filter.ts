import { SseParser } from '../../lib/sse.js';
import { eventEnd, hasUsageObject } from './sse-bytes.js';
import { stripUsageChunk } from './usage-tap.js';


/**
 * Drops the usage-only chunk from a chat stream whose usage the gateway (not the client) asked for,
 * forwarding every other event byte for byte. Bytes are released at event boundaries.
 */
export class UsageChunkFilter {
  private pending: Buffer | undefined;

  push(chunk: Buffer): Buffer {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    let kept: Buffer[] | undefined;
    for (let end = eventEnd(data, 0); end > 0; end = eventEnd(data, start)) {
      if (isUsageChunk(data.subarray(start, end))) {
        kept ??= [];
        kept.push(data.subarray(0, start));
        this.pending = undefined;
        const rest = this.push(Buffer.from(data.subarray(end)));
        kept.push(rest);
        return Buffer.concat(kept);
      }
      start = end;
    }
    this.pending = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
    return start === data.length ? data : data.subarray(0, start);
  }

  /** Whatever is left when the stream ends (an incomplete event is passed on as it came). */
  end(): Buffer {
    const rest = this.pending ?? Buffer.alloc(0);
    this.pending = undefined;
    return isUsageChunk(rest) ? Buffer.alloc(0) : rest;
  }
}

/** Every chunk of such a stream says `"usage":null`; only the last one carries an object. */
function isUsageChunk(raw: Buffer): boolean {
  if (!hasUsageObject(raw)) return false;
  const parser = new SseParser();
  const events = [...parser.push(raw), ...parser.end()];
  return events.length === 1 && stripUsageChunk(events[0]!);
}
