import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { responseSink } from '../../src/http/response-sink.js';

test('onAbort fires for a client that hung up before the listener was registered (admission awaiting the store)', async () => {
  let aborted!: () => void;
  const abortSeen = new Promise<void>((resolve) => (aborted = resolve));
  const server = http.createServer((req, res) => {
    req.socket.once('close', () => {
      // The listener is registered only after the connection is gone, as after a slow admission.
      setTimeout(() => responseSink(res).onAbort(aborted), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/' });
  client.on('error', () => undefined);
  client.write('{}');
  setTimeout(() => client.destroy(), 30);
  await Promise.race([abortSeen, new Promise((_, reject) => setTimeout(() => reject(new Error('onAbort never fired')), 2000))]);
  server.close();
});
