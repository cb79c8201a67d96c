// Minimal multipart/form-data parser (RFC 7578) for the audio endpoints.

export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function headerParam(header: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header)
    ?? new RegExp(`(?:^|;)\\s*${key}=([^;]+)`, 'i').exec(header);
  return m?.[1]?.replace(/\\(.)/g, '$1').trim();
}

export function parseMultipart(body: Buffer, contentType: string | undefined): FormPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Error('multipart boundary missing from content-type');
  const first = Buffer.from(`--${boundary}`);
  const delim = Buffer.from(`\r\n--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(first);
  if (pos === -1) throw new Error('multipart boundary not found in body');
  pos += first.length;
  for (;;) {
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const next = body.indexOf(delim, pos);
    if (next === -1) throw new Error('multipart body not terminated');
    const part = body.subarray(pos, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headerText = headerEnd === -1 ? '' : part.subarray(0, headerEnd).toString('utf8');
    const data = headerEnd === -1 ? part : part.subarray(headerEnd + 4);
    const headers = new Map<string, string>();
    for (const line of headerText.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const disp = headers.get('content-disposition') ?? '';
    parts.push({
      name: headerParam(disp, 'name') ?? '',
      filename: headerParam(disp, 'filename'),
      contentType: headers.get('content-type'),
      data: Buffer.from(data),
    });
    pos = next + delim.length;
  }
  return parts;
}
