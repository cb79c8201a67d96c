import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startStack } from '../helpers/stack.js';

test('while draining, an in-flight stream finishes and a new request on the same connection gets 503 and close', async () => {
  const stack = await startStack();
  try {
    const port = Number(new URL(stack.gw.url).port);
    const body = JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'a b c d e' }] });
    const request = (b: string) =>
      `POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
    stack.openai.failNext({ chunkDelayMs: 80 });

    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d.toString()));
    socket.write(request(body));
    const until = async (text: string) => {
      const deadline = Date.now() + 10_000;
      while (!received.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no "${text}" in 10 s; received:\n${received}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until('data: '); // the stream is under way

    const closed = stack.gw.app.http.close();
    await until('data: [DONE]');
    socket.write(request(JSON.stringify({ model: 'gpt-4o', messages: [] })));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await closed;

    const second = received.slice(received.indexOf('data: [DONE]'));
    assert.match(second, /HTTP\/1\.1 503/);
    assert.match(second, /connection: close/i);
    assert.match(second, /shutting down/);
  } finally {
    await stack.gw.app.close();
    await Promise.all([stack.openai.close(), stack.anthropic.close(), stack.gemini.close()]);
    await stack.gw.database.drop();
  }
});
