import type { RequestUsage } from '../../core/estimate.js';
import { readFormFields, readFormFile } from '../../lib/multipart-fields.js';

/** The boundary of a multipart body: its first line is `--<boundary>`. */
function bodyBoundary(body: Buffer): string | undefined {
  const lineEnd = body.indexOf('\r\n');
  if (lineEnd < 3 || lineEnd > 80 || body[0] !== 0x2d || body[1] !== 0x2d) return undefined;
  return body.toString('latin1', 2, lineEnd);
}

/** The uploaded `file` of a multipart body. */
export function formFile(body: Buffer): Buffer | undefined {
  const boundary = bodyBoundary(body);
  return boundary === undefined ? undefined : readFormFile(body, boundary, 'file');
}

/** Image edits and variations (multipart): billed per image by count, size and quality, as generations are. */
export function formImageUsage(path: string, body: Buffer): RequestUsage | undefined {
  if (path !== '/v1/images/edits' && path !== '/v1/images/variations') return undefined;
  const boundary = bodyBoundary(body);
  if (boundary === undefined) return undefined;
  const { n, size, quality } = readFormFields(body, boundary, ['n', 'size', 'quality']);
  const count = n !== undefined && /^\d{1,2}$/.test(n) && Number(n) > 0 ? Number(n) : 1;
  return { usage: { inputTokens: 0, outputTokens: 0, units: { image: count } }, imageVariant: `${size ?? '1024x1024'}/${quality ?? 'standard'}` };
}
