import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { usageFromGenerateContent, usageFromMetadata } from '../../../src/dialects/gemini/usage.js';
import { GeminiStreamTap, geminiJsonTap } from '../../../src/dialects/gemini/usage-tap.js';
import { JsonArrayStreamParser } from '../../../src/lib/json-array-stream.js';
import {
  CHUNKINGS,
  assertHasCases,
  assertTapResult,
  assertUsageInvariants,
  lineEndingVariants,
  loadFixtures,
  runTap,
} from './fixtures.js';

const fixtures = loadFixtures('gemini');

type Metadata = Record<string, number | undefined>;

/** Independent arithmetic from docs/reference/gemini.md §3.2: thoughts are output, tool-use prompt is input. */
function metadataTotals(m: Metadata): { input: number; output: number } {
  return {
    input: (m.promptTokenCount ?? 0) + (m.toolUsePromptTokenCount ?? 0),
    output: (m.candidatesTokenCount ?? 0) + (m.thoughtsTokenCount ?? 0),
  };
}

describe('gemini usage fixtures', () => {
  it('has the required cases', () => {
    assertHasCases(fixtures, [
      'generate-thoughts-cached',
      'stream-sse-running-totals',
      'stream-json-array',
      'stream-sse-cut',
    ]);
  });

  for (const f of fixtures) {
    if (f.kind === 'json') {
      it(`${f.name}: parser and buffered JSON tap`, () => {
        const body = JSON.parse(f.body.toString('utf8')) as { usageMetadata: Metadata };
        const usage = usageFromGenerateContent(body);
        assert.deepEqual(usage ?? null, f.expected.usage);
        if (usage) {
          assertUsageInvariants(usage, f.name);
          const totals = metadataTotals(body.usageMetadata);
          assert.equal(usage.inputTokens, totals.input, 'input = prompt + tool-use prompt');
          assert.equal(usage.outputTokens, totals.output, 'output = candidates + thoughts');
          assert.equal(usage.reasoningTokens ?? 0, body.usageMetadata.thoughtsTokenCount ?? 0);
          const total = body.usageMetadata.totalTokenCount;
          if (total !== undefined) assert.equal(usage.inputTokens + usage.outputTokens, total, 'matches totalTokenCount');
        }
        for (const chunking of CHUNKINGS) {
          const result = runTap(() => geminiJsonTap(), f.body, chunking);
          assertTapResult(result, f.expected, `${f.name} ${chunking.label}`);
          assert.equal(result.complete, true);
        }
      });
      continue;
    }
    const framing = f.kind === 'sse' ? 'sse' : 'json-array';
    it(`${f.name}: ${framing} stream tap over every chunking${f.kind === 'sse' ? ' and line ending' : ''}`, () => {
      assert.equal(f.expected.framing, framing, 'expected.json names the framing of the file');
      if (f.expected.usage) assertUsageInvariants(f.expected.usage, f.name);
      const variants = f.kind === 'sse' ? lineEndingVariants(f.body) : [{ label: 'as recorded', body: f.body }];
      for (const variant of variants) {
        for (const chunking of CHUNKINGS) {
          const result = runTap(() => new GeminiStreamTap({ framing }), variant.body, chunking);
          assertTapResult(result, f.expected, `${f.name} ${variant.label} ${chunking.label}`);
        }
      }
    });
  }

  it('the buffered JSON tap reads a whole no-alt array body (last usage wins)', () => {
    const f = fixtures.find((x) => x.name === 'stream-json-array');
    assert.ok(f);
    const result = runTap(() => geminiJsonTap(), f.body, CHUNKINGS[1]!);
    assert.deepEqual(result.usage, f.expected.usage);
    assert.equal(result.model, f.expected.model);
  });

  it('the JSON-array stream parser yields every record of the fixture exactly once, at any chunking', () => {
    const f = fixtures.find((x) => x.name === 'stream-json-array');
    assert.ok(f);
    const whole = JSON.parse(f.body.toString('utf8')) as unknown[];
    for (const chunking of CHUNKINGS) {
      const parser = new JsonArrayStreamParser();
      const records: unknown[] = chunking.split(f.body).flatMap((c) => parser.push(c));
      assert.deepEqual([...records, ...parser.end()], whole, chunking.label);
      assert.equal(parser.closed, true);
    }
  });
});

describe('gemini usage: edge cases', () => {
  it('never throws and returns undefined without usageMetadata', () => {
    for (const body of [undefined, null, 7, 'x', [], [{}], {}, { usageMetadata: null }, { usageMetadata: 'x' }]) {
      assert.equal(usageFromGenerateContent(body), undefined, JSON.stringify(body));
    }
  });

  it('absent counts are 0; thoughts are output, not only candidates', () => {
    assert.deepEqual(usageFromMetadata({}), { inputTokens: 0, outputTokens: 0 });
    assert.deepEqual(usageFromMetadata({ promptTokenCount: 5, thoughtsTokenCount: 100 }), {
      inputTokens: 5,
      outputTokens: 100,
      reasoningTokens: 100,
    });
  });

  it('stream tap: a record without usageMetadata does not reset; running totals are not summed', () => {
    const tap = new GeminiStreamTap({ framing: 'sse' });
    const rec = (o: object): Buffer => Buffer.from(`data: ${JSON.stringify(o)}\r\n\r\n`);
    tap.push(rec({ candidates: [{ content: { parts: [{ text: 'a' }] } }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 1 } }));
    tap.push(rec({ candidates: [{ content: { parts: [{ text: 'b' }] } }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2 } }));
    tap.push(rec({ candidates: [{ content: { parts: [{ text: 'c' }] }, finishReason: 'STOP' }] }));
    assert.deepEqual(tap.end(), { complete: true, outputText: 'abc', usage: { inputTokens: 10, outputTokens: 2 } });
  });

  it('stream tap: EOF without any finishReason is a cut stream', () => {
    const tap = new GeminiStreamTap({ framing: 'json-array' });
    tap.push(Buffer.from('[{"candidates":[{"content":{"parts":[{"text":"x"}]}}],"usageMetadata":{"promptTokenCount":3}}]'));
    assert.deepEqual(tap.end(), { complete: false, outputText: 'x', usage: { inputTokens: 3, outputTokens: 0 } });
  });

  it('stream tap: an error record inside a JSON array is not complete', () => {
    const tap = new GeminiStreamTap({ framing: 'json-array' });
    tap.push(Buffer.from('[{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}]'));
    assert.deepEqual(tap.end(), { complete: false, outputText: '' });
  });
});
