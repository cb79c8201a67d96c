import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import bundledO200kRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import {
  ANTHROPIC_MEDIA,
  GEMINI_MEDIA,
  OPENAI_MEDIA,
  TOKENIZE_BUDGET_BYTES,
  TOKENIZE_MAX_BYTES,
  TextTally,
  approximateTokens,
  blobTokens,
  countOpenAITokens,
  loadTokenizer,
  readO200kRanks,
  tokenizerLoaded,
  tokenizerStats,
} from '../../../src/lib/token-count.js';
import { CHINESE, CODE, ENGLISH, RUSSIAN } from './samples.js';

const exact = (text: string) => countTokens(text, { disallowedSpecial: new Set() });
const bytes = (text: string) => Buffer.byteLength(text);

// Tests run in order within this file: the first ones see the tokenizer not yet loaded.
describe('token-count', () => {
  it('does not load gpt-tokenizer on import; the first count asks for it and is approximated meanwhile', async () => {
    assert.equal(tokenizerLoaded(), false);
    assert.equal(countOpenAITokens(ENGLISH.slice(0, 500)), approximateTokens(bytes(ENGLISH.slice(0, 500))));
    assert.equal(tokenizerStats().calls, 0);
    assert.equal(tokenizerLoaded(), false);
    const deadline = Date.now() + 10_000; // the load the count started takes ~0.3 s
    while (!tokenizerLoaded() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(tokenizerLoaded(), true);
  });

  it('loads once', async () => {
    const a = loadTokenizer();
    assert.equal(loadTokenizer(), a);
    await a;
    assert.equal(tokenizerLoaded(), true);
  });

  it("reads o200k's ranks from the .tiktoken file exactly as gpt-tokenizer bundles them", async () => {
    const ranks = await readO200kRanks();
    const bundled = bundledO200kRanks as readonly (string | readonly number[])[];
    assert.equal(ranks.length, bundled.length);
    let strings = 0;
    for (let i = 0; i < bundled.length; i++) {
      const want = bundled[i];
      const got = ranks[i];
      if (typeof want === 'string') strings++;
      // deepEqual on 200k entries is slow; compare directly and only describe a mismatch
      const same = typeof want === 'string' ? got === want : Array.isArray(got) && got.length === want!.length && got.every((b, j) => b === want![j]);
      if (!same) assert.fail(`rank ${i}: ${JSON.stringify(got)} instead of ${JSON.stringify(want)}`);
    }
    assert.ok(strings > 190_000 && strings < bundled.length, `${strings} string tokens`); // the rest are byte arrays
  });

  it('approximateTokens bounds the real o200k count of natural text in four scripts, and stays within a small factor of it', () => {
    for (const [name, text] of Object.entries({ ENGLISH, RUSSIAN, CHINESE, CODE })) {
      for (const sample of [text, text.slice(0, 97), text.repeat(20)]) {
        const real = exact(sample);
        const approx = approximateTokens(bytes(sample));
        assert.ok(approx >= real, `${name} (${bytes(sample)} B): approx ${approx} < real ${real}`);
      }
      // o200k packs Russian prose at ~8 bytes a token, English at ~5.6: the bound is loosest there
      assert.ok(approximateTokens(bytes(text)) <= 4.5 * exact(text), `${name}: approximation more than 4.5× the real count`);
    }
    assert.equal(approximateTokens(0), 0);
    assert.equal(approximateTokens(1), 1);
    assert.equal(approximateTokens(7), 4);
  });

  it('countOpenAITokens is exact for small texts and approximates large or pathological ones', () => {
    const small = `${ENGLISH.slice(0, 600)} <|endoftext|> <|im_start|>`; // special-token text is plain text
    assert.equal(countOpenAITokens(small), exact(small));
    assert.equal(countOpenAITokens(RUSSIAN.slice(0, 300)), exact(RUSSIAN.slice(0, 300)));

    const before = tokenizerStats();
    const large = ENGLISH.repeat(Math.ceil((TOKENIZE_MAX_BYTES + 1) / ENGLISH.length));
    assert.equal(countOpenAITokens(large), approximateTokens(bytes(large)));
    const oneLongWord = 'x'.repeat(500); // one BPE piece: quadratic in the tokenizer
    assert.equal(countOpenAITokens(oneLongWord), approximateTokens(500));
    const unbrokenChinese = '我们'.repeat(100);
    assert.equal(countOpenAITokens(unbrokenChinese), approximateTokens(bytes(unbrokenChinese)));
    assert.deepEqual(tokenizerStats(), before, 'the tokenizer was not called');
  });

  it('TextTally tokenizes mid-sized strings within its budget and approximates the rest', () => {
    const messages = Array.from({ length: 40 }, (_, i) => `${i}: ${ENGLISH.slice(0, 700)}`);
    const body = Buffer.from(JSON.stringify(messages));
    const tally = new TextTally(body);
    let at = 0;
    for (const m of messages) {
      const start = body.indexOf('"', at) + 1;
      const end = start + bytes(JSON.stringify(m)) - 2;
      tally.add(start, end, bytes(m), false);
      at = end + 1;
    }
    tally.add(0, 0, 3, false); // a short string: approximated, not tokenized
    const approx = messages.reduce((sum, m) => sum + approximateTokens(bytes(m)), 0) + 2;
    assert.equal(tally.approximate, approx);
    assert.equal(tally.total(false), approx);

    const before = tokenizerStats();
    const total = tally.total(true, 1_000); // a generous time budget: the byte budget decides
    const after = tokenizerStats();
    const tokenized = after.bytes - before.bytes;
    assert.ok(tokenized > 0 && tokenized <= TOKENIZE_BUDGET_BYTES, `tokenized ${tokenized} B`);
    const real = messages.reduce((sum, m) => sum + exact(m), 0);
    assert.ok(total < approx, 'tokenizing lowered the estimate');
    assert.ok(total >= real, `total ${total} below the real ${real}`);

    const none = tally.total(true, -1); // no time left: nothing tokenized
    assert.equal(none, approx);
  });

  it('TextTally leaves strings with a long unbroken run to the approximation, escaped or not', () => {
    const strings = ['y'.repeat(400), '\u0436'.repeat(200), '你'.repeat(150), `ok ${'z'.repeat(60)} fine`];
    const body = Buffer.from(JSON.stringify(strings));
    const asciiEscaped = Buffer.from(JSON.stringify(strings).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    for (const buf of [body, asciiEscaped]) {
      const tally = new TextTally(buf);
      let at = 0;
      for (const s of strings) {
        const start = buf.indexOf('"', at) + 1;
        const end = buf.indexOf('"', start);
        tally.add(start, end, Buffer.byteLength(s), buf.subarray(start, end).includes(0x5c));
        at = end + 1;
      }
      const before = tokenizerStats();
      const total = tally.total(true, 1_000);
      const after = tokenizerStats();
      assert.equal(after.calls - before.calls, 1, 'only the string without a long run was tokenized');
      assert.equal(total, tally.approximate - approximateTokens(Buffer.byteLength(strings[3]!)) + exact(strings[3]!));
    }
  });

  it('blobs are priced by allowance, never by their size as text', () => {
    assert.equal(blobTokens(OPENAI_MEDIA, 'image', 5_000_000), OPENAI_MEDIA.image);
    assert.equal(blobTokens(ANTHROPIC_MEDIA, 'image', 5_000_000), ANTHROPIC_MEDIA.image);
    assert.equal(blobTokens(GEMINI_MEDIA, 'image', 5_000_000), 16 * 258);
    // one minute of 8 kbps audio (60 KB): Gemini bills 32 tokens a second
    assert.ok(blobTokens(GEMINI_MEDIA, 'audio', 60_000) >= 32 * 60);
    // OpenAI audio input: 10 tokens a second
    assert.ok(blobTokens(OPENAI_MEDIA, 'audio', 60_000) >= 10 * 60);
    // a 10-page text PDF of 20 KB: ≤ 3,000 text + 1,600 image tokens a page on Claude
    assert.ok(blobTokens(ANTHROPIC_MEDIA, 'pdf', 20_000) >= 10 * (3_000 + 1_600));
    // unknown media: the largest of the kinds
    assert.equal(blobTokens(GEMINI_MEDIA, 'unknown', 10), GEMINI_MEDIA.image);
    assert.equal(blobTokens(GEMINI_MEDIA, 'unknown', 1_000_000), Math.ceil(1_000_000 * GEMINI_MEDIA.pdfPerByte));
  });
});
