import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GEMINI_REQUEST_OVERHEAD_TOKENS, estimateGeminiRequest } from '../../../src/dialects/gemini/request-estimate.js';
import { GEMINI_MEDIA, REFERENCED_CONTENT_TOKENS, approximateTokens } from '../../../src/lib/token-count.js';
import { CHINESE, ENGLISH, JPEG_MAGIC, MP3_MAGIC, MP4_MAGIC, PDF_MAGIC, PNG_MAGIC, RUSSIAN, base64Payload, json } from './samples.js';

const GENERATE = '/v1beta/models/gemini-2.5-flash:generateContent';
const decoded = (b64: string) => Math.floor((b64.length * 3) / 4);

describe('estimateGeminiRequest', () => {
  it('inline image and generationConfig: image by allowance, maxOutputTokens and candidateCount', () => {
    const png = base64Payload(PNG_MAGIC, 600_000);
    const body = {
      systemInstruction: { parts: [{ text: 'You are a careful art critic.' }] },
      contents: [
        { role: 'user', parts: [{ text: ENGLISH }, { inline_data: { mime_type: 'image/png', data: png } }] },
        { role: 'model', parts: [{ text: RUSSIAN }] },
        { role: 'user', parts: [{ text: CHINESE }] },
      ],
      generationConfig: { temperature: 0.2, maxOutputTokens: 2048, candidateCount: 2, thinkingConfig: { thinkingBudget: 8192 } },
    };
    const est = estimateGeminiRequest(GENERATE, json(body))!;
    const text = approximateTokens(Buffer.byteLength(ENGLISH)) + approximateTokens(Buffer.byteLength(RUSSIAN)) + approximateTokens(Buffer.byteLength(CHINESE));
    assert.ok(est.inputTokens >= text + GEMINI_MEDIA.image + GEMINI_REQUEST_OVERHEAD_TOKENS, `${est.inputTokens}`);
    assert.ok(est.inputTokens < text + GEMINI_MEDIA.image + 150, `${est.inputTokens}: the image counted as text?`);
    // maxOutputTokens caps thoughts and answer together: the thinking budget is not added
    assert.deepEqual({ max: est.maxOutputTokens, choices: est.choices }, { max: 2048, choices: 2 });
  });

  it('accepts snake_case config, streaming and v1 paths, and a query string', () => {
    const body = json({ contents: [{ parts: [{ text: 'Hello' }] }], generation_config: { max_output_tokens: 100, candidate_count: 3 } });
    for (const path of [
      '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
      '/v1/models/gemini-2.0-flash:generateContent',
      '/v1beta/tunedModels/my-model:generateContent',
      '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent',
    ]) {
      const est = estimateGeminiRequest(path, body);
      assert.deepEqual(est && { max: est.maxOutputTokens, choices: est.choices }, { max: 100, choices: 3 }, path);
    }
    const noConfig = estimateGeminiRequest(GENERATE, json({ contents: [{ parts: [{ text: 'Hi' }] }], maxOutputTokens: 5, generationConfig: { thinkingConfig: { maxOutputTokens: 7 } } }))!;
    assert.deepEqual({ max: noConfig.maxOutputTokens, choices: noConfig.choices }, { max: undefined, choices: 1 }, 'only generationConfig.maxOutputTokens counts');
  });

  it('audio, video and PDF inline data by bytes; file_data by MIME type; cached content by allowance', () => {
    const mp3 = base64Payload(MP3_MAGIC, 240_000); // one minute at 32 kbps
    const mp4 = base64Payload(MP4_MAGIC, 800_000);
    const pdf = base64Payload(PDF_MAGIC, 50_000);
    const est = estimateGeminiRequest(GENERATE, json({
      cachedContent: 'cachedContents/abc123',
      contents: [{
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'audio/mp3', data: mp3 } },
          { inlineData: { mimeType: 'video/mp4', data: mp4 } },
          { inline_data: { mime_type: 'application/pdf', data: pdf } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/img' } },
          { file_data: { mime_type: 'video/mp4', file_uri: 'https://generativelanguage.googleapis.com/v1beta/files/vid' } },
          { text: 'Transcribe and summarise.' },
        ],
      }],
    }))!;
    const audio = Math.ceil(decoded(mp3) * GEMINI_MEDIA.audioPerByte);
    assert.ok(audio >= 60 * 32, 'a minute of audio is at least 1,920 tokens');
    const media = audio + Math.ceil(decoded(mp4) * GEMINI_MEDIA.videoPerByte) + Math.ceil(decoded(pdf) * GEMINI_MEDIA.pdfPerByte);
    const floor = media + GEMINI_MEDIA.image + 2 * REFERENCED_CONTENT_TOKENS + GEMINI_REQUEST_OVERHEAD_TOKENS;
    assert.ok(est.inputTokens >= floor && est.inputTokens < floor + 200, `${est.inputTokens} vs ${floor}`);
  });

  it('a 5 MB image is one allowance; a tiny inline image gets one too; thought signatures are not text', () => {
    const huge = base64Payload(JPEG_MAGIC, 3_750_000);
    const tiny = base64Payload(PNG_MAGIC, 300);
    const est = estimateGeminiRequest(GENERATE, json({
      contents: [
        { role: 'user', parts: [{ inline_data: { mime_type: 'image/jpeg', data: huge } }, { inline_data: { mime_type: 'image/png', data: tiny } }, { text: 'Compare.' }] },
        { role: 'model', parts: [{ text: 'They differ.', thoughtSignature: base64Payload([9, 9, 9], 3000) }] },
      ],
    }))!;
    assert.ok(est.inputTokens >= 2 * GEMINI_MEDIA.image, `${est.inputTokens}`);
    assert.ok(est.inputTokens < 2 * GEMINI_MEDIA.image + tiny.length / 2 + 100, `${est.inputTokens}`);
  });

  it('embeddings have no output; other methods are not estimated', () => {
    const embed = estimateGeminiRequest('/v1beta/models/text-embedding-004:embedContent', json({ content: { parts: [{ text: ENGLISH }] } }))!;
    assert.ok(embed.inputTokens >= approximateTokens(Buffer.byteLength(ENGLISH)));
    assert.deepEqual({ max: embed.maxOutputTokens, choices: embed.choices }, { max: 0, choices: 1 });
    const batch = estimateGeminiRequest('/v1beta/models/gemini-embedding-001:batchEmbedContents', json({
      requests: [RUSSIAN, CHINESE].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] } })),
    }))!;
    assert.ok(batch.inputTokens >= approximateTokens(Buffer.byteLength(RUSSIAN)) + approximateTokens(Buffer.byteLength(CHINESE)));
    assert.equal(batch.maxOutputTokens, 0);
    const body = json({ contents: [{ parts: [{ text: 'hi' }] }] });
    for (const path of ['/v1beta/models/gemini-2.5-flash:countTokens', '/v1beta/models/imagen-4:predict', '/v1beta/models', '/v1beta/models/gemini-2.5-flash']) {
      assert.equal(estimateGeminiRequest(path, body), undefined, path);
    }
  });

  it('malformed or truncated bodies never throw', () => {
    const body = json({ contents: [{ parts: [{ text: 'x' }, { inline_data: { mime_type: 'image/png', data: base64Payload(PNG_MAGIC, 3000) } }] }], generationConfig: { maxOutputTokens: 9 } });
    for (let cut = 0; cut <= body.length; cut += 53) {
      const est = estimateGeminiRequest(GENERATE, body.subarray(0, cut));
      assert.ok(est && Number.isInteger(est.inputTokens) && est.inputTokens >= GEMINI_REQUEST_OVERHEAD_TOKENS, `cut at ${cut}`);
    }
    for (const text of ['', '}', '{"generationConfig":{"maxOutputTokens":"x","candidateCount":0}}', '\u00ff']) {
      const est = estimateGeminiRequest(GENERATE, Buffer.from(text));
      assert.ok(est && est.maxOutputTokens === undefined && est.choices === 1, text);
    }
  });
});
