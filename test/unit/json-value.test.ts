import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isJsonObject } from '../../src/lib/json-value.js';

describe('isJsonObject', () => {
  it('accepts what JSON.parse gives for {…}', () => {
    assert.equal(isJsonObject(JSON.parse('{}')), true);
    assert.equal(isJsonObject(JSON.parse('{"a":[1]}')), true);
    assert.equal(isJsonObject(Object.create(null)), true);
  });

  it('refuses arrays, null and primitives', () => {
    for (const v of [[], JSON.parse('[{}]'), null, undefined, 0, '', '{}', true]) {
      assert.equal(isJsonObject(v), false, JSON.stringify(v));
    }
  });
});
