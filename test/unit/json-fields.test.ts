import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readTopLevelFields, replaceTopLevelString } from '../../src/lib/json-fields.js';
import { rng } from '../helpers/rng.js';

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

const rename = (text: string, value: string, name = 'model') => replaceTopLevelString(Buffer.from(text, 'utf8'), name, value)?.toString('utf8');

describe('replaceTopLevelString', () => {
  it('renames the top-level model and keeps every other byte', () => {
    assert.equal(
      rename('{"model":"deepseek/deepseek-chat","messages":[{"role":"user","content":"hi"}]}', 'deepseek-chat'),
      '{"model":"deepseek-chat","messages":[{"role":"user","content":"hi"}]}',
    );
    const spaced = ' {\n  "temperature" : 1.50 ,"n":1E+2,"seed":-0,\t"model" :\r\n "x" , "messages":[{"content":"caf\\u00e9 \\ud83d\\ude00 \\/"}] }\n';
    assert.equal(rename(spaced, 'y'), spaced.replace('"x"', '"y"'));
    assert.equal(rename('{"model":"a-much-longer-name","x":1}', 'b'), '{"model":"b","x":1}');
  });

  it('never touches nested model keys', () => {
    const body = JSON.stringify({
      messages: [{ role: 'user', content: 'hi', model: 'nested-1' }, { role: 'assistant', model: 'nested-2', content: [{ model: 'deep' }] }],
      metadata: { model: 'nested-3' },
      tools: [{ function: { name: 'model', parameters: { model: { type: 'string' } } } }],
      model: 'top',
      user: '"model":"top"',
    });
    assert.equal(rename(body, 'renamed'), body.replace('"model":"top",', '"model":"renamed",'));
  });

  it('matches escaped keys by their decoded name and keeps the key bytes', () => {
    assert.equal(rename('{"mo\\u0064el":"a","x":1}', 'b'), '{"mo\\u0064el":"b","x":1}');
    assert.equal(rename('{"\\u006D\\u006f\\u0064\\u0065\\u006c":"a"}', 'b'), '{"\\u006D\\u006f\\u0064\\u0065\\u006c":"b"}');
    assert.equal(rename('{"Model":"a","models":"b","model ":"c","mod":"d"}', 'x'), undefined, 'only exact names count');
    assert.equal(rename('{"модель":"a","model":"b"}', 'x', 'модель'), '{"модель":"x","model":"b"}');
  });

  it('escapes the new value as JSON.stringify does', () => {
    const values = ['', 'say "hi"', 'back\\slash', 'line\nbreak\ttab', '\u0000\u0001\u001f\u007f', 'é Я 😀 \u2028\u2029', '\ud800 lone', '</script>'];
    for (const value of values) {
      const out = rename('{"stream":true,"model":"old","n":1}', value);
      assert.equal(out, `{"stream":true,"model":${JSON.stringify(value)},"n":1}`, JSON.stringify(value));
      assert.equal(JSON.parse(out!).model, value);
    }
  });

  it('returns the body itself when the value is already the same bytes', () => {
    const body = Buffer.from('{"model":"deepseek-chat","messages":[]}');
    assert.equal(replaceTopLevelString(body, 'model', 'deepseek-chat'), body);
    const escaped = Buffer.from('{"model":"deepseek\\u002dchat"}');
    assert.notEqual(replaceTopLevelString(escaped, 'model', 'deepseek-chat'), escaped, 'same text, other bytes: rewritten');
  });

  it('refuses duplicated top-level keys, however they are spelled', () => {
    assert.equal(rename('{"model":"a","messages":[],"model":"b"}', 'x'), undefined);
    assert.equal(rename('{"model":"a","mod\\u0065l":"b"}', 'x'), undefined);
    assert.equal(rename('{"model":"a","model":null}', 'x'), undefined);
    assert.equal(rename('{"model":{"model":"a"},"model":"b"}', 'x'), undefined);
  });

  it('refuses bodies that are not JSON objects or whose field is absent or not a string', () => {
    const refused = [
      '', '   ', '[]', '[{"model":"x"}]', '"model"', 'null', '\uFEFF{"model":"x"}', '{}', '{"messages":[{"model":"x"}]}',
      '{"model":null}', '{"model":1}', '{"model":true}', '{"model":["x"]}', '{"model":{"name":"x"}}',
      '{"model":"x"', '{"model":"x","messages":[', '{"model":"x",}', '{"model":"x"} {}', '{"model":"x"}]', '{"model":"x" "n":1}',
      '{model:"x"}', '{"model" "x"}', '{"model":"a\\x"}', '{"model":"a\nb"}', '{"mo\\qel":"x","model":"y"}', '{"model":"x","a":}',
    ];
    for (const text of refused) assert.equal(rename(text, 'y'), undefined, JSON.stringify(text));
    assert.equal(replaceTopLevelString(Buffer.from([0x7b, 0xff, 0x7d]), 'model', 'y'), undefined);
  });

  it('agrees with parse + spread + stringify on generated bodies, byte for byte elsewhere', () => {
    const next = rng(0x70116a7e);
    for (let i = 0; i < 400; i++) {
      const { prefix, suffix, members } = generateBody(next);
      const valueText = jsonString(next, randomText(next));
      const body = Buffer.from(prefix + valueText + suffix, 'utf8');
      const value = randomText(next);
      const out = replaceTopLevelString(body, 'model', value);
      assert.ok(out, `case ${i}: ${body}`);
      assert.equal(out.toString('utf8'), prefix + JSON.stringify(value) + suffix, `case ${i}`);
      assert.deepEqual(JSON.parse(out.toString('utf8')), { ...JSON.parse(body.toString('utf8')), model: value }, `case ${i}`);

      // the same body with a second top-level model (any spelling, any value) is refused
      const at = 1 + Math.floor(next() * members.length);
      const twice = [...members.slice(0, at), `${modelKey(next)}:${randomValue(next, 2)}`, ...members.slice(at)];
      assert.equal(replaceTopLevelString(Buffer.from(joinMembers(next, twice)), 'model', value), undefined, `case ${i} twice`);
    }
  });
});


