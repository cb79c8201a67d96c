// Shared helpers for the usage fixture tests: fixture discovery, chunkings and line-ending variants.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { Usage } from '../../../src/core/usage.js';
import type { UsageTap, UsageTapResult } from '../../../src/core/usage-tap.js';
import { rng } from '../../helpers/rng.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Expected {
  op?: string;
  framing?: 'sse' | 'json-array';
  usage: Usage | null;
  model?: string;
  complete?: boolean;
  outputText?: string;
  usageChunks?: number;
  cacheWrites?: { ephemeral5m: number; ephemeral1h: number };
}

export interface Fixture {
  name: string;
  /** `json`: a whole body; `sse`: an event stream; `json-stream`: Gemini's streamed JSON array. */
  kind: 'json' | 'sse' | 'json-stream';
  body: Buffer;
  expected: Expected;
}

const KINDS = [
  ['response.json', 'json'],
  ['response.sse', 'sse'],
  ['response.json-stream', 'json-stream'],
] as const;

export function loadFixtures(dialect: 'openai' | 'anthropic' | 'gemini'): Fixture[] {
  const dir = join(ROOT, 'src', 'dialects', dialect, '__fixtures__', 'usage');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const folder = join(dir, e.name);
      const found = KINDS.filter(([file]) => existsSync(join(folder, file)));
      assert.equal(found.length, 1, `${dialect}/${e.name}: exactly one response.* file`);
      const [file, kind] = found[0]!;
      const expected = JSON.parse(readFileSync(join(folder, 'expected.json'), 'utf8')) as Expected;
      return { name: e.name, kind, body: readFileSync(join(folder, file)), expected };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}


export interface Chunking {
  label: string;
  split(body: Buffer): Buffer[];
}

const fixed = (size: number): Chunking => ({
  label: `${size}-byte chunks`,
  split: (body) => {
    const out: Buffer[] = [];
    for (let i = 0; i < body.length; i += size) out.push(body.subarray(i, i + size));
    return out;
  },
});

const random = (seed: number, max: number): Chunking => ({
  label: `random chunks ≤${max} (seed ${seed})`,
  split: (body) => {
    const next = rng(seed);
    const out: Buffer[] = [];
    for (let i = 0; i < body.length; ) {
      const size = 1 + Math.floor(next() * max);
      out.push(body.subarray(i, i + size));
      i += size;
    }
    return out;
  },
});

export const CHUNKINGS: Chunking[] = [
  { label: 'one chunk', split: (body) => [body] },
  fixed(1),
  fixed(2),
  fixed(3),
  random(1, 8),
  random(2, 8),
  random(3, 64),
  random(4, 64),
  random(5, 512),
  random(6, 4096),
];

/** The same stream with every line ending rewritten (`\n`, `\r\n`, `\r`), byte-exactly otherwise. */
export function lineEndingVariants(body: Buffer): Array<{ label: string; body: Buffer }> {
  const lf = body.toString('latin1').replace(/\r\n|\r/g, '\n');
  return [
    { label: 'LF', body: Buffer.from(lf, 'latin1') },
    { label: 'CRLF', body: Buffer.from(lf.replace(/\n/g, '\r\n'), 'latin1') },
    { label: 'CR', body: Buffer.from(lf.replace(/\n/g, '\r'), 'latin1') },
  ];
}

/** Feeds the body to a fresh tap in the given chunks, checking the tap leaves the bytes untouched. */
export function runTap(makeTap: () => UsageTap, body: Buffer, chunking: Chunking): UsageTapResult {
  const copy = Buffer.from(body);
  const tap = makeTap();
  for (const chunk of chunking.split(body)) tap.push(chunk);
  const result = tap.end();
  assert.ok(body.equals(copy), 'the tap must not modify the relayed bytes');
  return result;
}

/** Asserts a tap result against a fixture's expected.json (usage exactly, with `null` = none). */
export function assertTapResult(result: UsageTapResult, expected: Expected, where: string): void {
  assert.deepEqual(result.usage ?? null, expected.usage, `${where}: usage`);
  if (expected.complete !== undefined) assert.equal(result.complete, expected.complete, `${where}: complete`);
  if (expected.outputText !== undefined) assert.equal(result.outputText, expected.outputText, `${where}: outputText`);
  if (expected.model !== undefined) assert.equal(result.model, expected.model, `${where}: model`);
}

/** The canonical invariants every Usage must hold (subsets within their totals, integers). */
export function assertUsageInvariants(usage: Usage, where: string): void {
  const counts = [usage.inputTokens, usage.outputTokens, usage.cachedInputTokens ?? 0, usage.cacheWriteTokens ?? 0, usage.reasoningTokens ?? 0];
  for (const n of counts) assert.ok(Number.isSafeInteger(n) && n >= 0, `${where}: ${n} is a non-negative integer`);
  assert.ok((usage.cachedInputTokens ?? 0) + (usage.cacheWriteTokens ?? 0) <= usage.inputTokens, `${where}: cache within input`);
  assert.ok((usage.reasoningTokens ?? 0) <= usage.outputTokens, `${where}: reasoning within output`);
}

/** Names of the fixture folders a dialect must have (so deleting one fails the suite). */
export function assertHasCases(fixtures: Fixture[], names: string[]): void {
  const have = new Set(fixtures.map((f) => f.name));
  for (const name of names) assert.ok(have.has(name), `fixture folder ${name} is missing`);
}
