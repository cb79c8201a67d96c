import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MockUpstream } from '../mocks/types.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** Every limit on every native surface: the 429's shape and headers, and nothing forwarded. */
interface Surface {
  name: string;
  mock: (stack: Stack) => MockUpstream;
  call: (stack: Stack, key: string, maxTokens: number) => Promise<Response>;
  refused: (body: any) => void;
}

const SURFACES: Surface[] = [
  {
    name: 'OpenAI',
    mock: (stack) => stack.openai,
    call: (stack, key, maxTokens) =>
      fetch(`${stack.gw.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: maxTokens, messages: [{ role: 'user', content: 'hi' }] }),
      }),
    refused: (body) => {
      assert.equal(body.error.code, 'rate_limit_exceeded');
      assert.equal(typeof body.error.message, 'string');
    },
  },
  {
    name: 'Anthropic',
    mock: (stack) => stack.anthropic,
    call: (stack, key, maxTokens) =>
      fetch(`${stack.gw.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: maxTokens, messages: [{ role: 'user', content: 'hi' }] }),
      }),
    refused: (body) => {
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'rate_limit_error');
    },
  },
  {
    name: 'Gemini',
    mock: (stack) => stack.gemini,
    call: (stack, key, maxTokens) =>
      fetch(`${stack.gw.url}/google/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: maxTokens } }),
      }),
    refused: (body) => {
      assert.equal(body.error.code, 429);
      assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    },
  },
];

describe('every limit on every native surface', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  const keyWith = async (limits: Record<string, number>) => {
    const made = await stack.gw.newKey({ credit: '100' });
    assert.equal((await stack.gw.admin('PATCH', `/admin/keys/${made.keyId}`, limits)).status, 200);
    return made.key;
  };
  const expectRefusal = async (surface: Surface, res: Response, kind: 'requests' | 'tokens' | 'in flight') => {
    assert.equal(res.status, 429, await res.clone().text());
    surface.refused(await res.json());
    if (kind === 'in flight') return; // OpenAI's x-ratelimit-* speak of rates; a concurrency refusal says retry-after only
    assert.ok(res.headers.get(`x-ratelimit-limit-${kind}`), `x-ratelimit-limit-${kind}`);
    assert.ok(res.headers.get(`x-ratelimit-remaining-${kind}`) !== null);
    assert.match(res.headers.get(`x-ratelimit-reset-${kind}`) ?? '', /^\d+(ms|s|m\d+s)$/);
  };

  for (const surface of SURFACES) {
    test(`${surface.name}: rpm`, async () => {
      const key = await keyWith({ rpm_limit: 1 });
      assert.equal((await surface.call(stack, key, 16)).status, 200);
      const forwarded = surface.mock(stack).requests.length;
      const res = await surface.call(stack, key, 16);
      await expectRefusal(surface, res, 'requests');
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      assert.equal(surface.mock(stack).requests.length, forwarded, 'nothing forwarded');
    });

    test(`${surface.name}: tpm (a request that can never fit)`, async () => {
      const key = await keyWith({ tpm_limit: 150 });
      const forwarded = surface.mock(stack).requests.length;
      const res = await surface.call(stack, key, 500);
      await expectRefusal(surface, res, 'tokens');
      assert.equal(res.headers.get('x-ratelimit-limit-tokens'), '150');
      assert.equal(res.headers.get('retry-after'), null);
      assert.equal(surface.mock(stack).requests.length, forwarded, 'nothing forwarded');
      assert.equal((await surface.call(stack, key, 10)).status, 200, 'a request that fits passes');
    });

    test(`${surface.name}: concurrency`, async () => {
      const key = await keyWith({ concurrency_limit: 1, rpm_limit: 100 });
      surface.mock(stack).failNext({ delayHeadersMs: 500 });
      const slow = surface.call(stack, key, 16);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const forwarded = surface.mock(stack).requests.length;
      const res = await surface.call(stack, key, 16);
      await expectRefusal(surface, res, 'in flight');
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(surface.mock(stack).requests.length, forwarded, 'nothing forwarded');
      assert.equal((await slow).status, 200);
    });
  }
});
