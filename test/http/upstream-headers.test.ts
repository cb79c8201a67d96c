import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawRequest } from '../helpers/raw-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** What the gateway forwards of the client's request headers (services/relay/headers.ts), seen by the mock upstreams. */
describe('request headers sent upstream', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const chat = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });

  test('headers named in the client\'s Connection header are hop-by-hop and never forwarded', async () => {
    const res = await rawRequest(stack.gw.url, 'POST', '/openai/v1/chat/completions', {
      authorization: `Bearer ${stack.key}`,
      'content-type': 'application/json',
      // rawRequest sends `connection: close` too; Node joins both: "close, X-Hop-One ,x-hop-two".
      Connection: 'X-Hop-One ,x-hop-two',
      'x-hop-one': 'secret-1',
      'x-hop-two': 'secret-2',
      'x-end-to-end': 'kept',
    }, chat);
    assert.equal(res.status, 200, res.body);
    const seen = stack.openai.lastRequest()!.headers;
    assert.equal(seen['x-hop-one'], undefined);
    assert.equal(seen['x-hop-two'], undefined);
    assert.equal(seen['x-end-to-end'], 'kept');
    assert.equal(seen['content-type'], 'application/json');
  });

  test('the client cannot choose the operator\'s OpenAI organisation or project, natively or on /v1', async () => {
    const headers = { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json', 'openai-organization': 'org-client', 'openai-project': 'proj-client', 'openai-beta': 'assistants=v2' };
    for (const path of ['/openai/v1/chat/completions', '/v1/chat/completions']) {
      const res = await fetch(stack.gw.url + path, { method: 'POST', headers, body: chat });
      assert.equal(res.status, 200, path);
      await res.text();
      const seen = stack.openai.lastRequest()!.headers;
      assert.equal(seen['openai-organization'], undefined, path);
      assert.equal(seen['openai-project'], undefined, path);
      assert.equal(seen['openai-beta'], 'assistants=v2', `${path}: other provider headers pass`);
    }
  });

  test('nor the Anthropic organisation or workspace', async () => {
    const res = await fetch(`${stack.gw.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': stack.key,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'anthropic-organization-id': 'org-client',
        'anthropic-workspace-id': 'wrk-client',
      },
      body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 200);
    await res.text();
    const seen = stack.anthropic.lastRequest()!.headers;
    assert.equal(seen['anthropic-organization-id'], undefined);
    assert.equal(seen['anthropic-workspace-id'], undefined);
    assert.equal(seen['anthropic-version'], '2023-06-01');
  });

  test('nor the Google quota project', async () => {
    const res = await fetch(`${stack.gw.url}/google/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': stack.key, 'content-type': 'application/json', 'x-goog-user-project': 'client-project' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
    });
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(stack.gemini.lastRequest()!.headers['x-goog-user-project'], undefined);
  });
});
