import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cacheWritesFromWire, overlayWireUsage, usageFromMessage, usageFromWire } from '../../../src/dialects/anthropic/usage.js';
import { AnthropicStreamTap, anthropicJsonTap, type AnthropicStreamTapResult } from '../../../src/dialects/anthropic/usage-tap.js';
import {
  CHUNKINGS,
  assertHasCases,
  assertTapResult,
  assertUsageInvariants,
  lineEndingVariants,
  loadFixtures,
  runTap,
} from './fixtures.js';

const fixtures = loadFixtures('anthropic');

/** The wire counters, added up independently of the parser (docs/reference/anthropic.md §5: input excludes cache). */
function wireTotals(usage: Record<string, number | null | undefined>): { input: number; read: number; write: number } {
  const read = usage.cache_read_input_tokens ?? 0;
  const write = usage.cache_creation_input_tokens ?? 0;
  return { input: (usage.input_tokens ?? 0) + read + write, read, write };
}

describe('anthropic usage fixtures', () => {
  it('has the required cases', () => {
    assertHasCases(fixtures, ['message-cache-5m-1h', 'stream-cache-and-thinking', 'stream-cut-after-message-start']);
  });

  for (const f of fixtures) {
    if (f.kind === 'json') {
      it(`${f.name}: parser and buffered JSON tap`, () => {
        const body = JSON.parse(f.body.toString('utf8')) as { usage: Record<string, number> };
        const usage = usageFromMessage(body);
        assert.deepEqual(usage ?? null, f.expected.usage);
        if (usage) {
          assertUsageInvariants(usage, f.name);
          const totals = wireTotals(body.usage);
          assert.equal(usage.inputTokens, totals.input, 'input = input_tokens + cache reads + cache writes');
          assert.equal(usage.cachedInputTokens ?? 0, totals.read);
          assert.equal(usage.cacheWriteTokens ?? 0, totals.write);
        }
        if (f.expected.cacheWrites) assert.deepEqual(cacheWritesFromWire(body.usage), f.expected.cacheWrites);
        for (const chunking of CHUNKINGS) {
          const result = runTap(() => anthropicJsonTap(), f.body, chunking);
          assertTapResult(result, f.expected, `${f.name} ${chunking.label}`);
          assert.equal(result.complete, true);
        }
      });
      continue;
    }
    it(`${f.name}: stream tap over every chunking and line ending`, () => {
      if (f.expected.usage) assertUsageInvariants(f.expected.usage, f.name);
      for (const variant of lineEndingVariants(f.body)) {
        for (const chunking of CHUNKINGS) {
          const result = runTap(() => new AnthropicStreamTap(), variant.body, chunking) as AnthropicStreamTapResult;
          const where = `${f.name} ${variant.label} ${chunking.label}`;
          assertTapResult(result, f.expected, where);
          if (f.expected.cacheWrites) assert.deepEqual(result.cacheWrites, f.expected.cacheWrites, `${where}: cacheWrites`);
        }
      }
    });
  }
});

describe('anthropic usage: edge cases', () => {
  it('never throws and returns undefined without usage', () => {
    for (const body of [undefined, null, 1, 'x', [], {}, { usage: null }, { usage: [] }, { usage: {} }, { usage: { input_tokens: 'x' } }]) {
      assert.equal(usageFromMessage(body), undefined, JSON.stringify(body));
    }
  });

  it('counts cache reads and writes as input (not only input_tokens)', () => {
    const usage = usageFromWire({ input_tokens: 3, cache_creation_input_tokens: 4000, cache_read_input_tokens: 90000, output_tokens: 12 });
    assert.deepEqual(usage, { inputTokens: 94003, outputTokens: 12, cachedInputTokens: 90000, cacheWriteTokens: 4000 });
  });

  it('takes thinking tokens (new field) as reasoning within output', () => {
    const usage = usageFromWire({ input_tokens: 10, output_tokens: 300, output_tokens_details: { thinking_tokens: 250 } });
    assert.deepEqual(usage, { inputTokens: 10, outputTokens: 300, reasoningTokens: 250 });
  });

  it('cache writes: only the TTL split present, and a split that undercounts the total', () => {
    const onlySplit = { input_tokens: 1, output_tokens: 1, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 30 } };
    assert.equal(usageFromWire(onlySplit)?.cacheWriteTokens, 40);
    assert.deepEqual(cacheWritesFromWire(onlySplit), { ephemeral5m: 10, ephemeral1h: 30 });
    const totalOnly = { cache_creation_input_tokens: 500 };
    assert.deepEqual(cacheWritesFromWire(totalOnly), { ephemeral5m: 500, ephemeral1h: 0 });
    const under = { cache_creation_input_tokens: 500, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 200 } };
    assert.deepEqual(cacheWritesFromWire(under), { ephemeral5m: 300, ephemeral1h: 200 });
  });

  it('overlay: non-null fields replace, nulls keep, nothing is added up', () => {
    const start = { input_tokens: 25, cache_read_input_tokens: 8000, output_tokens: 1 };
    const a = overlayWireUsage(start, { output_tokens: 120 });
    const b = overlayWireUsage(a, { input_tokens: null, cache_read_input_tokens: null, output_tokens: 342 });
    assert.deepEqual(b, { input_tokens: 25, cache_read_input_tokens: 8000, output_tokens: 342 });
    const c = overlayWireUsage(b, { input_tokens: 40 }); // e.g. updated by a server tool
    assert.deepEqual(usageFromWire(c), { inputTokens: 8040, outputTokens: 342, cachedInputTokens: 8000 });
  });

  it('stream tap: an empty body and a body of pings give no usage and are not complete', () => {
    assert.deepEqual(new AnthropicStreamTap().end(), { complete: false, outputText: '' });
    const tap = new AnthropicStreamTap();
    tap.push(Buffer.from('event: ping\ndata: {"type": "ping"}\n\n'));
    assert.deepEqual(tap.end(), { complete: false, outputText: '' });
  });
});
