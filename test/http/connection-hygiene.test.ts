import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildHttpServer, type ConnectionLimits } from '../../src/http/server.js';
import { createLogger } from '../../src/observability/log.js';
import { ADMIN_TOKEN, startGateway } from '../helpers/gateway.js';
import { startStack, type Stack } from '../helpers/stack.js';

const HEADERS_TIMEOUT_MS = 400;
const BODY_IDLE_MS = 400;

interface Seen {
  text: string;
  /** ms from the last byte written until the server closed the socket */
  closedAfterMs: number;
}

/** Writes `head` (and `body` parts, `gapMs` apart), then waits for the server to answer and close. */
function slowClient(port: number, parts: string[], gapMs: number, giveUpMs = 5000): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let lastWrite = Date.now();
    let next = 0;
    const writer = setInterval(() => {
      if (next >= parts.length || socket.destroyed) return clearInterval(writer);
      socket.write(parts[next++]!);
      lastWrite = Date.now();
    }, gapMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString())}`));
    }, giveUpMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(writer);
      clearTimeout(giveUp);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closedAfterMs: Date.now() - lastWrite });
    });
    socket.write(parts[next++]!);
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, any>;

/** A second HTTP server over the stack's services, with small limits (the stack's own keeps the defaults). */
async function serve(stack: Stack, connections: Partial<ConnectionLimits>): Promise<{ http: FastifyInstance; port: number }> {
  const quiet = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const http = await buildHttpServer(stack.gw.app.services, { logger: createLogger('warn', quiet), connections: { ...stack.gw.app.config.connections, ...connections } });
  await http.listen({ host: '127.0.0.1', port: 0 });
  return { http, port: (http.server.address() as AddressInfo).port };
}

describe('connection hygiene', () => {
  let stack: Stack;
  let timeouts: { http: FastifyInstance; port: number };
  const chat = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });

  before(async () => {
    stack = await startStack();
    timeouts = await serve(stack, { headersTimeoutMs: HEADERS_TIMEOUT_MS, bodyIdleTimeoutMs: BODY_IDLE_MS });
  });
  after(async () => {
    await timeouts.http.close();
    await stack.close();
  });

  test('a request head sent slowly (slowloris) is answered 408 and closed within the headers timeout', async () => {
    for (const path of ['/openai/v1/chat/completions', '/admin/users', '/v1/chat/completions']) {
      const started = Date.now();
      const drip = Array.from({ length: 40 }, (_, i) => `x-drip-${i}: ${'a'.repeat(10)}\r\n`);
      const seen = await slowClient(timeouts.port, [`POST ${path} HTTP/1.1\r\nhost: x\r\n`, ...drip], 50);
      assert.equal(statusOf(seen.text), 408, `${path}: ${seen.text}`);
      assert.ok(Date.now() - started < HEADERS_TIMEOUT_MS + 2000, `${path}: closed after ${Date.now() - started} ms`);
    }
  });

  const stalled = (path: string, headers: string, body: string) =>
    slowClient(timeouts.port, [`POST ${path} HTTP/1.1\r\nhost: x\r\n${headers}content-length: ${body.length + 50}\r\n\r\n`, body], 20);

  test('a native body that stops mid-way gets 408 in the surface\'s shape, and the connection is closed', async () => {
    const openai = await stalled('/openai/v1/chat/completions', `authorization: Bearer ${stack.key}\r\ncontent-type: application/json\r\n`, chat.slice(0, 20));
    assert.equal(statusOf(openai.text), 408, openai.text);
    assert.equal(bodyOf(openai.text).error.code, 'request_timeout');
    assert.match(openai.text, /\r\nconnection: close\r\n/i);
    assert.ok(openai.closedAfterMs >= BODY_IDLE_MS - 50 && openai.closedAfterMs < BODY_IDLE_MS + 2000, `closed ${openai.closedAfterMs} ms after the last byte`);

    const anthropic = await stalled('/anthropic/v1/messages', `x-api-key: ${stack.key}\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\n`, '{"model":"claude');
    assert.equal(statusOf(anthropic.text), 408, anthropic.text);
    assert.deepEqual(bodyOf(anthropic.text).type, 'error');

    const gemini = await stalled('/google/v1beta/models/gemini-2.5-flash:generateContent', `x-goog-api-key: ${stack.key}\r\ncontent-type: application/json\r\n`, '{"contents":');
    assert.equal(statusOf(gemini.text), 408, gemini.text);
    assert.equal(bodyOf(gemini.text).error.code, 408);
  });

  test('a streamed native body (forwarded as it arrives) that stops mid-way is cut off too', async () => {
    const seen = await stalled('/anthropic/v1/messages/count_tokens', `x-api-key: ${stack.key}\r\ncontent-type: application/octet-stream\r\nanthropic-version: 2023-06-01\r\n`, '{"model":"claude');
    assert.ok(seen.closedAfterMs < BODY_IDLE_MS + 2000, `closed ${seen.closedAfterMs} ms after the last byte`);
    if (seen.text !== '') assert.equal(statusOf(seen.text), 408, seen.text);
  });

  test('Fastify routes (/v1, admin) answer a stalled body 408 in the OpenAI shape', async () => {
    const unified = await stalled('/v1/chat/completions', `authorization: Bearer ${stack.key}\r\ncontent-type: application/json\r\n`, chat.slice(0, 20));
    assert.equal(statusOf(unified.text), 408, unified.text);
    assert.equal(bodyOf(unified.text).error.code, 'request_timeout');
    assert.match(unified.text, /\r\nconnection: close\r\n/i);
    const admin = await stalled('/admin/users', `authorization: Bearer ${ADMIN_TOKEN}\r\ncontent-type: application/json\r\n`, '{"email":');
    assert.equal(statusOf(admin.text), 408, admin.text);
    assert.equal(bodyOf(admin.text).error.type, 'invalid_request_error');
  });

  test('a body left unread behind an early answer (401) cannot hold the connection, and its timeout throws nowhere', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const early = [
        ['/v1/chat/completions', 'authorization: Bearer tg-wrong'],
        ['/openai/v1/chat/completions', 'authorization: Bearer tg-wrong'],
        ['/anthropic/v1/messages/count_tokens', `x-api-key: ${stack.key}\r\nanthropic-version: 2023-06-01`],
      ] as const;
      for (const [path, auth] of early) {
        // A non-JSON count_tokens body is streamed to the upstream as it arrives (limitStream).
        const type = path.startsWith('/v1') ? 'application/json' : 'application/octet-stream';
        const seen = await slowClient(timeouts.port, [`POST ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\ncontent-type: ${type}\r\ncontent-length: 100000\r\n\r\n`, '{"model":'], 30);
        assert.ok(seen.closedAfterMs < BODY_IDLE_MS + 3000, `${path}: closed ${seen.closedAfterMs} ms after the last byte`);
      }
      assert.deepEqual(uncaught, []);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  test('a body that trickles in without long pauses is served', async () => {
    for (const [path, auth] of [['/openai/v1/chat/completions', `authorization: Bearer ${stack.key}`], ['/v1/chat/completions', `authorization: Bearer ${stack.key}`]] as const) {
      const pieces = chat.match(/.{1,8}/g)!;
      const head = `POST ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${chat.length}\r\n\r\n`;
      const seen = await slowClient(timeouts.port, [head, ...pieces], BODY_IDLE_MS / 4);
      assert.equal(statusOf(seen.text), 200, `${path}: ${seen.text}`);
    }
  });

  test('an answer may stay silent far longer than the body and headers timeouts', async () => {
    stack.openai.failNext({ delayHeadersMs: 3 * BODY_IDLE_MS });
    const res = await fetch(`http://127.0.0.1:${timeouts.port}/openai/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body: chat });
    assert.equal(res.status, 200);
    await res.text();
    const streamed = await fetch(`http://127.0.0.1:${timeouts.port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    stack.openai.setFault(undefined);
    assert.equal(streamed.status, 200);
    assert.match(await streamed.text(), /\[DONE\]/);
  });

  test('HEADERS_TIMEOUT_MS, BODY_IDLE_TIMEOUT_MS and MAX_CONNECTIONS reach the server built by buildApp', async () => {
    const gw = await startGateway({ HEADERS_TIMEOUT_MS: '300', BODY_IDLE_TIMEOUT_MS: '300', MAX_CONNECTIONS: '2' });
    try {
      assert.equal(gw.app.http.server.headersTimeout, 300);
      const port = Number(new URL(gw.url).port);
      const seen = await slowClient(port, [`POST /admin/users HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n{"email":`], 20, 3000);
      assert.equal(statusOf(seen.text), 408, seen.text);
    } finally {
      await gw.close();
    }
  });

  describe('MAX_CONNECTIONS', () => {
    let capped: { http: FastifyInstance; port: number };
    before(async () => {
      capped = await serve(stack, { maxConnections: 3 });
    });
    after(() => capped.http.close());

    const connect = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect(capped.port, '127.0.0.1', () => resolve(socket));
        socket.on('error', reject);
      });

    test('connection N+1 gets an immediate 503 with retry-after and a JSON error, then is closed', async () => {
      const open = await Promise.all([connect(), connect(), connect()]);
      await new Promise((r) => setTimeout(r, 50));
      const seen = await slowClient(capped.port, [`GET /health HTTP/1.1\r\nhost: x\r\n\r\n`], 10, 2000);
      assert.equal(statusOf(seen.text), 503, seen.text);
      assert.match(seen.text, /\r\nretry-after: 1\r\n/i);
      assert.match(seen.text, /\r\nconnection: close\r\n/i);
      assert.equal(bodyOf(seen.text).error.code, 'service_unavailable');

      // The open ones still work, and a closed one frees its place.
      const first = open[0]!;
      const answer = new Promise<string>((resolve) => first.once('data', (d: Buffer) => resolve(d.toString())));
      first.write('GET /health HTTP/1.1\r\nhost: x\r\n\r\n');
      assert.equal(statusOf(await answer), 200);
      open[1]!.destroy();
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`http://127.0.0.1:${capped.port}/health`, { headers: { connection: 'close' } });
      assert.equal(res.status, 200);
      await res.text();
      for (const socket of open) socket.destroy();
    });
  });
});
