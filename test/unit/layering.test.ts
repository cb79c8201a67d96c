import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const READS_ENV = /process\s*\.\s*env\b|process\s*\[\s*['"`]env['"`]\s*\]/;
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('layering', () => {
  it('only src/config reads process.env', () => {
    const files = sourceFiles(SRC);
    assert.ok(files.length > 20, `expected to find the source tree, found ${files.length} files`);
    assert.ok(files.some((f) => relative(SRC, f) === join('config', 'index.ts')), 'src/config/index.ts is scanned');
    const offenders = files
      .filter((f) => !relative(SRC, f).startsWith(`config${sep}`))
      .filter((f) => READS_ENV.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    assert.deepEqual(offenders, [], `process.env read outside src/config: ${offenders.join(', ')}`);
  });

  it('the check recognises the ways of reading the environment', () => {
    assert.match(readFileSync(join(SRC, 'config', 'index.ts'), 'utf8'), READS_ENV, 'config/index.ts defaults to process.env');
    for (const text of ['process.env.PORT', "process.env['X']", 'process .env', "process['env']", 'const { env } = process.env']) {
      assert.match(text, READS_ENV, text);
    }
    assert.doesNotMatch('processed.environment', READS_ENV);
  });
});
