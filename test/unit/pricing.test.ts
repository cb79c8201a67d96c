import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decimalOf, formatDecimal } from '../../src/core/decimal.js';
import { costUsd, pricesFor, usdToMicroRubles, type PricedModel } from '../../src/core/pricing.js';

const gpt4o: PricedModel = { prices: { inputPerMtok: '2.50', cachedInputPerMtok: '1.25', outputPerMtok: '10.00' } };
const sonnet: PricedModel = {
  prices: { inputPerMtok: '3', cachedInputPerMtok: '0.30', cacheWritePerMtok: '3.75', outputPerMtok: '15' },
  tiers: [{ aboveInputTokens: 200_000, inputPerMtok: '6', cachedInputPerMtok: '0.60', cacheWritePerMtok: '7.50', outputPerMtok: '22.50' }],
};

function usd(result: ReturnType<typeof costUsd>): string {
  assert.ok(result.ok, result.ok ? '' : result.missing);
  return formatDecimal(result.usd);
}

describe('costUsd', () => {
  test('cached input is priced once, at its own rate', () => {
    // 1000 input of which 400 cached; 200 output: 600×2.5 + 400×1.25 + 200×10 = 4000 µUSD
    assert.equal(usd(costUsd({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 200 }, gpt4o)), '0.004');
  });

  test('reasoning tokens are inside output and not added again', () => {
    const withReasoning = costUsd({ inputTokens: 10, outputTokens: 500, reasoningTokens: 450 }, gpt4o);
    const without = costUsd({ inputTokens: 10, outputTokens: 500 }, gpt4o);
    assert.equal(usd(withReasoning), usd(without));
  });

  test('cache writes at the write price, reads at the read price (Anthropic)', () => {
    // input 10000 = 2000 uncached + 5000 read + 3000 written
    const result = costUsd({ inputTokens: 10_000, cachedInputTokens: 5000, cacheWriteTokens: 3000, outputTokens: 1000 }, sonnet);
    // 2000×3 + 5000×0.3 + 3000×3.75 + 1000×15 = 6000 + 1500 + 11250 + 15000 = 33750 µUSD
    assert.equal(usd(result), '0.03375');
    assert.ok(result.ok);
    assert.deepEqual(result.lines.map((l) => [l.item, l.quantity]), [['input', 2000], ['cached_input', 5000], ['cache_write', 3000], ['output', 1000]]);
  });

  test('long-context tier applies only above its threshold', () => {
    assert.equal(pricesFor(sonnet, 200_000).inputPerMtok, '3');
    assert.equal(pricesFor(sonnet, 200_001).inputPerMtok, '6');
    assert.equal(usd(costUsd({ inputTokens: 250_000, outputTokens: 0 }, sonnet)), '1.5');
  });

  test('a quantity without a price is refused, never billed 0', () => {
    const result = costUsd({ inputTokens: 10, outputTokens: 10 }, { prices: { inputPerMtok: '1' } });
    assert.deepEqual(result, { ok: false, missing: 'output price' });
    const image = costUsd({ inputTokens: 0, outputTokens: 0, units: { image: 2 } }, { prices: { perImage: { '1024x1024/standard': '0.04' } } }, { imageVariant: '1792x1024/hd' });
    assert.equal(image.ok, false);
  });

  test('units: images by variant, characters, audio seconds, requests', () => {
    const dalle: PricedModel = { prices: { perImage: { '1024x1024/standard': '0.040', '1024x1024/hd': '0.080' } } };
    assert.equal(usd(costUsd({ inputTokens: 0, outputTokens: 0, units: { image: 3 } }, dalle, { imageVariant: '1024x1024/hd' })), '0.24');
    assert.equal(usd(costUsd({ inputTokens: 0, outputTokens: 0, units: { character: 1234 } }, { prices: { perMillionCharacters: '15.00' } })), '0.01851');
    // 90 s at $0.006/min = $0.009
    const stt = costUsd({ inputTokens: 0, outputTokens: 0, units: { audio_second: 90 } }, { prices: { perMinute: '0.006' } });
    assert.equal(usdToMicroRubles(stt.ok ? stt.usd : decimalOf('1'), decimalOf('100'), decimalOf('1')), 900_000);
  });
});

describe('usdToMicroRubles', () => {
  test('exact conversion, rounded up once to a micro-ruble', () => {
    assert.equal(usdToMicroRubles(decimalOf('0.0045'), decimalOf('92.5'), decimalOf('1')), 416_250);
    assert.equal(usdToMicroRubles(decimalOf('0.000000001'), decimalOf('90'), decimalOf('1')), 1);
    assert.equal(usdToMicroRubles(decimalOf('0'), decimalOf('90'), decimalOf('1.5')), 0);
    assert.equal(usdToMicroRubles(decimalOf('1'), decimalOf('80.123456'), decimalOf('1.2')), 96_148_148);
  });

  test('no float drift: a million tiny charges sum to the exact total', () => {
    const one = usdToMicroRubles(decimalOf('0.000003'), decimalOf('100'), decimalOf('1'));
    assert.equal(one, 300);
    assert.equal(one * 1_000_000, 300_000_000);
  });
});

