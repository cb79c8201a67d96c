import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { GatewayError } from '../../core/errors.js';
import type { IdleWatchdog, Watch } from '../../lib/idle-watchdog.js';

export function tooLarge(limit: number): GatewayError {
  return new GatewayError('TG_ERR_PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${limit} bytes.`);
}

export function bodyTimedOut(idleMs: number): GatewayError {
  return new GatewayError('TG_ERR_REQUEST_TIMEOUT', `No request body bytes arrived for ${idleMs} ms; send the body without pauses.`);
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

/** After failing an idle body, how long its answer (a 408 with `connection: close`) may take before the socket is cut. */
const CUT_AFTER_MS = 1000;

/**
 * A watch on a body read, unless the whole request was parsed already (nothing left to wait for). When
 * it fires, `fail` hands the reader a 408; if the request is still unfinished a moment later (no one
 * could answer: the answer had gone out before the body was read), the connection is cut, or the
 * client could hold it for ever.
 */
function watchBody(stream: Readable, watchdog: IdleWatchdog | undefined, fail: (err: GatewayError) => void): Watch | undefined {
  if (!watchdog || (stream as Partial<IncomingMessage>).complete === true) return undefined;
  return watchdog.watch(() => {
    fail(bodyTimedOut(watchdog.idleMs));
    setTimeout(() => {
      if ((stream as Partial<IncomingMessage>).complete !== true) stream.destroy();
    }, CUT_AFTER_MS).unref();
  });
}

/** Reads a whole body into memory, refusing past `limit`, and when `watchdog` sees it idle (408). */
export function readWhole(stream: Readable, limit: number, watchdog?: IdleWatchdog): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: Error) => {
      watch?.end();
      stream.off('data', onData);
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      watch?.touch();
      size += chunk.length;
      if (size > limit) {
        stop(tooLarge(limit));
        stream.resume(); // drain the rest so the 413 can still be read by the client
        return;
      }
      chunks.push(chunk);
    };
    const watch = watchBody(stream, watchdog, stop);
    stream.on('data', onData);
    stream.once('end', () => {
      watch?.end();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    stream.once('error', stop);
    stream.once('aborted', () => stop(new Error('client aborted the upload')));
  });
}

/** Passes a body through as it arrives, failing the stream once it grows past `limit` or `watchdog` sees it idle. */
export function limitStream(stream: Readable, limit: number, watchdog?: IdleWatchdog): Readable {
  let size = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      watch?.touch();
      size += chunk.length;
      if (size > limit) callback(tooLarge(limit));
      else callback(null, chunk);
    },
    flush(callback) {
      watch?.end();
      callback();
    },
    destroy(err, callback) {
      watch?.end();
      callback(err);
    },
  });
  const watch = watchBody(stream, watchdog, (err) => limiter.destroy(err));
  // The reader may have stopped listening (it answered without the body): a late failure must not throw.
  limiter.on('error', () => undefined);
  stream.on('error', (err) => limiter.destroy(err));
  return stream.pipe(limiter);
}

/**
 * After an answer sent before the body was read (401, 413…): reads and drops the rest, so the client can
 * read the answer, and cuts the connection once that rest stops arriving.
 */
export function drainRest(req: IncomingMessage, watchdog: IdleWatchdog | undefined): void {
  if (req.complete || req.destroyed) return;
  const watch = watchdog?.watch(() => req.destroy());
  if (watch) {
    req.on('data', () => watch.touch());
    req.once('close', () => watch.end());
  }
  req.resume();
}

/**
 * A Fastify `preParsing` payload that fails with a 408 when `watchdog` sees it idle; the payload itself
 * when there is no body to wait for.
 */
export function idleLimited(req: IncomingMessage, payload: Readable, watchdog: IdleWatchdog): Readable {
  if (!hasBody(req) || req.complete) return payload;
  return limitStream(payload, Number.MAX_SAFE_INTEGER, watchdog);
}
