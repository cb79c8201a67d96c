import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { classifyRelayError, streamErrorEvent, type NativeResponse, type Surface } from '../services/index.js';

/**
 * Sends an upstream answer to the client as it arrives. If the upstream fails mid-body, an event stream
 * ends with the surface's error event (the SDKs raise it); any other body is cut, so the client sees an
 * error rather than a short answer.
 */
export function relayResponse(res: ServerResponse, response: NativeResponse, surface: Surface, abort: AbortController): void {
  res.writeHead(response.status, response.headers);

  if (Buffer.isBuffer(response.body)) {
    res.end(response.body);
    response.finish({ clientAborted: false });
    return;
  }

  const body: Readable = response.body;
  // Event streams show their headers at once; other bodies go out with their first chunk.
  if (response.isEventStream) res.flushHeaders();
  res.once('close', () => {
    if (res.writableFinished) return;
    abort.abort();
    body.destroy();
    response.finish({ clientAborted: true });
  });
  res.on('drain', () => body.resume());
  body.on('data', (chunk: Buffer) => {
    if (!res.write(chunk)) body.pause();
  });
  body.once('end', () => {
    res.end();
    response.finish({ clientAborted: false });
  });
  body.once('error', (err) => {
    if (abort.signal.aborted || res.destroyed) {
      response.finish({ clientAborted: true });
      return;
    }
    const failure = classifyRelayError(err, response.provider);
    response.finish({ clientAborted: false, error: failure });
    if (response.isEventStream) res.end('\n\n' + streamErrorEvent(surface, failure));
    else res.destroy();
  });
}
