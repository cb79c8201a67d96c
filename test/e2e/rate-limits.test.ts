import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * Fair use (issue #14): over a key's or an account's limit a call is refused with a 429 in the surface's
 * own shape, with retry-after and OpenAI's x-ratelimit-* headers; nothing is forwarded, nothing charged,
 * and the refusal is in the history.
 */
describe('rate limits', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  const limitedKey = async (limits: Record<string, number | null>, credit = '100') => {
    const made = await stack.gw.newKey({ credit });
    const patched = await stack.gw.admin('PATCH', `/admin/keys/${made.keyId}`, limits);
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    return made;
  };
  const openai = (key: string, base = '/openai/v1') => new OpenAI({ apiKey: key, baseURL: stack.gw.url + base, maxRetries: 0 });
  const chat = (key: string, base?: string, extra: Record<string, unknown> = {}) =>
    openai(key, base).chat.completions.create({ model: base === '/v1' ? 'openai/gpt-4o-mini' : 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });
  const balanceOf = async (userId: string) => {
    await stack.gw.app.flush(); // the charges of calls answered a moment ago are settled
    return (await stack.gw.admin('GET', `/admin/users/${userId}`)).body.balance as number;
  };
  const historyOf = async (userId: string) => {
    await stack.gw.app.flush();
    return (await stack.gw.admin('GET', `/admin/users/${userId}/requests`)).body.data as Array<{ status: number; error: string | null; cost: number | null }>;
  };

  test('rpm on the native OpenAI surface: the 4th call of 3 per minute is a 429 rate_limit_exceeded with the headers; not forwarded, not charged', async () => {
    const { key, userId } = await limitedKey({ rpm_limit: 3 });
    for (let i = 0; i < 3; i++) await chat(key);
    const forwarded = stack.openai.requests.length;
    const balance = await balanceOf(userId);
    const refused = await chat(key).catch((err: unknown) => err);
    assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
    assert.equal(refused.status, 429);
    assert.equal((refused.error as { code?: string }).code, 'rate_limit_exceeded');
    assert.match(refused.message, /requests per minute limit of this API key/);
    const headers = refused.headers as Headers;
    assert.ok(Number(headers.get('retry-after')) >= 1 && Number(headers.get('retry-after')) <= 20, String(headers.get('retry-after')));
    assert.equal(headers.get('x-ratelimit-limit-requests'), '3');
    assert.equal(headers.get('x-ratelimit-remaining-requests'), '0');
    assert.match(headers.get('x-ratelimit-reset-requests') ?? '', /^\d+(ms|s|m\d+s)$/);
    assert.equal(stack.openai.requests.length, forwarded, 'nothing forwarded');
    assert.equal(await balanceOf(userId), balance, 'nothing charged');
    const history = await historyOf(userId);
    assert.equal(history[0]!.status, 429);
    assert.equal(history[0]!.error, 'rate_limit:key:rpm');
    assert.equal(history.filter((row) => row.status === 200).length, 3);
  });

  test('the unified /v1 and the Anthropic and Gemini surfaces answer in their own shapes', async () => {
    const { key } = await limitedKey({ rpm_limit: 1 });
    await chat(key, '/v1');
    const unified = await chat(key, '/v1').catch((err: unknown) => err);
    assert.ok(unified instanceof OpenAI.RateLimitError, String(unified));

    const claude = (await limitedKey({ rpm_limit: 1 })).key;
    const anthropic = new Anthropic({ apiKey: claude, baseURL: `${stack.gw.url}/anthropic`, maxRetries: 0 });
    const ask = () => anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    await ask();
    const refused = await ask().catch((err: unknown) => err);
    assert.ok(refused instanceof Anthropic.RateLimitError, String(refused));
    assert.equal((refused.error as { error?: { type?: string } }).error?.type, 'rate_limit_error');
    assert.ok(Number(refused.headers?.get('retry-after')) >= 1);

    const geminiKey = (await limitedKey({ rpm_limit: 1 })).key;
    const gemini = new GoogleGenAI({ apiKey: geminiKey, httpOptions: { baseUrl: `${stack.gw.url}/google` } });
    const generate = () => gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    await generate();
    const geminiRefused = await generate().catch((err: unknown) => err);
    assert.ok(geminiRefused instanceof Error);
    assert.match(String((geminiRefused as Error).message), /RESOURCE_EXHAUSTED/);
    assert.equal((geminiRefused as { status?: number }).status, 429);
  });

  test("an account's limit counts all its keys together", async () => {
    const first = await stack.gw.newKey({ credit: '100' });
    const second = await stack.gw.admin('POST', `/admin/users/${first.userId}/keys`, {});
    const limited = await stack.gw.admin('PATCH', `/admin/users/${first.userId}`, { rpm_limit: 2 });
    assert.equal(limited.status, 200, JSON.stringify(limited.body));
    assert.equal(limited.body.rpm_limit, 2);
    await chat(first.key);
    await chat(second.body.key);
    const refused = await chat(first.key).catch((err: unknown) => err);
    assert.ok(refused instanceof OpenAI.RateLimitError);
    assert.match(refused.message, /of this account/);
    const history = await historyOf(first.userId);
    assert.equal(history[0]!.error, 'rate_limit:account:rpm');
    const bad = await stack.gw.admin('PATCH', `/admin/users/${first.userId}`, { rpm_limit: 0 });
    assert.equal(bad.status, 400);
  });

  test('concurrency: a second call while one is in flight is refused; once it ends, calls pass again', async () => {
    const { key } = await limitedKey({ concurrency_limit: 1 });
    stack.openai.failNext({ delayHeadersMs: 600 });
    const slow = chat(key);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const refused = await chat(key).catch((err: unknown) => err);
    assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
    assert.match(refused.message, /requests in flight/);
    await slow;
    await chat(key);
  });

  test('tpm: the estimate is taken at admission (prompt + max_tokens) and a call that can never fit is refused without retry-after', async () => {
    const { key } = await limitedKey({ tpm_limit: 200 });
    const never = await chat(key, undefined, { max_tokens: 500 }).catch((err: unknown) => err);
    assert.ok(never instanceof OpenAI.RateLimitError, String(never));
    assert.match(never.message, /more tokens than the tokens per minute limit/);
    assert.equal((never.headers as Headers).get('retry-after'), null);
    assert.equal((never.headers as Headers).get('x-ratelimit-limit-tokens'), '200');
    // Estimated ~100 each (prompt bound + max_tokens 90); the mock reports far fewer, so the correction lets more through.
    for (let i = 0; i < 4; i++) await chat(key, undefined, { max_tokens: 90 });
  });

  test('a call refused by billing (402) spends nothing of the tokens per minute', async () => {
    const { key, userId } = await limitedKey({ tpm_limit: 300 }, '0');
    for (let i = 0; i < 5; i++) {
      const poor = await chat(key, undefined, { max_tokens: 90 }).catch((err: unknown) => err);
      assert.equal((poor as { status?: number }).status, 402, String(poor));
    }
    await stack.gw.admin('POST', `/admin/users/${userId}/credit`, { amount: '100' });
    await chat(key, undefined, { max_tokens: 90 });
  });

  test('keys without limits are not limited; a limit removed with null applies at once', async () => {
    const { key, keyId } = await limitedKey({ rpm_limit: 1 });
    await chat(key);
    assert.ok((await chat(key).catch((err: unknown) => err)) instanceof OpenAI.RateLimitError);
    await stack.gw.admin('PATCH', `/admin/keys/${keyId}`, { rpm_limit: null });
    for (let i = 0; i < 5; i++) await chat(key);
  });
});
