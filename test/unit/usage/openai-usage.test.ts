import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Usage } from '../../../src/core/usage.js';
import type { UsageTap } from '../../../src/core/usage-tap.js';
import { SseParser, encodeSseEvent } from '../../../src/lib/sse.js';
import {
  usageFromChatCompletion,
  usageFromEmbeddings,
  usageFromImages,
  usageFromResponsesObject,
  usageFromTranscription,
} from '../../../src/dialects/openai/usage.js';
import {
  OpenAIChatStreamTap,
  OpenAIResponsesStreamTap,
  openAIJsonTap,
  stripUsageChunk,
  type OpenAIJsonOp,
} from '../../../src/dialects/openai/usage-tap.js';
import {
  CHUNKINGS,
  assertHasCases,
  assertTapResult,
  assertUsageInvariants,
  lineEndingVariants,
  loadFixtures,
  runTap,
  type Fixture,
} from './fixtures.js';

const fixtures = loadFixtures('openai');

const PARSERS: Record<string, (body: unknown) => Usage | undefined> = {
  chat: usageFromChatCompletion,
  responses: usageFromResponsesObject,
  embeddings: usageFromEmbeddings,
  images: usageFromImages,
  transcription: usageFromTranscription,
};

function streamTap(f: Fixture): () => UsageTap {
  if (f.expected.op === 'chat') return () => new OpenAIChatStreamTap();
  if (f.expected.op === 'responses') return () => new OpenAIResponsesStreamTap();
  throw new Error(`${f.name}: no stream tap for op ${f.expected.op}`);
}

describe('openai usage fixtures', () => {
  it('has the required cases', () => {
    assertHasCases(fixtures, [
      'chat-cached-reasoning',
      'chat-stream-usage',
      'chat-stream-cut',
      'responses',
      'responses-stream',
      'embeddings',
      'transcription-duration',
    ]);
  });

  for (const f of fixtures) {
    if (f.kind === 'json') {
      it(`${f.name}: parser and buffered JSON tap`, () => {
        const parse = PARSERS[f.expected.op ?? ''];
        assert.ok(parse, `${f.name}: unknown op ${f.expected.op}`);
        const usage = parse(JSON.parse(f.body.toString('utf8')));
        assert.deepEqual(usage ?? null, f.expected.usage);
        if (usage) assertUsageInvariants(usage, f.name);
        for (const chunking of CHUNKINGS) {
          const result = runTap(() => openAIJsonTap(f.expected.op as OpenAIJsonOp), f.body, chunking);
          assertTapResult(result, f.expected, `${f.name} ${chunking.label}`);
          assert.equal(result.complete, true, 'a whole JSON body is complete');
        }
      });
      continue;
    }
    it(`${f.name}: stream tap over every chunking and line ending`, () => {
      if (f.expected.usage) assertUsageInvariants(f.expected.usage, f.name);
      for (const variant of lineEndingVariants(f.body)) {
        for (const chunking of CHUNKINGS) {
          const result = runTap(streamTap(f), variant.body, chunking);
          assertTapResult(result, f.expected, `${f.name} ${variant.label} ${chunking.label}`);
        }
      }
    });
    if (f.expected.op === 'chat') {
      it(`${f.name}: stripUsageChunk finds exactly the usage-only chunks`, () => {
        const parser = new SseParser();
        const events = [...parser.push(f.body), ...parser.end()];
        const stripped = events.filter(stripUsageChunk);
        assert.equal(stripped.length, f.expected.usageChunks ?? 0);
        // what the client receives when the gateway added include_usage: everything but that chunk
        const relayed = Buffer.from(events.filter((e) => !stripUsageChunk(e)).map(encodeSseEvent).join(''), 'utf8');
        const seen = runTap(() => new OpenAIChatStreamTap(), relayed, CHUNKINGS[0]!);
        assert.equal(seen.usage, undefined, 'no usage left in the client stream');
        assert.equal(seen.outputText, f.expected.outputText);
      });
    }
  }
});

