import type { ServerResponse } from 'node:http';
import type { ClientSink } from '../services/index.js';

/** Responses the relay took: the relay writes their access-log line (with model, tokens, cost). */
const relayed = new WeakSet<ServerResponse>();

/** Whether the relay took this response (so its access-log line is the relay's, not the edge's). */
export function wasRelayed(res: ServerResponse): boolean {
  return relayed.has(res);
}

/** A node:http response as the services see a client. */
export function responseSink(res: ServerResponse): ClientSink {
  return {
    taken: () => {
      relayed.add(res);
    },
    start: (status, headers) => {
      res.writeHead(status, headers);
    },
    write: (chunk) => res.write(chunk),
    end: (last) => {
      if (last === undefined) res.end();
      else res.end(last);
    },
    destroy: () => res.destroy(),
    onDrain: (listener) => {
      res.on('drain', listener);
    },
    onAbort: (listener) => {
      // The client may already be gone (it hung up while admission awaited the store): say so at once.
      if (res.destroyed && !res.writableFinished) {
        queueMicrotask(listener);
        return;
      }
      res.once('close', () => {
        if (!res.writableFinished) listener();
      });
    },
  };
}
