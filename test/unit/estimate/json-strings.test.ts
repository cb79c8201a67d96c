import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BLOB_MIN_BYTES, describeBlob, walkJson, type JsonCursor } from '../../../src/lib/json-strings.js';
import { JPEG_MAGIC, MP3_MAGIC, MP4_MAGIC, PDF_MAGIC, PNG_MAGIC, WAV_MAGIC, base64Payload, json } from './samples.js';

interface Seen {
  kind: JsonCursor['kind'];
  text: string;
  utf8Length: number;
  key: string | null;
  parentKey: string | null;
  depth: number;
  blob: boolean;
}

function walk(body: Buffer | string): { seen: Seen[]; complete: boolean } {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const seen: Seen[] = [];
  const range = (s: number, e: number) => (s < 0 ? null : buf.toString('utf8', s, e));
  const result = walkJson(buf, (t) => {
    seen.push({
      kind: t.kind,
      text: t.blob ? '<blob>' : t.text(),
      utf8Length: t.utf8Length,
      key: range(t.keyStart, t.keyEnd),
      parentKey: range(t.parentKeyStart, t.parentKeyEnd),
      depth: t.depth,
      blob: t.blob,
    });
  });
  return { seen, complete: result.complete };
}

describe('walkJson', () => {
  it('visits keys, string values and numbers in order, with the key each value sits under', () => {
    const { seen, complete } = walk(
      json({ model: 'gpt-4o', n: 2, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }], input: [[1, 2]] }),
    );
    assert.equal(complete, true);
    const values = seen.filter((s) => s.kind !== 'key').map((s) => [s.text, s.key, s.parentKey, s.depth]);
    assert.deepEqual(values, [
      ['gpt-4o', 'model', null, 1],
      ['2', 'n', null, 1],
      ['user', 'role', 'messages', 3],
      ['image_url', 'type', 'content', 5],
      ['https://x/y.png', 'url', 'image_url', 6],
      ['1', 'input', 'input', 3],
      ['2', 'input', 'input', 3],
    ]);
    assert.deepEqual(
      seen.filter((s) => s.kind === 'key').map((s) => s.text),
      ['model', 'n', 'messages', 'role', 'content', 'type', 'image_url', 'url', 'input'],
    );
  });

  it("computes each string's decoded UTF-8 length from its escapes, as JSON.parse decodes it", () => {
    const strings = [
      'plain ascii',
      'quote " and backslash \\ and slash /',
      'ends with a backslash \\',
      '\\"',
      'tabs\tand\nnewlines\r\n',
      'é ü ß — Cyrillic: привет, CJK: 你好, emoji: 😀🚀',
      '\u0000\u001f control',
      'lone surrogate \ud800 here',
    ];
    // JSON.stringify escapes quotes and controls; also try the ensure_ascii style (every non-ASCII char as \uXXXX)
    const asciiOnly = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    for (const s of strings) {
      for (const encoded of [JSON.stringify(s), asciiOnly(s), JSON.stringify(s).replaceAll('/', '\\/')]) {
        const { seen, complete } = walk(`{"k":${encoded}}`);
        assert.equal(complete, true, encoded);
        const value = seen[1]!;
        assert.equal(value.text, JSON.parse(encoded), encoded);
        assert.equal(value.utf8Length, Buffer.byteLength(JSON.parse(encoded) as string), encoded);
      }
    }
  });

  it('is not fooled by quotes, brackets and backslashes inside strings', () => {
    const tricky = { a: '}], "b": {[', 'k"ey': 'v\\', c: ['\\"]', '\\\\'], d: 'x' };
    const { seen, complete } = walk(json(tricky));
    assert.equal(complete, true);
    assert.deepEqual(
      seen.filter((s) => s.kind === 'string').map((s) => [s.key, s.text]),
      [
        ['a', '}], "b": {['],
        ['k\\"ey', 'v\\'],
        ['c', '\\"]'],
        ['c', '\\\\'],
        ['d', 'x'],
      ],
    );
  });

  it('flags long data: URLs and base64 values as blobs, never short ones, keys or text', () => {
    const png = base64Payload(PNG_MAGIC, 3000);
    const body = json({
      url: `data:image/png;base64,${png}`,
      raw: png,
      mime: png.match(/.{1,76}/g)!.join('\n'), // MIME-style line breaks are JSON-escaped as \n
      escapedSlashes: png,
      short: png.slice(0, BLOB_MIN_BYTES - 1),
      prose: 'word '.repeat(400),
      cjk: '你好'.repeat(400),
      [png]: 1,
    });
    const withSlashes = Buffer.from(body.toString('utf8').replace(/"escapedSlashes":"([^"]*)"/, (_, v: string) => `"escapedSlashes":"${v.replaceAll('/', '\\/')}"`));
    const { seen } = walk(withSlashes);
    const blobs = Object.fromEntries(seen.filter((s) => s.kind === 'string').map((s) => [s.key, s.blob]));
    assert.deepEqual(blobs, { url: true, raw: true, mime: true, escapedSlashes: true, short: false, prose: false, cjk: false });
    assert.equal(seen.find((s) => s.kind === 'key' && s.text === png)?.blob, false);
  });

  it('sniffs the media kind of a blob and its decoded size', () => {
    const cases: [string, string][] = [
      [base64Payload(PNG_MAGIC, 3000), 'image'],
      [base64Payload(JPEG_MAGIC, 3000), 'image'],
      [base64Payload('GIF89a', 3000), 'image'],
      [base64Payload('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 3000), 'image'],
      [base64Payload(WAV_MAGIC, 3000), 'audio'],
      [base64Payload(MP3_MAGIC, 3000), 'audio'],
      [base64Payload('OggS\u0000', 3000), 'audio'],
      [base64Payload(MP4_MAGIC, 3000), 'video'],
      [base64Payload('\u0000\u0000\u0000\u0018ftypheic', 3000), 'image'],
      [base64Payload(PDF_MAGIC, 3000), 'pdf'],
      [base64Payload('\u0000\u0001\u0002\u0003', 3000), 'unknown'],
    ];
    for (const [payload, kind] of cases) {
      const buf = Buffer.from(payload);
      assert.deepEqual(describeBlob(buf, 0, buf.length), { kind, bytes: Math.floor((payload.length * 3) / 4) }, kind);
    }
    const url = Buffer.from(`data:audio/wav;base64,${base64Payload(PNG_MAGIC, 3000)}`); // the MIME type wins over the bytes
    assert.equal(describeBlob(url, 0, url.length).kind, 'audio');
    const jpegEscaped = Buffer.from(base64Payload(JPEG_MAGIC, 3000).replaceAll('/', '\\/'));
    assert.equal(describeBlob(jpegEscaped, 0, jpegEscaped.length).kind, 'image');
  });

  it('reads numbers and their values', () => {
    const { seen } = walk('{"a":-1.5e3,"b":[0,12],"c":{"max":4096}}');
    assert.deepEqual(
      seen.filter((s) => s.kind === 'number').map((s) => [s.key, Number(s.text)]),
      [
        ['a', -1500],
        ['b', 0],
        ['b', 12],
        ['max', 4096],
      ],
    );
  });

  it('never throws on malformed input and reports it incomplete', () => {
    const bad = [
      '',
      '{',
      '{"a":"unterminated',
      '{"a":"ends in escape\\',
      '{"a":[1,2}',
      '}}}]]]',
      '{"a" 1 "b"}',
      'garbage \\ "x',
      '{"a":"\\u12"}',
      '\u00ff\u00fe{"a":1}',
      '['.repeat(100_000),
      '{"a":'.repeat(50_000),
    ];
    for (const text of bad) {
      const result = walk(text);
      assert.equal(result.complete, false, JSON.stringify(text.slice(0, 40)));
    }
    // random bytes, and every prefix of a real body
    for (let i = 0; i < 200; i++) assert.doesNotThrow(() => walkJson(Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))), () => {}));
    const body = json({ messages: [{ role: 'user', content: 'a "quoted" \\ value' }], n: 1 });
    for (let cut = 0; cut < body.length; cut++) assert.equal(walkJson(body.subarray(0, cut), () => {}).complete, false, `cut at ${cut}`);
    assert.equal(walkJson(body, () => {}).complete, true);
  });

  it('stays linear: many strings and one late backslash, a deep nest, a 20 MB string', () => {
    const many = Buffer.from(`[${'"abc",'.repeat(300_000)}"\\n"]`);
    let strings = 0;
    const started = Date.now();
    walkJson(many, () => strings++);
    walkJson(Buffer.from('['.repeat(200_000) + ']'.repeat(200_000)), () => {});
    const big = Buffer.from(`{"data":"${'A'.repeat(20_000_000)}"}`);
    let blob = false;
    walkJson(big, (t) => {
      if (t.kind === 'string') blob = t.blob;
    });
    assert.equal(strings, 300_001);
    assert.equal(blob, true);
    // a quadratic scan would take minutes here; linear takes tens of milliseconds
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
});
