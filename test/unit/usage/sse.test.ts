import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, encodeSseEvent, type SseEvent } from '../../../src/lib/sse.js';
import { CHUNKINGS } from './fixtures.js';

function parseAll(body: Buffer | string, split: (b: Buffer) => Buffer[] = (b) => [b]): SseEvent[] {
  const parser = new SseParser();
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return [...split(bytes).flatMap((c) => parser.push(c)), ...parser.end()];
}

/** Every chunking (1-byte included) must give the same events as the whole body. */
function assertEvents(body: string, expected: SseEvent[]): void {
  for (const chunking of CHUNKINGS) assert.deepEqual(parseAll(body, chunking.split), expected, chunking.label);
}

describe('SseParser', () => {
  it('parses data-only events separated by blank lines', () => {
    assertEvents('data: {"a":1}\n\ndata: [DONE]\n\n', [{ data: '{"a":1}' }, { data: '[DONE]' }]);
  });

  it('handles \\r\\n, \\r and mixed line endings', () => {
    const expected = [{ event: 'x', data: 'one' }, { data: 'two' }, { data: 'three' }];
    assertEvents('event: x\r\ndata: one\r\n\r\ndata: two\r\rdata: three\n\r\n', expected);
  });

  it('joins several data lines with \\n and keeps the event name', () => {
    assertEvents('event: message_start\ndata: line 1\ndata:line 2\ndata: \n\n', [{ event: 'message_start', data: 'line 1\nline 2\n' }]);
  });

  it('ignores comments, id, retry and unknown fields; a field without a colon is a name with an empty value', () => {
    assertEvents(': keep-alive\n\nid: 7\nretry: 1000\nfoo: bar\ndata: x\n\n:\n\ndata\n\n', [{ data: 'x' }, { data: '' }]);
  });

  it('does not dispatch an event without data, and resets the name after each event', () => {
    assertEvents('event: ping\n\ndata: after\n\n', [{ data: 'after' }]);
  });

  it('removes only one leading space of the value, and keeps colons inside it', () => {
    assertEvents('data:  two spaces: here\n\n', [{ data: ' two spaces: here' }]);
  });

  it('drops a leading BOM, even split across chunks', () => {
    assertEvents('\uFEFFdata: bom\n\n', [{ data: 'bom' }]);
  });

  it('keeps multi-byte UTF-8 characters whole when chunks split them', () => {
    const text = 'Привет, 世界 🙂 — ça va ? 👩🏽‍💻';
    const body = Buffer.from(`data: ${text}\n\n`, 'utf8');
    for (let i = 1; i < body.length; i++) {
      const parser = new SseParser();
      const events = [...parser.push(body.subarray(0, i)), ...parser.push(body.subarray(i)), ...parser.end()];
      assert.deepEqual(events, [{ data: text }], `split at byte ${i}`);
    }
  });

  it('end() flushes a final event that never got its blank line (and only then)', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('data: last'), []);
    assert.deepEqual(parser.end(), [{ data: 'last' }]);
    assert.deepEqual(parseAll('data: a\n'), [{ data: 'a' }]);
    assert.deepEqual(parseAll(''), []);
  });

  it('a \\r at the end of one chunk and \\n at the start of the next is one line ending', () => {
    const parser = new SseParser();
    const events = [...parser.push('data: a\r'), ...parser.push('\n'), ...parser.push('\r'), ...parser.push('\ndata: b\r\n\r\n')];
    assert.deepEqual(events, [{ data: 'a' }, { data: 'b' }]);
  });

  it('does not modify the pushed buffers and copies what it keeps', () => {
    const chunk = Buffer.from('data: held');
    const parser = new SseParser();
    parser.push(chunk);
    chunk.fill(0x41); // caller reuses its buffer
    assert.deepEqual([...parser.push('\n\n')], [{ data: 'held' }]);
  });

  it('is fast on a large stream and on one huge line in small chunks', () => {
    const one = `data: ${JSON.stringify({ choices: [{ delta: { content: 'x'.repeat(40) } }] })}\n\n`;
    const big = Buffer.from(one.repeat(50_000), 'utf8'); // ~5 MB
    let t = process.hrtime.bigint();
    const parser = new SseParser();
    let n = 0;
    for (let i = 0; i < big.length; i += 16_384) n += parser.push(big.subarray(i, i + 16_384)).length;
    assert.equal(n, 50_000);
    assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 1500, 'many events parse quickly');
    const huge = Buffer.from(`data: ${'y'.repeat(8_000_000)}\n\n`);
    t = process.hrtime.bigint();
    const p2 = new SseParser();
    const out: SseEvent[] = [];
    for (let i = 0; i < huge.length; i += 4096) out.push(...p2.push(huge.subarray(i, i + 4096)));
    assert.equal(out.length, 1);
    assert.equal(out[0]?.data.length, 8_000_000);
    assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 1500, 'a huge line is not re-copied per chunk');
  });

  it('encodeSseEvent round-trips through the parser', () => {
    const events: SseEvent[] = [{ event: 'message_delta', data: '{"a":1}' }, { data: 'multi\nline' }, { data: '' }];
    assert.deepEqual(parseAll(events.map(encodeSseEvent).join('')), events);
  });
});