const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const SPACE = ['', '', '', ' ', '\n', '\t', '\r\n  '];
const space = (next: () => number) => pick(next, SPACE);
const PIECES = ['a', 'Z', '7', ' ', 'model', '"model":"x"', '"', '\\', '/', '\n', '\u0001', '{', ']', ',', 'é', 'Я', '😀', '\u2028', '\ud800', '\udfff'];
const NUMBERS = ['0', '-0', '7', '1.50', '1e5', '1E+2', '-3.25e-7', '12345678901234567890123', '0.1'];
const OTHER_KEYS = ['messages', 'temperature', 'stream', 'tools', 'metadata', 'n', 'user', 'Model', 'models', 'model ', 'mod', 'tool_choice'];

function randomText(next: () => number): string {
  let text = '';
  for (let n = Math.floor(next() * 8); n > 0; n--) text += pick(next, PIECES);
  return text;
}

/** `text` as a JSON string literal with random but valid escaping (short escapes, `\u` in either case, `\/`). */
function jsonString(next: () => number, text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const lone = code >= 0xd800 && code <= 0xdfff;
    const escapeU = (unit: number) => {
      const hex = unit.toString(16).padStart(4, '0');
      return `\\u${next() < 0.5 ? hex : hex.toUpperCase()}`;
    };
    if (lone || code < 0x20 || (code !== 0x22 && code !== 0x5c && next() < 0.15)) {
      for (let k = 0; k < ch.length; k++) out += escapeU(ch.charCodeAt(k));
    } else if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '/' && next() < 0.5) out += '\\/';
    else out += ch;
  }
  return `${out}"`;
}

function modelKey(next: () => number): string {
  return pick(next, ['"model"', '"model"', '"mo\\u0064el"', '"\\u006Dodel"', jsonString(next, 'model')]);
}

function randomValue(next: () => number, depth: number): string {
  const kind = Math.floor(next() * (depth > 0 ? 7 : 5));
  if (kind === 0) return jsonString(next, randomText(next));
  if (kind === 1) return pick(next, NUMBERS);
  if (kind === 2) return pick(next, ['true', 'false', 'null']);
  if (kind === 3 || kind === 5) {
    const items = Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth - 1));
    return `[${space(next)}${items.join(`${space(next)},${space(next)}`)}${space(next)}]`;
  }
  const keys = [...new Set(Array.from({ length: Math.floor(next() * 4) }, () => pick(next, ['model', ...OTHER_KEYS])))];
  const members = keys.map((k) => `${k === 'model' ? modelKey(next) : jsonString(next, k)}${space(next)}:${space(next)}${randomValue(next, depth - 1)}`);
  return `{${space(next)}${members.join(`${space(next)},${space(next)}`)}${space(next)}}`;
}

function joinMembers(next: () => number, members: readonly string[]): string {
  return `${space(next)}{${space(next)}${members.join(`${space(next)},${space(next)}`)}${space(next)}}${space(next)}`;
}

/** A top-level object cut around its model's string value: `prefix + value + suffix` is the body. */
function generateBody(next: () => number): { prefix: string; suffix: string; members: string[] } {
  const others = OTHER_KEYS.filter(() => next() < 0.4);
  const members = others.map((k) => `${jsonString(next, k)}${space(next)}:${space(next)}${randomValue(next, 3)}`);
  const MARK = '\u0000MODEL\u0000'; // cannot occur in generated JSON text: U+0000 is always escaped there
  members.splice(Math.floor(next() * (members.length + 1)), 0, `${modelKey(next)}${space(next)}:${space(next)}${MARK}`);
  const [prefix, suffix] = joinMembers(next, members).split(MARK) as [string, string];
  return { prefix, suffix, members: members.map((m) => m.replace(MARK, '"m"')) };
}
