import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { GatewayError } from '../core/errors.js';
import { errorBody } from '../services/index.js';

const RETRY_AFTER_S = 1;
/** A refused client that never closes its side is cut off after this long. */
const REFUSED_LINGER_MS = 2000;
const WARN_EVERY_MS = 10_000;

const REFUSAL = (() => {
  const body = JSON.stringify(errorBody('openai', new GatewayError('TG_ERR_UNAVAILABLE', 'The gateway has too many open connections; retry shortly.')));
  const head = [
    'HTTP/1.1 503 Service Unavailable',
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `retry-after: ${RETRY_AFTER_S}`,
    'connection: close',
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'utf8');
})();

/**
 * At most `max` open connections: one more is answered at once with a 503 written on the raw socket and
 * closed, before any HTTP parsing (Node's own `maxConnections` drops it silently, which clients see as
 * a network failure). The HTTP server's connection listener is wrapped, so a refused socket never
 * reaches a request handler.
 */
export function capConnections(server: Server, max: number, log: Logger): void {
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  if (listeners.length !== 1) throw new Error(`expected the HTTP server's one connection listener, found ${listeners.length}`);
  const accept = listeners[0]!;
  server.removeListener('connection', accept);
  let open = 0;
  let warnedAt = -Infinity;
  server.on('connection', (socket: Socket) => {
    if (open >= max) {
      const now = Date.now();
      if (now - warnedAt >= WARN_EVERY_MS) {
        warnedAt = now;
        log.warn({ open, max }, 'refusing connections: MAX_CONNECTIONS reached');
      }
      refuse(socket);
      return;
    }
    open++;
    socket.once('close', () => open--);
    accept.call(server, socket);
  });
}

function refuse(socket: Socket): void {
  socket.on('error', () => undefined);
  // Read and drop what the client sends: closing with unread bytes would reset the connection, and the
  // client could lose the answer.
  socket.resume();
  socket.end(REFUSAL);
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
}
