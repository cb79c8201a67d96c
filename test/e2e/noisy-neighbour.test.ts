import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startStack, type Stack } from '../helpers/stack.js';

const CONNECTIONS = 16;
const SHARE = 0.5;
const CAP = CONNECTIONS * SHARE;

/**
 * Issue #14's noisy neighbour at its worst: one account opens many more streams than the gateway has
 * connections to the provider, and every one of them stalls. Another account's calls, streamed or not,
 * must still answer within ~100 ms of their normal time: the noisy account holds only its share of the
 * connections (UPSTREAM_SHARE × UPSTREAM_CONNECTIONS) and its other calls wait in its own line.
 */
describe('fair share of the upstream connections', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ UPSTREAM_CONNECTIONS: String(CONNECTIONS), UPSTREAM_SHARE: String(SHARE), FAIR_SHARE_WAIT_MS: '5000' });
  });
  after(async () => stack.close());

  const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${stack.gw.url}/openai/v1`, maxRetries: 0, timeout: 20_000 });
  const timed = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  const quietCalls = (openai: OpenAI) => ({
    plain: () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    streamed: async () => {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
      for await (const _chunk of stream) void _chunk;
    },
  });

  test('one account stalling 3× the pool does not slow another account down', async () => {
    const noisy = await stack.gw.newKey({ credit: '1000' });
    const quiet = quietCalls(client((await stack.gw.newKey({ credit: '1000' })).key));
    const normal = { plain: Math.max(await timed(quiet.plain), await timed(quiet.plain)), streamed: Math.max(await timed(quiet.streamed), await timed(quiet.streamed)) };

    stack.openai.failNext({ stallAfterChunks: 1 }, CAP);
    const forwardedBefore = stack.openai.requests.length;
    const aborts = Array.from({ length: CONNECTIONS * 3 }, () => new AbortController());
    const burst = aborts.map(async (abort) => {
      try {
        const stream = await client(noisy.key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stall' }], stream: true }, { signal: abort.signal });
        for await (const _chunk of stream) void _chunk;
      } catch {
        // aborted at the end of the test, or refused after waiting its turn
      }
    });
    await waitFor(() => stack.openai.requests.length - forwardedBefore >= CAP);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(stack.openai.requests.length - forwardedBefore, CAP, 'the noisy account holds its share, no more');

    const during = { plain: await timed(quiet.plain), streamed: await timed(quiet.streamed) };
    assert.ok(during.plain < normal.plain + 100, `a plain call took ${during.plain.toFixed(1)} ms (normally ${normal.plain.toFixed(1)})`);
    assert.ok(during.streamed < normal.streamed + 100, `a streamed call took ${during.streamed.toFixed(1)} ms (normally ${normal.streamed.toFixed(1)})`);

    for (const abort of aborts) abort.abort();
    await Promise.all(burst);
  });
});

async function waitFor(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
