import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretScrubber, prepareSecrets, scrubHeaders, scrubSecrets } from '../../src/upstream/scrub.js';

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

  it('scrubs every secret in the list, short ones too', () => {
    const other = 'AIzaSyD-abcdefghijklmnopqrstuvwxyz0123456';
    const out = scrubSecrets(`a=${KEY} b=${other}`, [KEY, other]);
    assert.equal(out, 'a=[redacted] b=[redacted]');
    // A short key (a custom upstream's token) is a secret all the same; the config refuses keys under 4 characters.
    assert.equal(scrubSecrets('token abcde leaked', ['abcde']), 'token [redacted] leaked');
    assert.equal(scrubSecrets('text', []), 'text');
  });

  it('treats regular-expression characters in a key literally', () => {
    const weird = 'k.+(ab)*[x]$^{2}|\\end';
    assert.equal(scrubSecrets(`got ${weird}!`, [weird]), 'got [redacted]!');
    assert.equal(scrubSecrets('got kXYab)*[x]$^{2}|\\end', [weird]), 'got kXYab)*[x]$^{2}|\\end');
  });
});

describe('SecretScrubber (relayed bodies)', () => {
  const SECRET = 'sk-upstream-openai-SECRET-0001';
  const run = (secrets: string[], chunks: string[]): { out: string; pieces: string[] } => {
    const scrubber = new SecretScrubber(prepareSecrets(secrets));
    const pieces = chunks.map((c) => scrubber.push(Buffer.from(c)).toString());
    pieces.push(scrubber.end().toString());
    return { out: pieces.join(''), pieces };
  };

  it('masks a secret with stars of its length, wherever the chunks split it', () => {
    const body = `{"echo":"${SECRET}","n":1}`;
    const expected = body.replace(SECRET, '*'.repeat(SECRET.length));
    for (let cut = 0; cut <= body.length; cut++) {
      const { out } = run([SECRET], [body.slice(0, cut), body.slice(cut)]);
      assert.equal(out, expected, `cut at ${cut}`);
    }
    // one byte at a time
    assert.equal(run([SECRET], [...body]).out, expected);
  });

  it('keeps the length (content-length stays true) and masks every occurrence of every key', () => {
    const other = 'xai-upstream-SECRET-0004';
    const body = `${SECRET} and ${other} and ${SECRET}`;
    const { out } = run([SECRET, other], [body]);
    assert.equal(out.length, body.length);
    assert.ok(!out.includes(SECRET) && !out.includes(other));
  });

  it('holds back only a tail that could begin a secret, and releases it at the end', () => {
    const { pieces } = run([SECRET], ['data: {"a":1}\n\n', 'data: {"b":"sk-up', 'x"}\n\n']);
    assert.equal(pieces[0], 'data: {"a":1}\n\n', 'an event ending in a blank line is passed at once');
    assert.equal(pieces[1], 'data: {"b":"', 'the possible start of the key waits for the next chunk');
    assert.equal(pieces[2], 'sk-upx"}\n\n');
    assert.equal(run([SECRET], ['tail sk-up']).out, 'tail sk-up', 'a held tail is released when the body ends');
  });

  it('never writes into the chunk it was given', () => {
    const chunk = Buffer.from(`x${SECRET}y`);
    const copy = Buffer.from(chunk);
    new SecretScrubber(prepareSecrets([SECRET])).push(chunk);
    assert.deepEqual(chunk, copy);
  });

  it('masks secrets in kept response headers', () => {
    const headers = scrubHeaders({ 'x-request-id': `req-${SECRET}`, 'content-type': 'application/json' }, [SECRET]);
    assert.equal(headers['x-request-id'], 'req-[redacted]');
    assert.equal(headers['content-type'], 'application/json');
  });
});
