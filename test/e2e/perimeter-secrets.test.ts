import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** An upstream that echoes the key it was called with in its answers, as a misbehaving proxy might. */
async function startEchoingUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 };
      const headers = { 'x-request-id': `req_${key}` };
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
        const chunk = (delta: object, extra: object = {}) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
        // One event holding the key, written in two pieces split inside the key: two TCP chunks upstream.
        const event = chunk({ role: 'assistant', content: `your key: ${key}` });
        const cut = event.indexOf(key) + 3;
        res.write(event.slice(0, cut));
        setTimeout(() => {
          res.write(event.slice(cut));
          res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage })}\n\n`);
          res.end('data: [DONE]\n\n');
        }, 20);
        return;
      }
      const answer = JSON.stringify({
        id: 'c1',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: `your key: ${key}` }, finish_reason: 'stop' }],
        usage,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer), ...headers });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const secret of ['sk-upstream-echoed-SECRET-9999', 'ab12c']) {
  describe(`an upstream echoing its own key (${secret.length} characters) in a successful answer`, () => {
    let upstream: Awaited<ReturnType<typeof startEchoingUpstream>>;
    let gw: TestGateway;
    let client: OpenAI;
    before(async () => {
      upstream = await startEchoingUpstream();
      gw = await startGateway({ OPENAI_API_KEY: secret, OPENAI_BASE_URL: upstream.url });
      client = new OpenAI({ apiKey: (await gw.newKey()).key, baseURL: `${gw.url}/openai/v1` });
    });
    after(async () => {
      await gw.close();
      await upstream.close();
    });

    test('a whole answer reaches the client masked, with a true content-length', async () => {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).withResponse();
      assert.equal(data.choices[0]!.message.content, `your key: ${'*'.repeat(secret.length)}`);
      assert.ok(!String(response.headers.get('x-request-id')).includes(secret), 'headers are masked too');
      assert.equal(data.usage?.completion_tokens, 7, 'the answer is otherwise untouched');
    });

    test('a stream reaches the client masked, even with the key split over two network chunks', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(text, `your key: ${'*'.repeat(secret.length)}`);
      assert.ok(!gw.logs.join('').includes(secret), 'nor is it logged');
    });
  });
}