describe('openai usage parsers: edge cases', () => {
  it('never throws and returns undefined without usage', () => {
    for (const body of [undefined, null, 42, 'x', [], {}, { usage: null }, { usage: 'n/a' }, { usage: {} }, { usage: { prompt_tokens: 'x' } }]) {
      for (const parse of Object.values(PARSERS)) assert.equal(parse(body), undefined, JSON.stringify(body));
    }
  });

  it('clamps subsets to totals and drops negative or fractional noise', () => {
    const usage = usageFromChatCompletion({
      usage: {
        prompt_tokens: 100.7,
        completion_tokens: 10,
        prompt_tokens_details: { cached_tokens: 150, cache_write_tokens: 20 },
        completion_tokens_details: { reasoning_tokens: -3 },
      },
    });
    assert.deepEqual(usage, { inputTokens: 100, outputTokens: 10, cachedInputTokens: 100 });
  });

  it('reads cache writes (new field) as a subset of prompt tokens', () => {
    const usage = usageFromChatCompletion({
      usage: { prompt_tokens: 5000, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 3000 } },
    });
    assert.deepEqual(usage, { inputTokens: 5000, outputTokens: 1, cachedInputTokens: 1000, cacheWriteTokens: 3000 });
    const responses = usageFromResponsesObject({
      usage: { input_tokens: 10, output_tokens: 2, input_tokens_details: { cache_write_tokens: 4 } },
    });
    assert.deepEqual(responses, { inputTokens: 10, outputTokens: 2, cacheWriteTokens: 4 });
  });

  it('transcription: fractional seconds round up; verbose_json duration is used without usage', () => {
    assert.deepEqual(usageFromTranscription({ text: 'hi', usage: { type: 'duration', seconds: 36.2 } }), {
      inputTokens: 0,
      outputTokens: 0,
      units: { audio_second: 37 },
    });
    assert.deepEqual(usageFromTranscription({ task: 'transcribe', language: 'english', duration: 8.47, text: 'hi' }), {
      inputTokens: 0,
      outputTokens: 0,
      units: { audio_second: 9 },
    });
    assert.equal(usageFromTranscription({ text: 'plain json without usage' }), undefined);
  });

  it('images: the streamed completed event carries the same usage', () => {
    const event = {
      type: 'image_generation.completed',
      b64_json: 'iVBOR',
      usage: { input_tokens: 12, input_tokens_details: { text_tokens: 12, image_tokens: 0 }, output_tokens: 272, total_tokens: 284 },
    };
    assert.deepEqual(usageFromImages(event), { inputTokens: 12, outputTokens: 272 });
  });

  it('the buffered JSON tap gives up beyond its bound and on invalid JSON', () => {
    const big = openAIJsonTap('chat', 10);
    big.push(Buffer.from('{"usage":{"prompt_tokens":1,"completion_tokens":1}}'));
    assert.deepEqual(big.end(), { complete: false, outputText: '' });
    const broken = openAIJsonTap('chat');
    broken.push(Buffer.from('{"usage":{"prompt_tokens":1,'));
    assert.deepEqual(broken.end(), { complete: false, outputText: '' });
  });

  it('chat stream tap: the last usage wins, [DONE] without usage is complete, garbage is ignored', () => {
    const tap = new OpenAIChatStreamTap();
    tap.push(Buffer.from(': keep-alive\n\ndata: not json\n\n'));
    tap.push(Buffer.from('data: {"model":"m","choices":[{"index":0,"delta":{"content":"a"}}],"usage":{"prompt_tokens":5,"completion_tokens":1}}\n\n'));
    tap.push(Buffer.from('data: {"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}}\n\n'));
    assert.deepEqual(tap.end(), { complete: true, outputText: 'a', model: 'm', usage: { inputTokens: 5, outputTokens: 7 } });
    const noUsage = new OpenAIChatStreamTap();
    noUsage.push(Buffer.from('data: {"model":"m","choices":[{"index":0,"text":"legacy"}]}\n\ndata: [DONE]\n\n'));
    assert.deepEqual(noUsage.end(), { complete: true, outputText: 'legacy', model: 'm' });
  });

  it('chat stream tap: reasoning_content of OpenAI-compatible hosts counts as delivered text', () => {
    const tap = new OpenAIChatStreamTap();
    tap.push(Buffer.from('data: {"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"reasoning_content":"Think. ","content":null}}]}\n\n'));
    tap.push(Buffer.from('data: {"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":"Answer."}}]}\n\n'));
    assert.equal(tap.end().outputText, 'Think. Answer.');
  });

  it('responses stream tap: an error event without a terminal event is not complete', () => {
    const tap = new OpenAIResponsesStreamTap();
    tap.push(Buffer.from('event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Hi"}\n\n'));
    tap.push(Buffer.from('event: error\ndata: {"type":"error","code":"server_error","message":"boom","param":null}\n\n'));
    assert.deepEqual(tap.end(), { complete: false, outputText: 'Hi' });
  });
});
