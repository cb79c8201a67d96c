/**
 * Reads the top level of a JSON object without parsing the rest: long strings (base64 images, long
 * prompts) are skipped with native `indexOf`, so a 25 MB body costs microseconds, not a full parse.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export interface TopLevelField {
  key: string;
  /** Byte range of the value. */
  start: number;
  end: number;
}

export interface TopLevelScan {
  /** Offset of the opening `{`. */
  open: number;
  /** Every top-level member in order (a duplicated key appears twice; the last one is what parsers keep). */
  fields: TopLevelField[];
  /** True when the object closed well-formed at the top level (values are delimited, not validated). */
  closed: boolean;
}

/** Walks the members of a top-level JSON object; undefined when the bytes do not start one. */
export function scanTopLevel(buf: Buffer): TopLevelScan | undefined {
  const open = skipSpace(buf, 0);
  if (buf[open] !== OPEN_BRACE) return undefined;
  const fields: TopLevelField[] = [];
  try {
    let pos = skipSpace(buf, open + 1);
    while (pos < buf.length && buf[pos] !== CLOSE_BRACE) {
      if (buf[pos] !== QUOTE) return { open, fields, closed: false };
      const keyEnd = stringEnd(buf, pos);
      const key = stringAt(buf, pos, keyEnd);
      pos = skipSpace(buf, keyEnd);
      if (buf[pos] !== COLON) return { open, fields, closed: false };
      const start = skipSpace(buf, pos + 1);
      const end = valueEndAt(buf, start);
      fields.push({ key, start, end });
      pos = skipSpace(buf, end);
      if (buf[pos] === COMMA) pos = skipSpace(buf, pos + 1);
      else if (buf[pos] !== CLOSE_BRACE) return { open, fields, closed: false };
    }
    return { open, fields, closed: buf[pos] === CLOSE_BRACE };
  } catch {
    return { open, fields, closed: false };
  }
}

/** The values of a few top-level fields (last duplicate wins, as JSON.parse and the upstreams do); {} for non-objects. */
export function readTopLevelFields(buf: Buffer, wanted: readonly string[]): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const field of scanTopLevel(buf)?.fields ?? []) {
    if (!wanted.includes(field.key)) continue;
    try {
      found[field.key] = valueAt(buf, field.start, field.end);
    } catch {
      // a value that is not valid JSON is left for the upstream to judge
    }
  }
  return found;
}

/**
 * `body` with the top-level string field `name` set to `value` (JSON-escaped), every other byte as it was;
 * undefined when the body is not a JSON object, the field is absent or not a string, or occurs more than
 * once at the top level. Keys are compared as JSON.parse decodes them (`"mo\u0064el"` is `model`); nested
 * members are never touched. Only the top level's shape and the replaced string are checked: a defect inside
 * another value (a bad number, a nested trailing comma) comes back as it was, so pass bodies JSON.parse takes.
 * Returns `body` itself when the field already holds exactly those bytes.
 */
export function replaceTopLevelString(body: Buffer, name: string, value: string): Buffer | undefined {
  const scan = scanTopLevel(body);
  if (!scan?.closed || !endsAfterLastField(body, scan)) return undefined;
  let target: TopLevelField | undefined;
  for (const field of scan.fields) {
    if (field.key !== name) continue;
    if (target) return undefined;
    target = field;
  }
  if (!target || body[target.start] !== QUOTE || !isJsonString(body, target.start, target.end)) return undefined;
  const replacement = Buffer.from(JSON.stringify(value), 'utf8');
  const { start, end } = target;
  if (replacement.equals(body.subarray(start, end))) return body;
  const out = Buffer.allocUnsafe(body.length - (end - start) + replacement.length);
  body.copy(out, 0, 0, start);
  replacement.copy(out, start);
  body.copy(out, start + replacement.length, end);
  return out;
}

/** Nothing but `}` and whitespace follows the last member (the scan accepts a trailing comma and trailing bytes). */
function endsAfterLastField(buf: Buffer, scan: TopLevelScan): boolean {
  const last = scan.fields[scan.fields.length - 1];
  const close = skipSpace(buf, last ? last.end : scan.open + 1);
  return buf[close] === CLOSE_BRACE && skipSpace(buf, close + 1) === buf.length;
}

function isJsonString(buf: Buffer, start: number, end: number): boolean {
  try {
    return typeof JSON.parse(buf.toString('utf8', start, end)) === 'string';
  } catch {
    return false;
  }
}

function skipSpace(buf: Buffer, pos: number): number {
  while (pos < buf.length) {
    const c = buf[pos];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    pos++;
  }
  return pos;
}

/**
 * The JSON string `buf[start, end)` (quotes included) decoded. Keys and model names rarely hold escapes:
 * those are sliced straight from the bytes, which costs a fraction of a `JSON.parse` (this runs for every
 * top-level key of every request); anything with a backslash or a control character goes to `JSON.parse`.
 */
function stringAt(buf: Buffer, start: number, end: number): string {
  for (let i = start + 1; i < end - 1; i++) {
    const c = buf[i]!;
    if (c === BACKSLASH || c < 0x20) return JSON.parse(buf.toString('utf8', start, end)) as string;
  }
  return buf.toString('utf8', start + 1, end - 1);
}

/** A top-level value: strings and the literals `true` / `false` read from the bytes, anything else parsed. */
function valueAt(buf: Buffer, start: number, end: number): unknown {
  const first = buf[start];
  if (first === QUOTE && end - start >= 2 && buf[end - 1] === QUOTE) return stringAt(buf, start, end);
  if (end - start === 4 && first === 0x74 && buf[start + 1] === 0x72 && buf[start + 2] === 0x75 && buf[start + 3] === 0x65) return true;
  if (end - start === 5 && first === 0x66 && buf.toString('latin1', start, end) === 'false') return false;
  return JSON.parse(buf.toString('utf8', start, end));
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(buf: Buffer, start: number): number {
  let pos = start + 1;
  for (;;) {
    const quote = buf.indexOf(QUOTE, pos);
    if (quote < 0) throw new Error('unterminated string');
    let backslashes = 0;
    for (let i = quote - 1; i > start && buf[i] === BACKSLASH; i--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    pos = quote + 1;
  }
}

function valueEndAt(buf: Buffer, start: number): number {
  const first = buf[start];
  if (first === QUOTE) return stringEnd(buf, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return containerEnd(buf, start);
  let pos = start;
  while (pos < buf.length) {
    const c = buf[pos];
    if (c === COMMA || c === CLOSE_BRACE || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
    pos++;
  }
  if (pos === start) throw new Error('missing value');
  return pos;
}

function containerEnd(buf: Buffer, start: number): number {
  let depth = 0;
  let pos = start;
  while (pos < buf.length) {
    const c = buf[pos];
    if (c === QUOTE) {
      pos = stringEnd(buf, pos);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return pos + 1;
    }
    pos++;
  }
  throw new Error('unterminated container');
}
