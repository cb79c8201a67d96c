import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JsonArrayStreamParser } from '../../../src/lib/json-array-stream.js';
import { CHUNKINGS } from './fixtures.js';

function parseAll(text: string | Buffer, split: (b: Buffer) => Buffer[] = (b) => [b]): { items: unknown[]; closed: boolean } {
  const parser = new JsonArrayStreamParser();
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const items = [...split(bytes).flatMap((c) => parser.push(c)), ...parser.end()];
  return { items, closed: parser.closed };
}

function assertItems(text: string, expected: unknown[], closed = true): void {
  for (const chunking of CHUNKINGS) {
    assert.deepEqual(parseAll(text, chunking.split), { items: expected, closed }, chunking.label);
  }
}

describe('JsonArrayStreamParser', () => {
  it('yields each top-level element once, across CRLF, commas and whitespace', () => {
    assertItems('[{"a":1}\r\n,\r\n{"b":[1,2,{"c":null}]}\n]', [{ a: 1 }, { b: [1, 2, { c: null }] }]);
  });

  it('is not fooled by brackets, braces, quotes and backslashes inside strings', () => {
    const tricky = [{ t: 'a]b}c{[d' }, { t: 'quote \\" and \\\\" end' }, { t: '\\', u: '\\\\' }, { t: '\u2028 é 🙂 \n\t' }];
    const text = `[${tricky.map((x) => JSON.stringify(x)).join(',')}]`;
    assertItems(text, JSON.parse(text) as unknown[]);
  });

  it('returns elements as soon as they are complete', () => {
    const parser = new JsonArrayStreamParser();
    assert.deepEqual(parser.push('[{"a":'), []);
    assert.deepEqual(parser.push('1}'), [{ a: 1 }]);
    assert.deepEqual(parser.push(',{"b":2}'), [{ b: 2 }]);
    assert.equal(parser.closed, false);
    assert.deepEqual(parser.push(']'), []);
    assert.equal(parser.closed, true);
  });

  it('handles scalars and nested arrays as elements', () => {
    assertItems('[1, "two", [3, [4]], true, null, -5.5e2]', [1, 'two', [3, [4]], true, null, -550]);
  });

  it('handles an empty array and ignores bytes after the closing bracket', () => {
    assertItems('[]', []);
    assertItems('  [ ]  trailing', []);
    assertItems('[{"x":1}]\n[{"y":2}]', [{ x: 1 }]);
  });

  it('keeps multi-byte UTF-8 characters whole at every split point', () => {
    const body = Buffer.from('[{"text":"Zürich — 東京 🙂"}]', 'utf8');
    for (let i = 1; i < body.length; i++) {
      const parser = new JsonArrayStreamParser();
      const items = [...parser.push(body.subarray(0, i)), ...parser.push(body.subarray(i))];
      assert.deepEqual(items, [{ text: 'Zürich — 東京 🙂' }], `split at byte ${i}`);
    }
  });

  it('a cut element is not returned; a malformed one is skipped without throwing', () => {
    assertItems('[{"a":1},{"b":', [{ a: 1 }], false);
    assertItems('[{"a":1},{"b":tru},{"c":3}]', [{ a: 1 }, { c: 3 }]);
  });

  it('is fast on a long string (inline base64 media) in small chunks', () => {
    const data = 'A'.repeat(6_000_000);
    const body = Buffer.from(`[{"inlineData":{"mimeType":"image/png","data":"${data}"}}]`);
    const t = process.hrtime.bigint();
    const parser = new JsonArrayStreamParser();
    const items: unknown[] = [];
    for (let i = 0; i < body.length; i += 8192) items.push(...parser.push(body.subarray(i, i + 8192)));
    assert.equal(items.length, 1);
    assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 1500);
  });
});
