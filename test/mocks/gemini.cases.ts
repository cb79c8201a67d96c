// Gemini mock driven by @google/genai (imported by mocks.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { fakeEmbedding, MOCK_THOUGHT_SIGNATURE, startMock, type MockUpstream } from './index.js';

describe('gemini mock', () => {
  let mock: MockUpstream;
  let ai: GoogleGenAI;
  before(async () => {
    mock = await startMock('gemini');
    ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url } });
  });
  after(() => mock.close());

  test('generateContent: text and usageMetadata', async () => {
    const r = await ai.models.generateContent({
      model: 'gemini-2.5-flash', contents: 'how tall is it', config: { systemInstruction: 'be brief' },
    });
    assert.equal(r.text, 'Echo: how tall is it');
    assert.equal(r.candidates?.[0]?.finishReason, 'STOP');
    // prompt = words("be brief how tall is it") + 3 = 9; cached 2; candidates 5; thoughts 2
    assert.deepEqual(
      [r.usageMetadata?.promptTokenCount, r.usageMetadata?.cachedContentTokenCount, r.usageMetadata?.candidatesTokenCount,
        r.usageMetadata?.thoughtsTokenCount, r.usageMetadata?.totalTokenCount],
      [9, 2, 5, 2, 16],
    );
    const req = mock.lastRequest();
    assert.equal(req?.url, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(req?.headers['x-goog-api-key'], 'k');
  });

  test('generateContentStream (alt=sse): text pieces, running then final usage', async () => {
    const chunks: GenerateContentResponse[] = [];
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'stream it now' })) chunks.push(c);
    assert.equal(mock.lastRequest()?.url, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    assert.equal(chunks.length, 5);
    assert.equal(chunks.map((c) => c.text ?? '').join(''), 'Echo: stream it now');
    const last = chunks[chunks.length - 1];
    assert.equal(last?.candidates?.[0]?.finishReason, 'STOP');
    assert.equal(last?.usageMetadata?.candidatesTokenCount, 4);
    assert.equal(last?.usageMetadata?.thoughtsTokenCount, 2);
    assert.equal(chunks[0]?.usageMetadata?.thoughtsTokenCount, undefined);
  });

  test('function call with tools (unary and stream)', async () => {
    const config = { tools: [{ functionDeclarations: [{ name: 'lookup', description: 'kb' }] }] };
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'find oslo', config });
    assert.deepEqual(r.functionCalls, [{ name: 'lookup', args: { input: 'find oslo' } }]);
    assert.equal(r.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature, MOCK_THOUGHT_SIGNATURE);
    const calls = [];
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'find oslo', config })) {
      calls.push(...(c.functionCalls ?? []));
    }
    assert.deepEqual(calls, [{ name: 'lookup', args: { input: 'find oslo' } }]);
  });

  test('countTokens, embedContent (SDK uses batchEmbedContents), models.list', async () => {
    const c = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'one two three four' });
    assert.equal(c.totalTokens, 7);
    const e = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['alpha', 'beta gamma'] });
    assert.equal(mock.lastRequest()?.url, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
    assert.deepEqual(e.embeddings?.map((x) => x.values), [fakeEmbedding('alpha'), fakeEmbedding('beta gamma')]);
    const single = await fetch(`${mock.url}/v1beta/models/gemini-embedding-001:embedContent?key=k`, {
      method: 'POST', body: JSON.stringify({ content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 3 }),
    });
    assert.deepEqual(await single.json(), { embedding: { values: fakeEmbedding('alpha', 3) } });
    const pager = await ai.models.list();
    const names = pager.page.map((m) => m.name);
    assert.ok(names.includes('models/gemini-2.5-flash'));
  });

  test('v1 prefix, ?key= auth, missing key 403, unknown route 404', async () => {
    const v1 = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url, apiVersion: 'v1' } });
    assert.equal((await v1.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' })).text, 'Echo: x');
    assert.equal(mock.lastRequest()?.url, '/v1/models/gemini-2.5-pro:generateContent');
    const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'q' }] }] });
    const withKey = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent?key=abc`, { method: 'POST', body });
    assert.equal(withKey.status, 200);
    const noKey = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', body });
    assert.equal(noKey.status, 403);
    const err = ((await noKey.json()) as { error: { code: number; status: string; message: string } }).error;
    assert.deepEqual([err.code, err.status], [403, 'PERMISSION_DENIED']);
    const nf = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:nope?key=k`, { method: 'POST', body });
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as { error: { status: string } }).error.status, 'NOT_FOUND');
  });

  test('streamGenerateContent without alt: incremental JSON array', async () => {
    mock.failNext({ chunkDelayMs: 20 });
    const res = await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST', headers: { 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'array mode' }] }] }),
    });
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const reads: string[] = [];
    const dec = new TextDecoder();
    for await (const b of res.body as unknown as AsyncIterable<Uint8Array>) reads.push(dec.decode(b, { stream: true }));
    const raw = reads.join('');
    assert.ok(reads.length >= 5, `expected incremental reads, got ${reads.length}`);
    assert.ok(raw.startsWith('[') && raw.endsWith(']'));
    assert.ok(raw.includes(',\r\n'));
    const records = JSON.parse(raw) as GenerateContentResponse[];
    assert.equal(records.length, 5);
    assert.equal(records.map((r) => r.candidates?.[0]?.content?.parts?.[0]?.text).join(''), 'Echo: array mode');
    assert.equal(records[4]?.usageMetadata?.totalTokenCount, 2 + 3 + 3 + 2);
  });
});
