import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body ended as its framing said it would (content-length reached, or the last chunk seen). */
  complete: boolean;
}

/**
 * One HTTP/1.1 request written byte for byte (the path as-is: no client normalises `.`, `..`, `//` or
 * escapes), read until the server closes: what fetch or an SDK would never send.
 */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
  timeoutMs = 5000,
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const head = [`${method} ${path} HTTP/1.1`, `host: ${hostname}:${port}`, 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body !== undefined) head.push(`content-length: ${payload.length}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer to ${method} ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
    socket.write(Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), payload]));
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no HTTP response: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = raw.toString('latin1', 0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  let rest = raw.subarray(split + 4);
  if (headers['transfer-encoding']?.includes('chunked')) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd < 0) return { status, headers, body: Buffer.concat(parts).toString('utf8'), complete: false };
      const size = parseInt(rest.toString('latin1', 0, lineEnd), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString('utf8'), complete: true };
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      if (rest.length < lineEnd + 2 + size + 2) return { status, headers, body: Buffer.concat(parts).toString('utf8'), complete: false };
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
  }
  const length = headers['content-length'];
  if (length !== undefined) return { status, headers, body: rest.subarray(0, Number(length)).toString('utf8'), complete: rest.length >= Number(length) };
  return { status, headers, body: rest.toString('utf8'), complete: true };
}
