import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIALECTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'dialects');

/** Where the translation cases of `dialect`'s codec for `op` live: `src/dialects/<dialect>/__fixtures__/ops/<op>/`. */
export function opFixtureDir(dialect: string, op: string): string {
  return join(DIALECTS_DIR, dialect, '__fixtures__', 'ops', op);
}

/** Where the cases of the chat bridge for `op` live (the bridges are OpenAI's): `src/dialects/openai/__fixtures__/bridges/<op>/`. */
export function bridgeFixtureDir(op: string): string {
  return join(DIALECTS_DIR, 'openai', '__fixtures__', 'bridges', op);
}

/** One fixture case: a folder of request / answer files. */
export interface Folder {
  name: string;
  path: string;
  has(file: string): boolean;
  json<T = unknown>(file: string): T;
  text(file: string): string;
  bytes(file: string): Buffer;
}

/** The case folders under `dir`, by name; none when `dir` does not exist. */
export function fixtureFolders(dir: string): Folder[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const path = join(dir, e.name);
      return {
        name: e.name,
        path,
        has: (file: string) => existsSync(join(path, file)),
        json: <T>(file: string) => JSON.parse(readFileSync(join(path, file), 'utf8')) as T,
        text: (file: string) => readFileSync(join(path, file), 'utf8'),
        bytes: (file: string) => readFileSync(join(path, file)),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A case holds at least one complete pair, and every file in it belongs to a complete pair (or is an extra). */
export function assertPaired(f: Folder, pairs: ReadonlyArray<readonly [string, string]>, extras: ReadonlySet<string> = new Set()): void {
  assert.ok(pairs.some(([a, b]) => f.has(a) && f.has(b)), `${f.name}: no complete pair of fixture files`);
  for (const file of readdirSync(f.path)) {
    const paired = pairs.some((pair) => pair.includes(file) && f.has(pair[0]) && f.has(pair[1]));
    assert.ok(paired || extras.has(file), `${f.name}/${file} has no partner file`);
  }
}
