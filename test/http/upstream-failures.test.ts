import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { startGateway } from '../helpers/gateway.js';
import { startStack } from '../helpers/stack.js';

const chat = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'one two three four five six' }] });
const streamChat = JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'one two three four five six' }] });

describe('upstream failures', () => {
  test('a provider without a key answers 503 "not configured" in each surface shape', async () => {
    const gw = await startGateway();
    try {
      const { key } = await gw.newKey();
      const openai = await fetch(`${gw.url}/deepseek/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: chat });
      assert.equal(openai.status, 503);
      assert.equal((await openai.json()).error.code, 'provider_not_configured');
      const anthropic = await fetch(`${gw.url}/anthropic/v1/messages`, { method: 'POST', headers: { 'x-api-key': key }, body: '{}' });
      assert.equal(anthropic.status, 503);
      assert.equal((await anthropic.json()).type, 'error');
      const gemini = await fetch(`${gw.url}/google/v1/models`, { headers: { 'x-goog-api-key': key } });
      assert.equal(gemini.status, 503);
      assert.equal((await gemini.json()).error.status, 'UNAVAILABLE');
    } finally {
      await gw.close();
    }
  });

  test('unreachable upstream → 502, no answer in time → 504, both in shape', async () => {
    const stack = await startStack({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:1', UPSTREAM_HEADERS_TIMEOUT_MS: '300' });
    try {
      const unreachable = await fetch(`${stack.gw.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': stack.key },
        body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(unreachable.status, 502);
      assert.equal((await unreachable.json()).error.type, 'api_error');

      stack.openai.failNext({ hang: true });
      const started = Date.now();
      const slow = await fetch(`${stack.gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body: chat });
      assert.equal(slow.status, 504);
      assert.equal((await slow.json()).error.code, 'upstream_timeout');
      assert.ok(Date.now() - started < 3000);
    } finally {
      await stack.close();
    }
  });

  test('a stream that stalls past the idle timeout ends with an error event, not a hang', async () => {
    const stack = await startStack({ UPSTREAM_IDLE_TIMEOUT_MS: '300' });
    try {
      stack.openai.failNext({ stallAfterChunks: 2 });
      const started = Date.now();
      const res = await fetch(`${stack.gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body: streamChat });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.ok(Date.now() - started < 3000);
      const last = text.trim().split('\n\n').at(-1)!;
      assert.match(last, /^data: /);
      assert.equal(JSON.parse(last.slice(6)).error.code, 'upstream_timeout');
      assert.ok(!text.includes('[DONE]'));
    } finally {
      await stack.close();
    }
  });

  test('a non-SSE body cut mid-way is cut for the client too', async () => {
    const stack = await startStack();
    try {
      stack.openai.failNext({ dropAfterChunks: 1 });
      const res = await fetch(`${stack.gw.url}/openai/v1/audio/speech`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'hello' }) });
      assert.equal(res.status, 200);
      await assert.rejects(res.arrayBuffer());
    } finally {
      await stack.close();
    }
  });

  test('a client that disconnects aborts the upstream request', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const upstream = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[]}\n\n');
      const timer = setInterval(() => res.write('data: {"choices":[]}\n\n'), 50);
      res.on('close', () => {
        clearInterval(timer);
        upstreamClosed();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const gw = await startGateway({ OPENAI_API_KEY: 'sk-up-abort-test', OPENAI_BASE_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
    try {
      const { key, keyId } = await gw.newKey();
      const controller = new AbortController();
      const res = await fetch(`${gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: streamChat, signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('upstream still open after 2 s')), 2000))]);
      await gw.app.flush();
      const row = await gw.app.store.db.kysely.selectFrom('requests').selectAll().where('key_id', '=', keyId).executeTakeFirstOrThrow();
      assert.equal(row.status, 499);
      assert.equal(row.error, 'client_aborted');
    } finally {
      await gw.close();
      upstream.closeAllConnections();
      await new Promise((r) => upstream.close(r));
    }
  });

  test('a base URL with a path prefix keeps it: OpenRouter at <origin>/api', async () => {
    const stack = await startStack();
    const gw = await startGateway({ OPENROUTER_API_KEY: 'sk-or-prefix-test', OPENROUTER_BASE_URL: `${stack.openai.url}/api` });
    try {
      const { key } = await gw.newKey();
      // This test is about the URL; OpenRouter models are unpriced in the seed catalog.
      await gw.admin('PUT', '/admin/settings', { allow_unpriced_models: true });
      const res = await fetch(`${gw.url}/openrouter/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: chat });
      await res.text();
      assert.equal(stack.openai.lastRequest()?.url, '/api/v1/chat/completions');
    } finally {
      await gw.close();
      await stack.close();
    }
  });

  test('unknown routes and versions answer 404 in shape', async () => {
    const gw = await startGateway();
    try {
      const res = await fetch(`${gw.url}/openai/v2/chat/completions`, { method: 'POST' });
      assert.equal(res.status, 404);
      assert.equal((await res.json()).error.type, 'invalid_request_error');
      const anthropic = await fetch(`${gw.url}/anthropic/v9/messages`);
      assert.equal((await anthropic.json()).type, 'error');
    } finally {
      await gw.close();
    }
  });
});
