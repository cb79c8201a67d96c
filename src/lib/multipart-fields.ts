const CRLF_CRLF = Buffer.from('\r\n\r\n');
const MAX_VALUE_BYTES = 1024;

/** The boundary of a `multipart/form-data` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

interface Part {
  name: string | undefined;
  isFile: boolean;
  /** Not exactly one Content-Disposition, or parameters read differently by different parsers (`name*`). */
  malformed: boolean;
  start: number;
  end: number;
}

const DISPOSITION_PARAM = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\\r\n]|\\.)*"|[^;\s]*)/g;

/** The name and kind of a part from its header lines, parsed the way a lenient server would. */
function describePart(headers: string): Pick<Part, 'name' | 'isFile' | 'malformed'> {
  const dispositions = headers.split('\r\n').filter((line) => /^content-disposition\s*:/i.test(line));
  if (dispositions.length !== 1) return { name: undefined, isFile: false, malformed: true };
  const params = new Map<string, string>();
  for (const match of dispositions[0]!.matchAll(DISPOSITION_PARAM)) {
    const value = match[2]!;
    params.set(match[1]!.toLowerCase(), value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value);
  }
  return { name: params.get('name'), isFile: params.has('filename') || params.has('filename*'), malformed: params.has('name*') };
}

/**
 * Walks the parts of a whole multipart body; `visit` returns true to stop. Linear in the body's size:
 * parts are found by searching for the boundary, headers are parsed per part, contents are never copied.
 */
function walkParts(body: Buffer, boundary: string, visit: (part: Part) => boolean): void {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const partStart = at + delimiter.length;
    if (body[partStart] === 0x2d && body[partStart + 1] === 0x2d) return; // closing delimiter
    const headersEnd = body.indexOf(CRLF_CRLF, partStart);
    if (headersEnd < 0) return;
    const next = body.indexOf(delimiter, headersEnd + 4);
    if (next < 0) return;
    const part = describePart(body.toString('latin1', partStart, headersEnd));
    // The content ends before the CRLF that precedes the next delimiter.
    if (visit({ ...part, start: headersEnd + 4, end: Math.max(headersEnd + 4, next - 2) })) return;
    at = next;
  }
}

/** The text fields named in `names` (the first of each); files are skipped, never decoded. */
export function readFormFields(body: Buffer, boundary: string, names: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  walkParts(body, boundary, (part) => {
    if (part.name !== undefined && !part.isFile && names.includes(part.name) && !(part.name in fields) && part.end - part.start <= MAX_VALUE_BYTES) {
      fields[part.name] = body.toString('utf8', part.start, part.end);
    }
    return false;
  });
  return fields;
}

/** The bytes of the first file part named `name` (a view into the body, not a copy). */
export function readFormFile(body: Buffer, boundary: string, name: string): Buffer | undefined {
  let file: Buffer | undefined;
  walkParts(body, boundary, (part) => {
    if (part.isFile && part.name === name) file = body.subarray(part.start, part.end);
    return file !== undefined;
  });
  return file;
}

/**
 * The body with the first text field named `name` set to `value` (the unified API renames the model);
 * undefined when there is no such field. Only the field's content changes: every other byte is kept.
 */
export function replaceFormField(body: Buffer, boundary: string, name: string, value: string): Buffer | undefined {
  let found: Part | undefined;
  walkParts(body, boundary, (part) => {
    if (part.name === name && !part.isFile) found = part;
    return found !== undefined;
  });
  if (!found) return undefined;
  return Buffer.concat([body.subarray(0, found.start), Buffer.from(value, 'utf8'), body.subarray(found.end)]);
}

/**
 * Why a form cannot be trusted to name one model, or undefined. The model is priced and checked against the
 * key from one field: a second `model` part (even one dressed as a file), or a part whose name different
 * parsers read differently, could be what the provider runs.
 */
export function formModelProblem(body: Buffer, boundary: string): string | undefined {
  let models = 0;
  let malformed = false;
  walkParts(body, boundary, (part) => {
    if (part.malformed) malformed = true;
    if (part.name === 'model') models++;
    return malformed;
  });
  if (malformed) return 'The form has a part with an ambiguous Content-Disposition.';
  return models > 1 ? "The form names 'model' more than once." : undefined;
}
