const CRLF_CRLF = Buffer.from('\r\n\r\n');
const MAX_VALUE_BYTES = 1024;

/** The boundary of a `multipart/form-data` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * The text fields named in `names` from a whole multipart body (files are skipped, never decoded).
 * Linear in the body's size: parts are found by searching for the boundary, headers parsed per part.
 */
export function readFormFields(body: Buffer, boundary: string, names: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const partStart = at + delimiter.length;
    if (body[partStart] === 0x2d && body[partStart + 1] === 0x2d) break; // closing delimiter
    const headersEnd = body.indexOf(CRLF_CRLF, partStart);
    if (headersEnd < 0) break;
    const next = body.indexOf(delimiter, headersEnd + 4);
    if (next < 0) break;
    const headers = body.toString('latin1', partStart, headersEnd);
    const name = /content-disposition:[^\r\n]*;\s*name="([^"]*)"/i.exec(headers)?.[1];
    const isFile = /content-disposition:[^\r\n]*;\s*filename\*?=/i.test(headers);
    if (name !== undefined && !isFile && names.includes(name) && !(name in fields)) {
      const valueEnd = Math.max(headersEnd + 4, next - 2); // the value ends before the CRLF preceding the delimiter
      if (valueEnd - (headersEnd + 4) <= MAX_VALUE_BYTES) fields[name] = body.toString('utf8', headersEnd + 4, valueEnd);
    }
    at = next;
  }
  return fields;
}
