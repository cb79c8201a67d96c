import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One fixture case: a folder of request / answer files. */
export interface Folder {
  name: string;
  has(file: string): boolean;
  json<T = unknown>(file: string): T;
  text(file: string): string;
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
        has: (file: string) => existsSync(join(path, file)),
        json: <T>(file: string) => JSON.parse(readFileSync(join(path, file), 'utf8')) as T,
        text: (file: string) => readFileSync(join(path, file), 'utf8'),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A case holds at least one complete pair, and every file in it belongs to a complete pair (or is an extra). */
export function assertPaired(dir: string, f: Folder, pairs: ReadonlyArray<readonly [string, string]>, extras: ReadonlySet<string> = new Set()): void {
  assert.ok(pairs.some(([a, b]) => f.has(a) && f.has(b)), `${f.name}: no complete pair of fixture files`);
  for (const file of readdirSync(join(dir, f.name))) {
    const paired = pairs.some((pair) => pair.includes(file) && f.has(pair[0]) && f.has(pair[1]));
    assert.ok(paired || extras.has(file), `${f.name}/${file} has no partner file`);
  }
}
