import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Op } from '../../../src/core/ops.js';
import { embeddingsToGemini, geminiEmbeddingsToOpenAI, type EmbeddingsRequest } from '../../../src/dialects/gemini/embeddings.js';
import { PROVIDERS } from '../../../src/providers/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'unified');

/**
 * Where the fixtures of each translated operation live. Every operation a translated (non-OpenAI) provider
 * declares must have a folder of cases: declaring one without fixtures fails here.
 */
const FIXTURE_DIRS: Partial<Record<Op, (dialect: string) => string>> = {
  chat: (dialect) => dialect,
  responses: () => 'responses', // the one Responses ↔ chat bridge, over each dialect's chat
  embeddings: (dialect) => `${dialect}-embeddings`,
};

const cases = (dir: string) =>
  existsSync(join(ROOT, dir)) ? readdirSync(join(ROOT, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];

describe('every operation a translated provider declares has fixtures', () => {
  for (const provider of PROVIDERS.filter((p) => p.dialect !== 'openai')) {
    for (const op of provider.ops) {
      it(`${provider.id} ${op}`, () => {
        const dir = FIXTURE_DIRS[op]?.(provider.dialect);
        assert.ok(dir, `${provider.id} declares ${op}, which has no fixture folder convention here`);
        assert.ok(cases(dir).length > 0, `${provider.id} declares ${op} but test/fixtures/unified/${dir}/ has no cases`);
      });
    }
  }
});

describe('gemini embeddings fixtures', () => {
  const read = (name: string, file: string) => JSON.parse(readFileSync(join(ROOT, 'gemini-embeddings', name, file), 'utf8')) as unknown;
  for (const name of cases('gemini-embeddings')) {
    it(name, () => {
      const options = read(name, 'options.json') as { upstreamModel: string; model: string; inputTokens: number };
      const request = read(name, 'request.json') as EmbeddingsRequest & { encoding_format?: string };
      assert.deepEqual(embeddingsToGemini(request, options.upstreamModel), read(name, 'upstream-request.json'));
      const encodingFormat = request.encoding_format === 'base64' ? 'base64' : 'float';
      const answer = geminiEmbeddingsToOpenAI(read(name, 'upstream-response.json'), { model: options.model, encodingFormat, inputTokens: options.inputTokens });
      assert.deepEqual(answer, read(name, 'response.json'));
    });
  }
});
