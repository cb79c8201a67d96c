import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stripUsageChunk, withIncludeUsage } from '../../../src/dialects/openai/usage-tap.js';

const run = (text: string): { body: string; added: boolean } => {
  const out = withIncludeUsage(Buffer.from(text, 'utf8'));
  return { body: out.body.toString('utf8'), added: out.added };
};

describe('withIncludeUsage', () => {
  it('adds stream_options when a streaming request has none, keeping the rest byte-for-byte', () => {
    const text = '{"model":"gpt-4o","seed":12345678901234567890,"temperature":1.0,"stream":true,"messages":[{"role":"user","content":"h\\u00e9"}]}';
    const out = run(text);
    assert.equal(out.added, true);
    assert.equal(out.body, `{"stream_options":{"include_usage":true},${text.slice(1)}`);
    assert.deepEqual(JSON.parse(out.body).stream_options, { include_usage: true });
  });

  it('keeps leading whitespace and pretty-printing', () => {
    const text = '\n  {\n  "stream": true,\n  "model": "m"\n}\n';
    const out = run(text);
    assert.equal(out.body, '\n  {"stream_options":{"include_usage":true},\n  "stream": true,\n  "model": "m"\n}\n');
  });

  it('leaves a request that already asked for usage alone', () => {
    const text = '{"model":"m","stream":true,"stream_options":{"include_usage":true}}';
    assert.deepEqual(run(text), { body: text, added: false });
  });

  it('turns an explicit include_usage:false into true and reports added (the chunk must be stripped)', () => {
    const text = '{"model":"m","stream_options": {"include_usage": false, "include_obfuscation": false} ,"stream":true}';
    const out = run(text);
    assert.equal(out.added, true);
    assert.equal(out.body, '{"model":"m","stream_options": {"include_usage":true,"include_obfuscation":false} ,"stream":true}');
  });

  it('fills stream_options without include_usage, and a null stream_options', () => {
    const a = run('{"stream":true,"stream_options":{"include_obfuscation":false}}');
    assert.deepEqual(a, { body: '{"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true}}', added: true });
    const b = run('{"stream_options":null,"stream":true}');
    assert.deepEqual(b, { body: '{"stream_options":{"include_usage":true},"stream":true}', added: true });
  });

  it('edits the last of duplicated stream_options keys (the one that counts)', () => {
    const out = run('{"stream_options":{"include_usage":true},"stream":true,"stream_options":{}}');
    assert.equal(out.body, '{"stream_options":{"include_usage":true},"stream":true,"stream_options":{"include_usage":true}}');
    assert.equal(out.added, true);
  });

  it('is not fooled by stream_options nested in messages or inside strings', () => {
    const text = '{"messages":[{"role":"user","content":"\\"stream_options\\":{}","stream_options":{"x":1}}],"stream":true}';
    const out = run(text);
    assert.equal(out.body, `{"stream_options":{"include_usage":true},${text.slice(1)}`);
  });

  it('never touches non-stream, invalid or oddly typed bodies', () => {
    for (const text of [
      '{"model":"m","messages":[]}',
      '{"model":"m","stream":false}',
      '{"model":"m","stream":"true"}',
      '{"stream":true,',
      'not json',
      '',
      '{"stream":true,"stream_options":"yes"}',
    ]) {
      assert.deepEqual(run(text), { body: text, added: false }, text);
    }
  });
});

describe('stripUsageChunk', () => {
  it('is true only for the choices:[] chunk with a usage object', () => {
    assert.equal(stripUsageChunk({ data: '{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}' }), true);
    assert.equal(stripUsageChunk({ data: '{"id":"c","choices": [ ],"usage":{"prompt_tokens":1}}' }), true);
    assert.equal(stripUsageChunk({ data: '{"id":"c","choices":[{"index":0,"delta":{"content":"[]"}}],"usage":null}' }), false);
    assert.equal(stripUsageChunk({ data: '{"id":"c","choices":[{"index":0,"delta":{}}],"usage":{"prompt_tokens":1}}' }), false);
    assert.equal(stripUsageChunk({ data: '{"id":"c","choices":[],"usage":null}' }), false);
    assert.equal(stripUsageChunk({ data: '[DONE]' }), false);
    assert.equal(stripUsageChunk({ data: '{"choices":[],"usage":' }), false);
  });
});
