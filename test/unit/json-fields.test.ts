import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readTopLevelFields } from '../../src/lib/json-fields.js';

const WANTED = ['model', 'stream'] as const;
const read = (text: string | Buffer, wanted: readonly string[] = WANTED) =>
  readTopLevelFields(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, wanted);

describe('readTopLevelFields', () => {
  it('finds top-level model and stream', () => {
    assert.deepEqual(read('{"model":"gpt-4o","stream":true,"messages":[]}'), { model: 'gpt-4o', stream: true });
    assert.deepEqual(read('{"messages":[],"stream":false,"model":"claude-3"}'), { model: 'claude-3', stream: false });
    assert.deepEqual(read('{"model":"gpt-4o"}'), { model: 'gpt-4o' });
    assert.deepEqual(read('{"stream":true}'), { stream: true });
    assert.deepEqual(read('{}'), {});
    assert.deepEqual(read('{"temperature":0.5,"n":-1.5e3,"model":"m"}'), { model: 'm' });
  });

  it('returns only wanted fields, with their JSON values', () => {
    const body = '{"model":"x","stream":null,"max_tokens":100,"metadata":{"a":[1,2]}}';
    assert.deepEqual(read(body, ['max_tokens', 'metadata']), { max_tokens: 100, metadata: { a: [1, 2] } });
    assert.deepEqual(read(body, ['stream']), { stream: null });
    assert.deepEqual(read(body, []), {});
  });

  it('ignores "model" keys nested inside messages and other objects', () => {
    const body = JSON.stringify({
      messages: [{ role: 'user', content: 'hi', model: 'nested-1' }, { role: 'assistant', model: 'nested-2', content: [{ model: 'deep' }] }],
      metadata: { model: 'nested-3', stream: true },
      tools: [{ function: { name: 'model', parameters: { model: { type: 'string' } } } }],
      model: 'the-real-one',
    });
    assert.deepEqual(read(body), { model: 'the-real-one' });
  });

  it('is not fooled by braces, brackets and key-like text inside strings', () => {
    const body = '{"messages":[{"role":"user","content":"]}}, \\"model\\": \\"evil\\", {[["}],"model":"good","stream":true}';
    assert.deepEqual(read(body), { model: 'good', stream: true });
    assert.equal(JSON.parse(body).model, 'good');
  });

  it('handles escaped quotes and backslashes in strings', () => {
    const cases: Record<string, unknown>[] = [
      { prompt: 'say "hi"', model: 'a' },
      { prompt: 'ends with a backslash \\', model: 'b' },
      { prompt: 'two backslashes \\\\', model: 'c', stream: true },
      { prompt: '\\"quoted\\"\\', model: 'd' },
      { model: 'with \\ "quotes" and \\\\ slashes', stream: false },
      { 'key "with" quotes\\': 1, model: 'e' },
    ];
    for (const value of cases) {
      const text = JSON.stringify(value);
      const expected: Record<string, unknown> = {};
      for (const k of WANTED) if (k in value) expected[k] = value[k];
      assert.deepEqual(read(text), expected, text);
    }
  });

  it('decodes escapes in keys and values the way JSON.parse does', () => {
    assert.deepEqual(read('{"mod\\u0065l":"gpt-\\u00e9\\n"}'), { model: 'gpt-é\n' });
    assert.deepEqual(read('{"model":"модель-😀"}'), { model: 'модель-😀' });
  });

  it('tolerates whitespace everywhere JSON allows it', () => {
    const body = ' \n\t{ \r\n "messages" : [ { "model" : "no" } ] ,\n\t"model"\t:\t"gpt-4o" , "stream" :\ntrue \n}\n ';
    assert.deepEqual(read(body), { model: 'gpt-4o', stream: true });
    assert.deepEqual(read(JSON.stringify({ messages: [{ model: 'no' }], model: 'm', stream: true }, null, 2)), { model: 'm', stream: true });
  });

  it('returns {} for bodies that are not JSON objects', () => {
    for (const text of ['', '   ', '[]', '[{"model":"x"}]', '"model"', 'null', '42', 'true', 'model=gpt-4o', '<xml/>', '\uFEFF{"model":"x"}']) {
      assert.deepEqual(read(text), {}, JSON.stringify(text));
    }
    assert.deepEqual(read(Buffer.from([0xff, 0x00, 0x7b])), {});
  });

  it('returns what it found before truncated or malformed JSON, or {}', () => {
    assert.deepEqual(read('{"model":"gpt-4o","stream":tr'), { model: 'gpt-4o' });
    assert.deepEqual(read('{"model":"gpt-4o","messages":[{"role":"user","content":"hel'), { model: 'gpt-4o' });
    assert.deepEqual(read('{"model":"gpt-4o","messages":[{'), { model: 'gpt-4o' });
    assert.deepEqual(read('{"model":"gpt-4o", "stream"'), { model: 'gpt-4o' });
    assert.deepEqual(read('{"model":"gpt'), {});
    assert.deepEqual(read('{"model":'), {});
    assert.deepEqual(read('{"mod'), {});
    assert.deepEqual(read('{'), {});
    assert.deepEqual(read('{"messages":[1,2'), {});
    assert.deepEqual(read('{model:"x"}'), {}, 'unquoted keys are not JSON');
    assert.deepEqual(read('{"model" "x"}'), {}, 'missing colon');
    assert.deepEqual(read('{"model":,"stream":true}'), {}, 'missing value');
  });

  // Known bug (reported): the scanner keeps the FIRST duplicate key, while JSON.parse and the upstreams keep
  // the LAST, so a body can be billed/authorised for one model and served by another.
  it('resolves a duplicated top-level key the way JSON.parse does', () => {
    const body = '{"model":"gpt-4o-mini","messages":[],"model":"gpt-4o"}';
    assert.deepEqual(read(body), { model: JSON.parse(body).model });
  });

  it('scans a 20 MB body with a huge base64 string quickly', () => {
    const base64 = Buffer.alloc(15 * 1024 * 1024, 7).toString('base64'); // 20 MB of base64 text
    const body = Buffer.from(
      '{"messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},' +
        `{"type":"image_url","image_url":{"url":"data:image/png;base64,${base64}"}}]}],` +
        '"model":"gpt-4o","stream":true}',
    );
    assert.ok(body.length >= 20 * 1024 * 1024);
    read(Buffer.from('{"messages":["warm up"],"model":"x"}'));

    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = process.hrtime.bigint();
      const fields = read(body);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
      assert.deepEqual(fields, { model: 'gpt-4o', stream: true });
    }
    assert.ok(best < 50, `scanning 20 MB took ${best.toFixed(1)} ms`);

    // The same body with the wanted fields first stops early.
    const first = Buffer.from(`{"model":"gpt-4o","stream":false,"input":"${base64}"}`);
    assert.deepEqual(read(first), { model: 'gpt-4o', stream: false });
  });
});
