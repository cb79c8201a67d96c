import type { ServerResponse } from 'node:http';
import type { ClientSink } from '../services/index.js';

/** A node:http response as the services see a client; `onTaken` is told when the relay takes the call. */
export function responseSink(res: ServerResponse, onTaken?: () => void): ClientSink {
  return {
    taken: onTaken,
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
