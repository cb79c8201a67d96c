import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError, GoogleGenAI } from '@google/genai';
import { startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

describe('@google/genai through /google', () => {
  let stack: Stack;
  let ai: GoogleGenAI;

  before(async () => {
    stack = await startStack();
    ai = new GoogleGenAI({ apiKey: stack.key, httpOptions: { baseUrl: `${stack.gw.url}/google` } });
  });
  after(() => stack.close());

  function lastUpstreamRequest() {
    const req = stack.gemini.lastRequest();
    assert.ok(req);
    assert.equal(req.headers['x-goog-api-key'], UPSTREAM_KEYS.gemini, 'upstream key swapped in');
    assert.ok(!JSON.stringify(req.headers).includes(stack.key), 'client key never reaches the upstream');
    assert.ok(!req.url.includes(stack.key));
    return req;
  }

  test('generateContent', async () => {
    const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello gemini' });
    assert.match(res.text ?? '', /hello gemini/);
    assert.ok((res.usageMetadata?.promptTokenCount ?? 0) > 0);
    assert.equal(lastUpstreamRequest().url, '/v1beta/models/gemini-2.5-flash:generateContent');
  });

  test('generateContentStream', async () => {
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'stream gemini' });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.text ?? '';
    }
    assert.ok(chunks >= 3, `got ${chunks} chunks`);
    assert.match(text, /stream gemini/);
    assert.match(lastUpstreamRequest().url, /:streamGenerateContent\?alt=sse$/);
  });

  test('countTokens', async () => {
    const res = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'count me in' });
    assert.ok((res.totalTokens ?? 0) > 0);
    lastUpstreamRequest();
  });

  test('embedContent', async () => {
    const res = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['first', 'second'] });
    assert.equal(res.embeddings?.length, 2);
    assert.ok((res.embeddings?.[0]?.values?.length ?? 0) > 0);
    await stack.gw.app.services.relay.idle(); // the gateway's countTokens calls (billing) follow the answer
    assert.ok(stack.gemini.requests.some((r) => r.url.endsWith(':batchEmbedContents')));
    lastUpstreamRequest();
  });

  test('an upstream error reaches the SDK with its status', async () => {
    stack.gemini.failNext({ status: 429 });
    await assert.rejects(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 429);
      assert.ok(!err.message.includes(UPSTREAM_KEYS.gemini));
      return true;
    });
  });

  test('a mid-stream error reaches the SDK as an error', async () => {
    stack.gemini.failNext({ errorEventAfterChunks: 2 });
    await assert.rejects(async () => {
      for await (const _ of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'a b c' })) {
        // drain
      }
    });
  });

  test('a dropped stream raises instead of hanging', async () => {
    stack.gemini.failNext({ dropAfterChunks: 2 });
    await assert.rejects(async () => {
      for await (const _ of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'a b c' })) {
        // drain
      }
    });
  });

  test('bad key → 401 in Google shape', async () => {
    const bad = new GoogleGenAI({ apiKey: 'tg-wrong', httpOptions: { baseUrl: `${stack.gw.url}/google` } });
    await assert.rejects(bad.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 401);
      assert.match(err.message, /UNAUTHENTICATED/);
      return true;
    });
  });
});
