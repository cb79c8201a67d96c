import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import type { DialectName, OpCodec } from '../../src/core/dialect.js';
import { CHAT_BRIDGES, DIALECTS, type ChatBridge } from '../../src/dialects/index.js';
import { bridgeFixtureDir, fixtureFolders, opFixtureDir } from '../helpers/fixture-folders.js';
import { checkBridgeCase } from './dialect-ops/bridge-case.js';
import { checkCodecCase } from './dialect-ops/codec-case.js';

// Every codec of every dialect, and every chat bridge, against its fixture folders
// (`src/dialects/<dialect>/__fixtures__/ops/<op>/<case>/`, `src/dialects/openai/__fixtures__/bridges/<op>/<case>/`).
// The files of a case are described in dialect-ops/codec-case.ts and dialect-ops/bridge-case.ts.

const shown = (dir: string) => relative(process.cwd(), dir);


/** The folders under `dir` (one per op), which must each name something that exists. */
function subfolders(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
}

for (const [dialect, module] of Object.entries(DIALECTS) as Array<[DialectName, (typeof DIALECTS)[DialectName]]>) {
  describe(`${dialect} codecs`, () => {
    const ops = Object.entries(module.ops) as Array<[keyof typeof module.ops, OpCodec]>;
    for (const [op, codec] of ops) {
      const dir = opFixtureDir(dialect, op);
      const cases = fixtureFolders(dir);
      it(`${op}: has fixtures`, () => assert.ok(cases.length > 0, `${dialect} carries ${op}, but ${shown(dir)}/ holds no case`));
      for (const f of cases) {
        it(`${op}: ${f.name}`, () => checkCodecCase({ dialect, op, codec, dir }, f));
      }
    }
    it('has no fixtures for an op it does not carry', () => {
      const stale = subfolders(opFixtureDir(dialect, '.')).filter((op) => !ops.some(([name]) => name === op));
      assert.deepEqual(stale, [], `${dialect} has no codec for these fixture folders`);
    });
  });
}

describe('chat bridges', () => {
  const bridges = Object.entries(CHAT_BRIDGES) as Array<[string, ChatBridge]>;
  for (const [op, bridge] of bridges) {
    const dir = bridgeFixtureDir(op);
    const cases = fixtureFolders(dir);
    it(`${op}: has fixtures`, () => assert.ok(cases.length > 0, `${op} is bridged through chat, but ${shown(dir)}/ holds no case`));
    for (const f of cases) it(`${op}: ${f.name}`, () => checkBridgeCase({ bridge, dir }, f));
  }
  it('has no fixtures for an op no bridge carries', () => {
    const stale = subfolders(bridgeFixtureDir('.')).filter((op) => !bridges.some(([name]) => name === op));
    assert.deepEqual(stale, [], 'no chat bridge for these fixture folders');
  });
});
