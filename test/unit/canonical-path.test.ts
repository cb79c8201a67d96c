import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalPath, isCanonicalPath } from '../../src/lib/canonical-path.js';

const canonical = (raw: string): string => {
  const result = canonicalPath(raw);
  assert.ok(result.ok, `${raw}: ${!result.ok ? result.reason : ''}`);
  return result.path;
};

describe('canonicalPath', () => {
  it('resolves the spellings servers treat as one path', () => {
    const cases: Array<[string, string]> = [
      ['/chat/completions', '/chat/completions'],
      ['/./chat/completions', '/chat/completions'],
      ['/chat/completions/', '/chat/completions'],
      ['/x/../chat/completions', '/chat/completions'],
      ['/%2e/chat/completions', '/chat/completions'],
      ['/x/%2E%2e/chat/completions', '/chat/completions'],
      ['//chat//completions', '/chat/completions'],
      ['/%63hat/completions', '/chat/completions'],
      ['/models/gemini-2.5-flash%3AgenerateContent', '/models/gemini-2.5-flash:generateContent'],
      ['/models/gemini-2.5-flash-lite/../gemini-2.5-pro:generateContent', '/models/gemini-2.5-pro:generateContent'],
      ['/files/a%20b', '/files/a%20b'],
      ['/files/a b', '/files/a%20b'],
      ['/files/%7euser', '/files/~user'],
      ['/files/%25', '/files/%25'],
      ['/files/%3f', '/files/%3F'],
      ['/files/\u00e9', '/files/%E9'],
      ['', ''],
      ['/', ''],
    ];
    for (const [raw, expected] of cases) {
      assert.equal(canonical(raw), expected, raw);
    }
  });

  it('refuses what cannot be made one path: climbing above the root, encoded slashes, bad escapes, control bytes', () => {
    for (const raw of ['/..', '/../../anthropic/v1/models', '/x/../../y', '/%2e%2e/models', '/a%2fb', '/a%2Fb', '/a%5cb', '/a\\b', '/a%zz', '/a%4', '/a%00b', '/a\tb']) {
      const result = canonicalPath(raw);
      assert.equal(result.ok, false, raw);
    }
  });

  it('is idempotent, and isCanonicalPath agrees with it', () => {
    for (const raw of ['/chat/completions', '/./a', '/a/', '/a//b', '/%41', '/a b', '/models/x:generateContent', '/a/..', '/..a/b', '/.a', '', '/']) {
      const result = canonicalPath(raw);
      if (!result.ok) continue;
      assert.equal(canonical(result.path), result.path, `idempotent for ${raw}`);
      assert.equal(isCanonicalPath(raw), raw === result.path, `isCanonicalPath(${JSON.stringify(raw)})`);
    }
  });
});