describe('Anthropic cache lifetimes', () => {
  const opus: PricedModel = { prices: { inputPerMtok: '5', cachedInputPerMtok: '0.50', cacheWritePerMtok: '6.25', cacheWrite1hPerMtok: '10', outputPerMtok: '25' } };

  test('1-hour writes at their own price, 5-minute writes at theirs', () => {
    // 3000 writes of which 2000 for 1h: 1000×6.25 + 2000×10 = 26250 µUSD; no other tokens
    const result = costUsd({ inputTokens: 3000, cacheWriteTokens: 3000, cacheWrite1hTokens: 2000, outputTokens: 0 }, opus);
    assert.equal(usd(result), '0.02625');
  });

  test('a 1-hour write with no 1-hour price is refused, never billed as a cheaper 5-minute write', () => {
    const result = costUsd({ inputTokens: 100, cacheWriteTokens: 100, cacheWrite1hTokens: 100, outputTokens: 0 }, { prices: { inputPerMtok: '3', cacheWritePerMtok: '3.75', outputPerMtok: '15' } });
    assert.deepEqual(result, { ok: false, missing: 'cache_write_1h price' });
  });
});

describe('costUsd: audio and image tokens', () => {
  const audioChat: PricedModel = {
    prices: { inputPerMtok: '2.5', outputPerMtok: '10', audioInputPerMtok: '32', cachedInputPerMtok: '1.25', cachedAudioInputPerMtok: '0.4', audioOutputPerMtok: '64' },
  };

  test('audio parts of input and output are priced at their own rates, the text rest at the text rates', () => {
    // input 120 = 20 text + 100 audio; output 260 = 10 text + 250 audio:
    // 20×2.5 + 100×32 + 10×10 + 250×64 = 50 + 3200 + 100 + 16000 = 19350 µUSD
    const result = costUsd({ inputTokens: 120, outputTokens: 260, audioInputTokens: 100, audioOutputTokens: 250 }, audioChat);
    assert.equal(usd(result), '0.01935');
    assert.ok(result.ok);
    assert.deepEqual(result.lines.map((l) => [l.item, l.quantity]), [['input', 20], ['audio_input', 100], ['output', 10], ['audio_output', 250]]);
  });

  test('cached audio at the cached audio rate, inside both the cached and the audio counts', () => {
    // input 1000: 600 cached of which 400 audio; audio 500 of which 400 cached → uncached: 300 text + 100 audio
    // 300×2.5 + 200×1.25 + 100×32 + 400×0.4 = 750 + 250 + 3200 + 160 = 4360 µUSD
    const usage = { inputTokens: 1000, cachedInputTokens: 600, audioInputTokens: 500, cachedAudioInputTokens: 400, outputTokens: 0 };
    assert.equal(usd(costUsd(usage, audioChat)), '0.00436');
  });

  test('gpt-4o-mini-tts: text input tokens + audio output tokens, never 0', () => {
    const tts: PricedModel = { prices: { inputPerMtok: '0.6', audioOutputPerMtok: '12' } };
    // 10×0.6 + 1000×12 = 12006 µUSD
    assert.equal(usd(costUsd({ inputTokens: 10, outputTokens: 1000, audioOutputTokens: 1000 }, tts)), '0.012006');
    assert.deepEqual(costUsd({ inputTokens: 10, outputTokens: 5 }, tts), { ok: false, missing: 'output price' });
  });

  test('image input tokens at the image rate (gpt-image-1); a model without one bills them as text', () => {
    const image: PricedModel = { prices: { inputPerMtok: '5', imageInputPerMtok: '10', outputPerMtok: '40' } };
    // 50 text×5 + 200 image×10 + 100×40 = 250 + 2000 + 4000 = 6250 µUSD
    assert.equal(usd(costUsd({ inputTokens: 250, imageInputTokens: 200, outputTokens: 100 }, image)), '0.00625');
    assert.equal(usd(costUsd({ inputTokens: 250, imageInputTokens: 200, outputTokens: 100 }, gpt4o)), usd(costUsd({ inputTokens: 250, outputTokens: 100 }, gpt4o)));
  });

  test('a part larger than its total is clamped to it', () => {
    assert.equal(usd(costUsd({ inputTokens: 10, audioInputTokens: 50, outputTokens: 0 }, audioChat)), usd(costUsd({ inputTokens: 10, audioInputTokens: 10, outputTokens: 0 }, audioChat)));
  });
});
