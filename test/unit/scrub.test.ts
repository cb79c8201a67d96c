import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scrubSecrets } from '../../src/upstream/scrub.js';

const KEY = 'sk-proj-Zx81Lmq0Rtu5VbnQ7yW2pE9kHs3dJfG6aCabcd';

describe('scrubSecrets', () => {
  it('removes the full key wherever it appears', () => {
    const text = `{"error":{"message":"key ${KEY} is invalid","echo":"Bearer ${KEY}","again":"${KEY}"}}`;
    const out = scrubSecrets(text, [KEY]);
    assert.ok(!out.includes(KEY), out);
    assert.ok(!out.includes('Zx81Lmq0Rtu5'), out);
    assert.equal(out.split('[redacted]').length - 1, 3, out);
    assert.ok(out.startsWith('{"error":{"message":"key [redacted] is invalid"'), out);
    assert.doesNotThrow(() => JSON.parse(out), 'the scrubbed body stays valid JSON');
  });

  it("removes OpenAI's masked echo of a key ending with the same four characters", () => {
    const body = JSON.stringify({
      error: {
        message: 'Incorrect API key provided: sk-proj-****************************abcd. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    const out = scrubSecrets(body, [KEY]);
    assert.ok(!out.includes('****abcd'), out);
    assert.ok(!out.includes('sk-proj-'), out);
    assert.match(out, /Incorrect API key provided: \[redacted\]\. You can find your API key at https:\/\/platform\.openai\.com/);
    assert.equal(JSON.parse(out).error.code, 'invalid_api_key');
  });

  it('removes other masked forms: dots, a shorter head', () => {
    assert.equal(scrubSecrets('key sk-pro...abcd rejected', [KEY]), 'key [redacted] rejected');
    assert.equal(scrubSecrets('key sk-*****abcd rejected', [KEY]), 'key [redacted] rejected');
  });

  it('leaves a masked key with a different tail, and unrelated text, alone', () => {
    const text = 'Incorrect API key provided: sk-proj-****************************wxyz. Rate limit reached.';
    assert.equal(scrubSecrets(text, [KEY]), text);
    assert.equal(scrubSecrets('nothing secret here', [KEY]), 'nothing secret here');
  });

  it('scrubs every secret in the list and ignores secrets too short to be keys', () => {
    const other = 'AIzaSyD-abcdefghijklmnopqrstuvwxyz0123456';
    const out = scrubSecrets(`a=${KEY} b=${other}`, [KEY, other]);
    assert.equal(out, 'a=[redacted] b=[redacted]');
    assert.equal(scrubSecrets('the word short stays', ['short']), 'the word short stays');
    assert.equal(scrubSecrets('text', []), 'text');
  });

  it('treats regular-expression characters in a key literally', () => {
    const weird = 'k.+(ab)*[x]$^{2}|\\end';
    assert.equal(scrubSecrets(`got ${weird}!`, [weird]), 'got [redacted]!');
    assert.equal(scrubSecrets('got kXYab)*[x]$^{2}|\\end', [weird]), 'got kXYab)*[x]$^{2}|\\end');
  });
});
