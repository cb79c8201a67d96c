/**
 * Incremental parser for a JSON array that arrives in pieces (Gemini's `streamGenerateContent`
 * without `alt=sse`: `[{…},\r\n{…}]`). Each top-level element is returned once, as soon as its last
 * byte arrived, parsed with `JSON.parse` from its own byte slice.
 *
 * Works on bytes: the structural characters are ASCII, so a multi-byte UTF-8 character split across
 * chunks is simply re-joined with the rest of its element. Inside strings it jumps with `indexOf` to
 * the next quote or backslash, so long strings (inline base64 media) cost no per-byte JS loop.
 * Never throws: an element that fails to parse is skipped, bytes before the `[` or after the `]`
 * are ignored.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;

type Phase = 'before' | 'between' | 'element' | 'done';

export class JsonArrayStreamParser {
  private phase: Phase = 'before';
  /** Container depth inside the current element (0 for a bare scalar). */
  private depth = 0;
  private inString = false;
  /** A backslash ended the previous chunk inside a string: the next byte is escaped. */
  private escapePending = false;
  /** Bytes of the current element received in earlier chunks (copied). */
  private parts: Buffer[] = [];

  /** True once the closing `]` of the array was seen. */
  get closed(): boolean {
    return this.phase === 'done';
  }

  /** True when an element has started but not finished. */
  get inElement(): boolean {
    return this.phase === 'element';
  }

  push(chunk: Buffer | string): unknown[] {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const out: unknown[] = [];
    let pos = 0;
    let start = 0; // start of the current element within buf
    let nextQuote = -2; // cached indexOf results (-2: not searched yet)
    let nextBackslash = -2;
    while (pos < buf.length) {
      if (this.phase === 'done') break;
      if (this.phase !== 'element') {
        const c = buf[pos] as number;
        if (this.phase === 'before') {
          if (c === OPEN_BRACKET) this.phase = 'between';
          pos++;
          continue;
        }
        if (c === CLOSE_BRACKET) {
          this.phase = 'done';
          break;
        }
        if (c === COMMA || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          pos++;
          continue;
        }
        this.phase = 'element';
        this.depth = 0;
        start = pos;
      }
      if (this.inString) {
        if (this.escapePending) {
          this.escapePending = false;
          pos++;
          continue;
        }
        if (nextQuote !== -1 && nextQuote < pos) nextQuote = buf.indexOf(QUOTE, pos);
        if (nextBackslash !== -1 && nextBackslash < pos) nextBackslash = buf.indexOf(BACKSLASH, pos);
        if (nextBackslash >= 0 && (nextQuote < 0 || nextBackslash < nextQuote)) {
          if (nextBackslash + 1 >= buf.length) this.escapePending = true;
          pos = nextBackslash + 2;
          continue;
        }
        if (nextQuote < 0) {
          pos = buf.length;
          break;
        }
        this.inString = false;
        pos = nextQuote + 1;
        if (this.depth === 0) this.finish(buf, start, pos, out);
        continue;
      }
      const c = buf[pos] as number;
      if (c === QUOTE) {
        this.inString = true;
        pos++;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.depth++;
        pos++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (this.depth === 0) {
          // a bare scalar ended by the array's `]`
          this.finish(buf, start, pos, out);
          continue;
        }
        this.depth--;
        pos++;
        if (this.depth === 0) this.finish(buf, start, pos, out);
      } else if (this.depth === 0 && (c === COMMA || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) {
        this.finish(buf, start, pos, out); // end of a bare scalar
      } else {
        pos++;
      }
    }
    if (this.phase === 'element') this.parts.push(Buffer.from(buf.subarray(start)));
    return out;
  }

  /** Nothing is pending after a well-formed array; a cut element is dropped. */
  end(): unknown[] {
    const out: unknown[] = [];
    if (this.phase === 'element' && this.depth === 0 && !this.inString && this.parts.length > 0) {
      const bytes = Buffer.concat(this.parts);
      this.parts = [];
      this.phase = 'done';
      this.parse(bytes, out);
    }
    this.parts = [];
    return out;
  }

  private finish(buf: Buffer, start: number, end: number, out: unknown[]): void {
    let bytes = buf.subarray(start, end);
    if (this.parts.length > 0) {
      this.parts.push(bytes);
      bytes = Buffer.concat(this.parts);
      this.parts = [];
    }
    this.phase = 'between';
    this.parse(bytes, out);
  }

  private parse(bytes: Buffer, out: unknown[]): void {
    try {
      out.push(JSON.parse(bytes.toString('utf8')));
    } catch {
      // malformed element: skipped
    }
  }
}
