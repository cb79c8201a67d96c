import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH, jsonCloses, jsonNestsDeeperThan } from '../../src/lib/json-depth.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

test('counts arrays and objects together, up to and past the limit', () => {
  assert.equal(jsonNestsDeeperThan(nested(3), 3), false);
  assert.equal(jsonNestsDeeperThan(nested(4), 3), true);
  assert.equal(jsonNestsDeeperThan('{"a":[{"b":[1]}]}', 4), false);
  assert.equal(jsonNestsDeeperThan('{"a":[{"b":[1]}]}', 3), true);
  assert.equal(jsonNestsDeeperThan('[[1],[2],[3],[4]]', 2), false, 'siblings do not add up');
  assert.equal(jsonNestsDeeperThan(Buffer.from(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH), false);
  assert.equal(jsonNestsDeeperThan(Buffer.from(nested(100_000)), MAX_JSON_DEPTH), true);
});

test('brackets inside strings do not count, escaped quotes do not end them', () => {
  assert.equal(jsonNestsDeeperThan(`{"text":"${nested(50)}"}`, 2), false);
  assert.equal(jsonNestsDeeperThan(String.raw`["a \" [[[[ still in the string", 1]`, 1), false);
  assert.equal(jsonNestsDeeperThan(String.raw`["ends with a backslash \\", [[1]]]`, 2), true, 'an escaped backslash ends before the quote');
  assert.equal(jsonNestsDeeperThan(String.raw`["ends with a backslash \\", [1]]`, 2), false);
  assert.equal(jsonNestsDeeperThan(String.raw`["\\\"[[[[", 1]`, 1), false, 'three backslashes escape the quote');
  assert.equal(jsonNestsDeeperThan('{"ключ":"[[[[","b":"😀{{{{"}', 1), false, 'multi-byte text');
});

test('an unterminated string or invalid JSON is only a bound, never an exception', () => {
  assert.equal(jsonNestsDeeperThan('["never closed [[[[[[', 1), false);
  assert.equal(jsonNestsDeeperThan(']]]]][[', 1), false);
  assert.equal(jsonNestsDeeperThan('', 1), false);
});

test('jsonCloses tells a whole JSON value from one cut short', () => {
  const whole = JSON.stringify({ id: 'x', choices: [{ message: { content: 'a } ] " \\" brace' } }], usage: { n: 1 } });
  assert.equal(jsonCloses(Buffer.from(whole)), true);
  assert.equal(jsonCloses(Buffer.from(whole + '\n')), true);
  assert.equal(jsonCloses(Buffer.from('[1,2]')), true);
  for (let cut = 1; cut < whole.length; cut++) assert.equal(jsonCloses(Buffer.from(whole.slice(0, cut))), false, `cut at ${cut}`);
  assert.equal(jsonCloses(Buffer.from('{"a":1}}')), false);
  assert.equal(jsonCloses(Buffer.from('{"a":1} x')), false);
});
