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
  private readonly replacement: Buffer;

  constructor(
    model: string,
    private readonly mode: 'sse' | 'json',
  ) {
    this.replacement = Buffer.from(JSON.stringify(model));
  }

  push(chunk: Buffer): Buffer {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.mode === 'json') {
      this.pending = Buffer.from(data); // a JSON body is rewritten once, whole
      return Buffer.alloc(0);
    }
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
    const rest = this.pending ?? Buffer.alloc(0);
    this.pending = undefined;
    return this.rewrite(rest);
  }

  private rewrite(bytes: Buffer): Buffer {
    const at = bytes.indexOf(MODEL_KEY);
    if (at < 0) return bytes;
    let i = at + MODEL_KEY.length;
    while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
    if (bytes[i] !== 0x3a) return bytes;
    i++;
    while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
    if (bytes[i] !== 0x22) return bytes;
    let close = i + 1;
    while (close < bytes.length && bytes[close] !== 0x22) close += bytes[close] === 0x5c ? 2 : 1;
    if (close >= bytes.length) return bytes;
    return Buffer.concat([bytes.subarray(0, i), this.replacement, bytes.subarray(close + 1)]);
  }
}
