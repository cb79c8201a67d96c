import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { GatewayError } from '../../core/errors.js';

export function tooLarge(limit: number): GatewayError {
  return new GatewayError('TG_ERR_PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${limit} bytes.`);
}

export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

export function hasBody(req: IncomingMessage): boolean {
  const length = declaredLength(req);
  return (length !== undefined && length > 0) || req.headers['transfer-encoding'] !== undefined;
}

/** Reads a whole body into memory, refusing past `limit`. */
export function readWhole(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.off('data', onData);
        stream.resume(); // drain the rest so the 413 can still be read by the client
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    stream.once('error', reject);
    stream.once('aborted', () => reject(new Error('client aborted the upload')));
  });
}

/** Passes a body through as it arrives, failing the stream once it grows past `limit`. */
export function limitStream(stream: Readable, limit: number): Readable {
  let size = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) callback(tooLarge(limit));
      else callback(null, chunk);
    },
  });
  stream.on('error', (err) => limiter.destroy(err));
  return stream.pipe(limiter);
}
