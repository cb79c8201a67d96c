import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.js';

const UPSTREAM_KEY = 'gemini-upstream-key-0001';

describe("Gemini's OpenAI-compatible endpoints take the upstream key as a Bearer token", () => {
  let upstream: ScriptedUpstream;
  let gw: TestGateway;
  let key: string;
  before(async () => {
    upstream = await startScriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [] }));
    });
    gw = await startGateway({ GEMINI_API_KEY: UPSTREAM_KEY, GEMINI_BASE_URL: upstream.url });
    // These endpoints are not metered yet: forwarded only when unpriced calls are allowed.
    assert.equal((await gw.admin('PUT', '/admin/settings', { allow_unpriced_models: true })).status, 200);
    ({ key } = await gw.newKey());
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test('/google/v1beta/openai/* sends Authorization: Bearer, the native API keeps x-goog-api-key', async () => {
    const compat = await fetch(`${gw.url}/google/v1beta/openai/models`, { headers: { 'x-goog-api-key': key } });
    assert.equal(compat.status, 200);
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.url, '/v1beta/openai/models');
    assert.equal(sent.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.equal(sent.headers['x-goog-api-key'], undefined, 'not the native header as well');

    assert.equal((await fetch(`${gw.url}/google/v1beta/models`, { headers: { 'x-goog-api-key': key } })).status, 200);
    const native = upstream.requests.at(-1)!;
    assert.equal(native.headers['x-goog-api-key'], UPSTREAM_KEY);
    assert.equal(native.headers.authorization, undefined);
  });
});
