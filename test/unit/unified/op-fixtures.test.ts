import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Op } from '../../../src/core/ops.js';
import { embeddingsToGemini, geminiEmbeddingsToOpenAI, type EmbeddingsRequest } from '../../../src/dialects/gemini/embeddings.js';
import { PROVIDERS } from '../../../src/providers/index.js';
import { bridgeFixtureDir, fixtureFolders, opFixtureDir } from '../../helpers/fixture-folders.js';


/**
 * Where the fixtures of each translated operation live. Every operation a translated (non-OpenAI) provider
 * declares must have a folder of cases: declaring one without fixtures fails here.
 */
const FIXTURE_DIRS: Partial<Record<Op, (dialect: string) => string>> = {
  chat: (dialect) => opFixtureDir(dialect, 'chat'),
  responses: () => bridgeFixtureDir('responses'), // the one Responses ↔ chat bridge, over each dialect's chat
  embeddings: (dialect) => opFixtureDir(dialect, 'embeddings'),
};

const cases = (dir: string) => fixtureFolders(dir);

describe('every operation a translated provider declares has fixtures', () => {
  for (const provider of PROVIDERS.filter((p) => p.dialect !== 'openai')) {
    for (const op of provider.ops) {
      it(`${provider.id} ${op}`, () => {
        const dir = FIXTURE_DIRS[op]?.(provider.dialect);
        assert.ok(dir, `${provider.id} declares ${op}, which has no fixture folder convention here`);
        assert.ok(cases(dir).length > 0, `${provider.id} declares ${op} but ${dir}/ has no cases`);
      });
    }
  }
});

describe('gemini embeddings fixtures', () => {
  for (const f of cases(opFixtureDir('gemini', 'embeddings'))) {
    it(f.name, () => {
      const options = f.json<{ upstreamModel: string; model: string; inputTokens: number }>('options.json');
      const request = f.json<EmbeddingsRequest & { encoding_format?: string }>('request.json');
      assert.deepEqual(embeddingsToGemini(request, options.upstreamModel), f.json('upstream-request.json'));
      const encodingFormat = request.encoding_format === 'base64' ? 'base64' : 'float';
      const answer = geminiEmbeddingsToOpenAI(f.json('upstream-response.json'), { model: options.model, encodingFormat, inputTokens: options.inputTokens });
      assert.deepEqual(answer, f.json('response.json'));
    });
  }
});
