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
  start: number;
  end: number;
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
    const headers = body.toString('latin1', partStart, headersEnd);
    const name = /content-disposition:[^\r\n]*;\s*name="([^"]*)"/i.exec(headers)?.[1];
    const isFile = /content-disposition:[^\r\n]*;\s*filename\*?=/i.test(headers);
    // The content ends before the CRLF that precedes the next delimiter.
    if (visit({ name, isFile, start: headersEnd + 4, end: Math.max(headersEnd + 4, next - 2) })) return;
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

/** How many text fields are named `name` (a form naming its model twice is refused: which one counts?). */
export function countFormFields(body: Buffer, boundary: string, name: string): number {
  let count = 0;
  walkParts(body, boundary, (part) => {
    if (part.name === name && !part.isFile) count++;
    return false;
  });
  return count;
}
