import { EMPTY_BYTES, type ByteTransform } from '../../core/byte-transform.js';
import { eventEnd } from './sse-bytes.js';

const MODEL_KEY = Buffer.from('"model"');

/**
 * The unified API answers with the model name the client asked for (`openai/gpt-4o`), not the provider's
 * (`gpt-4o-2024-08-06`). Rewrites the first top-level-looking `"model": "…"` of each SSE event (or of a
 * whole JSON body) and passes every other byte through. Inside JSON strings quotes are escaped, so an
 * unescaped `"model"` key followed by `:` is always a real key.
 */
export class ModelEchoFilter {
  private pending: Buffer | undefined;
  private whole: Buffer[] = [];
  private wholeSize = 0;
  private readonly replacement: Buffer;

  /** `maxDepth` 2: Responses stream events carry the model one level down, in `response.model`. */
  constructor(
    model: string,
    private readonly mode: 'sse' | 'json',
    private readonly maxDepth: 1 | 2 = 1,
  ) {
    this.replacement = Buffer.from(JSON.stringify(model));
  }

  push(chunk: Buffer): Buffer {
    if (this.mode === 'json') {
      // A JSON body is rewritten once, whole; one too large to hold is passed on as it is.
      if (this.wholeSize + chunk.length > MAX_WHOLE_BYTES) return this.release(chunk);
      this.whole.push(Buffer.from(chunk));
      this.wholeSize += chunk.length;
      return EMPTY;
    }
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (let end = eventEnd(data, 0); end > 0; end = eventEnd(data, start)) {
      out.push(this.rewrite(data.subarray(start, end)));
      start = end;
    }
    this.pending = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  end(): Buffer {
    if (this.mode === 'json') {
      const body = this.whole.length === 1 ? this.whole[0]! : Buffer.concat(this.whole);
      this.whole = [];
      return this.wholeSize > MAX_WHOLE_BYTES ? body : this.rewrite(body);
    }
    const rest = this.pending ?? EMPTY;
    this.pending = undefined;
    return this.rewrite(rest);
  }

  private release(chunk: Buffer): Buffer {
    const held = Buffer.concat([...this.whole, chunk]);
    this.whole = [];
    this.wholeSize = MAX_WHOLE_BYTES + 1;
    return held;
  }

  /** Rewrites the value of the first `"model"` key at most `maxDepth` deep in the JSON in `bytes`. */
  private rewrite(bytes: Buffer): Buffer {
    const at = modelValue(bytes, this.maxDepth);
    if (!at) return bytes;
    return Buffer.concat([bytes.subarray(0, at.start), this.replacement, bytes.subarray(at.end)]);
  }
}

const EMPTY = Buffer.alloc(0);
/** JSON bodies above this are not rewritten (images as base64 can be tens of megabytes). */
const MAX_WHOLE_BYTES = 4 * 1024 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Byte range of the string value of the first `"model"` key at most `maxDepth` deep, scanning strings and nesting. */
function modelValue(bytes: Buffer, maxDepth: number): { start: number; end: number } | undefined {
  if (bytes.indexOf(MODEL_KEY) < 0) return undefined;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x7b || byte === 0x5b) depth++;
    else if (byte === 0x7d || byte === 0x5d) depth--;
    else if (byte === QUOTE) {
      const close = stringEnd(bytes, i);
      if (close < 0) return undefined;
      if (depth >= 1 && depth <= maxDepth && close - i === MODEL_KEY.length - 1 && bytes.compare(MODEL_KEY, 0, MODEL_KEY.length, i, close + 1) === 0) {
        let j = skipSpace(bytes, close + 1);
        if (bytes[j] === 0x3a) {
          j = skipSpace(bytes, j + 1);
          if (bytes[j] !== QUOTE) return undefined;
          const valueEnd = stringEnd(bytes, j);
          return valueEnd < 0 ? undefined : { start: j, end: valueEnd + 1 };
        }
      }
      i = close;
    }
  }
  return undefined;
}

function stringEnd(bytes: Buffer, open: number): number {
  for (let i = open + 1; i < bytes.length; i++) {
    if (bytes[i] === BACKSLASH) i++;
    else if (bytes[i] === QUOTE) return i;
  }
  return -1;
}

function skipSpace(bytes: Buffer, from: number): number {
  let i = from;
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
  return i;
}

/**
 * The answer carries the model name the client asked for (the unified API renames it upstream): whole
 * JSON answers and SSE streams are edited in place, anything else passes as it is.
 */
export function modelEcho(model: string, streamDepth: 1 | 2): ByteTransform {
  let filter: ModelEchoFilter | undefined;
  return {
    headers(upstream) {
      const type = String(upstream['content-type'] ?? '');
      if (type.startsWith('text/event-stream')) filter = new ModelEchoFilter(model, 'sse', streamDepth);
      else if (type.includes('json')) filter = new ModelEchoFilter(model, 'json');
      if (!filter) return upstream;
      const { 'content-length': _length, ...rest } = upstream; // the body's length changes
      return rest;
    },
    push: (chunk) => (filter ? filter.push(chunk) : chunk),
    end: () => (filter ? filter.end() : EMPTY_BYTES),
  };
}
