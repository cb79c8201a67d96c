import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { geminiEmbeddingRecount } from '../../src/dialects/gemini/embed-count.js';
import { UsageRecounter } from '../../src/services/relay/usage-recount.js';

const target = { baseUrl: 'http://gemini.test/', headers: () => ({ 'x-goog-api-key': 'k' }) };
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('counting what Gemini bills for embeddings', () => {
  test('one countTokens request per embedded content, on the same model and API version', () => {
    const one = geminiEmbeddingRecount('/v1beta/models/gemini-embedding-001:embedContent', json({ content: { parts: [{ text: 'hi' }] }, taskType: 'RETRIEVAL_QUERY' }))!;
    assert.deepEqual(one.requests.map((r) => [r.path, JSON.parse(r.body.toString())]), [['/v1beta/models/gemini-embedding-001:countTokens', { contents: [{ parts: [{ text: 'hi' }] }] }]]);
    const batch = geminiEmbeddingRecount('/v1/models/m:batchEmbedContents', json({ requests: [{ content: { parts: [{ text: 'a' }] } }, { content: { parts: [{ text: 'b' }] } }] }))!;
    assert.equal(batch.requests.length, 2);
    assert.equal(batch.requests[1]!.path, '/v1/models/m:countTokens');
    assert.equal(batch.tokens({ totalTokens: 7 }), 7);
    assert.equal(batch.tokens({ totalTokens: -1 }), undefined);
    assert.equal(batch.tokens({}), undefined);
    assert.equal(geminiEmbeddingRecount('/v1beta/models/m:generateContent', json({})), undefined);
    assert.equal(geminiEmbeddingRecount('/v1beta/models/m:embedContent', Buffer.from('{')), undefined);
    assert.equal(geminiEmbeddingRecount('/v1beta/models/m:batchEmbedContents', json({ requests: [{ content: 'text' }] })), undefined);
  });

  test('counts are summed, cached by text, and any failure or a slow count means no count', async () => {
    const asked: string[] = [];
    let answer: (body: string) => Response = (body) => new Response(JSON.stringify({ totalTokens: JSON.parse(body).contents[0].parts[0].text.length }));
    const fetchImpl = (async (url: string, init: RequestInit) => {
      asked.push(`${url} ${String(init.body)}`);
      return answer(String(init.body));
    }) as unknown as typeof fetch;
    const recounter = new UsageRecounter({ fetch: fetchImpl, timeoutMs: 50, cacheEntries: 2 });
    const recount = (...texts: string[]) => geminiEmbeddingRecount('/v1beta/models/m:batchEmbedContents', json({ requests: texts.map((text) => ({ content: { parts: [{ text }] } })) }))!;
    assert.equal(await recounter.count(target, recount('abc', 'de')), 5);
    assert.match(asked[0]!, /^http:\/\/gemini\.test\/v1beta\/models\/m:countTokens /);
    assert.equal(await recounter.count(target, recount('abc')), 3);
    assert.equal(asked.length, 2, 'the cached text is not counted again');
    answer = () => new Response('{"error":{}}', { status: 404 });
    assert.equal(await recounter.count(target, recount('abc', 'new')), undefined);
    const slow = (async (_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(new Error('aborted'))))) as unknown as typeof fetch;
    const started = Date.now();
    const alive = setTimeout(() => undefined, 5_000); // AbortSignal.timeout's timer does not hold the event loop open

    assert.equal(await new UsageRecounter({ fetch: slow, timeoutMs: 50 }).count(target, recount('x')), undefined);
    assert.ok(Date.now() - started < 1000);
    clearTimeout(alive);
  });
});
