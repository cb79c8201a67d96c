import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startStack, type Stack } from '../helpers/stack.js';

/** Sends raw bytes and returns whatever comes back before the server closes or goes quiet. */
function rawExchange(port: number, payload: string | Buffer, waitMs = 500): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(payload);
    setTimeout(done, waitMs);
  });
}

describe('bad input never takes the gateway down', () => {
  let stack: Stack;
  let port: number;
  before(async () => {
    stack = await startStack();
    port = Number(new URL(stack.gw.url).port);
  });
  after(() => stack.close());

  test('malformed requests get answers in shape, and the gateway keeps serving', async () => {
    const auth = { authorization: `Bearer ${stack.key}` };
    const weird: Array<[string, RequestInit]> = [
      ['/openai/v1/models?%E0%A4%A=1&key%=x', { headers: auth }],
      ['/openai/v1/chat/completions', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: new Uint8Array([0xff, 0xfe, 0x7b, 0x22]) }],
      ['/openai/v1/chat/completions', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"model": {"nested": [1,2,{"x":"\\u12"}]}, "stream": tru' }],
      ['/anthropic/v1/messages', { method: 'POST', headers: { authorization: 'Bearer', 'content-type': 'application/json' }, body: '{}' }],
      ['/google/v1beta/models/%ZZ:generateContent', { method: 'POST', headers: { 'x-goog-api-key': stack.key }, body: '[]' }],
      ['/admin/users', { method: 'POST', headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' }, body: '[1,2]' }],
      ['/admin/users', { method: 'POST', headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' }, body: 'null' }],
      ['/admin/users/%ZZ', { headers: { authorization: 'Bearer test-admin-token-0123456789' } }],
    ];
    for (const [path, init] of weird) {
      const before = stack.gemini.requests.length + stack.openai.requests.length + stack.anthropic.requests.length;
      const res = await fetch(stack.gw.url + path, init);
      const forwarded = stack.gemini.requests.length + stack.openai.requests.length + stack.anthropic.requests.length > before;
      // Whatever the upstream made of it passes through; what the gateway answers itself is never a 5xx.
      assert.ok(forwarded || res.status < 500, `${path} → ${res.status}`);
      const text = await res.text();
      if (res.headers.get('content-type')?.includes('json')) JSON.parse(text);
    }

    // An upload that promises more bytes than it sends, then hangs up.
    await rawExchange(port, `POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.key}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"model":"gpt-4o"`, 200);
    // Garbage instead of HTTP.
    const garbage = await rawExchange(port, Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]));
    assert.match(garbage, /^HTTP\/1\.1 400/);
    // A header line far too long.
    await rawExchange(port, `GET /openai/v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);

    const health = await fetch(`${stack.gw.url}/health`);
    assert.equal(health.status, 200);
    const ok = await fetch(`${stack.gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'still here' }] }),
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /still here/);
  });
});
