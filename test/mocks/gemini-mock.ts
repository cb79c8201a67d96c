// Gemini flavor (/v1beta and /v1): auth, routing, models, countTokens and embeddings.
import { asArray, asObj, fakeEmbedding, fakeUsage, textOf } from './fake.js';
import { geminiError } from './gemini-errors.js';
import { generateContent, geminiPromptText } from './gemini-generate.js';
import { BadRequest, type MockContext, type Provider } from './mock-server.js';

export const GEMINI_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-embedding-001'];

const JSON_TYPE = 'application/json; charset=UTF-8';

function model(id: string): Record<string, unknown> {
  const embed = id.includes('embedding');
  return {
    name: `models/${id}`, version: '001', displayName: id, description: `Mock ${id}`,
    inputTokenLimit: embed ? 2048 : 1048576, outputTokenLimit: embed ? 1 : 65536,
    supportedGenerationMethods: embed ? ['embedContent', 'countTextTokens', 'countTokens'] : ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
    ...(embed ? {} : { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: true }),
  };
}

/** Models whose countTokens the mock refuses, as Google does for a model without that method. */
export const NO_COUNT_TOKENS = ['text-embedding-004'];

/** A model whose countTokens answers only after this long (past the gateway's 2 s bound). */
export const SLOW_COUNT_TOKENS = { model: 'gemini-embedding-slow-count', delayMs: 3_000 };

async function countTokens(ctx: MockContext, modelId: string): Promise<void> {
  if (modelId === SLOW_COUNT_TOKENS.model) await new Promise((resolve) => setTimeout(resolve, SLOW_COUNT_TOKENS.delayMs));
  if (NO_COUNT_TOKENS.includes(modelId)) {
    return ctx.error(404, `models/${modelId} is not found for API version v1beta, or is not supported for countTokens. Call ListModels to see the list of available models and their supported methods.`);
  }
  const b = ctx.json();
  const src = b.generateContentRequest !== undefined ? asObj(b.generateContentRequest) : b;
  const total = fakeUsage(geminiPromptText(src), '').prompt;
  ctx.sendJson(200, { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] }, JSON_TYPE);
}

function embedContent(ctx: MockContext): void {
  const b = ctx.json();
  if (b.content === undefined) throw new BadRequest('* EmbedContentRequest.content: content is not specified\n');
  ctx.sendJson(200, { embedding: { values: fakeEmbedding(textOf(b.content), b.outputDimensionality) } }, JSON_TYPE);
}

function batchEmbedContents(ctx: MockContext, modelId: string): void {
  const reqs = asArray(ctx.json().requests).map(asObj);
  if (!reqs.length) throw new BadRequest('* BatchEmbedContentsRequest.requests: requests is not specified\n');
  const embeddings = reqs.map((r, i) => {
    if (r.model !== undefined && r.model !== `models/${modelId}`) {
      throw new BadRequest(`Model names should match for all requests. requests[${i}].model: ${String(r.model)}, expected: models/${modelId}`);
    }
    return { values: fakeEmbedding(textOf(r.content), r.outputDimensionality) };
  });
  ctx.sendJson(200, { embeddings }, JSON_TYPE);
}

export const geminiProvider: Provider = {
  flavor: 'gemini',
  headers: () => ({ vary: 'Origin, X-Origin, Referer', server: 'scaffolding on HTTPServer2', 'x-content-type-options': 'nosniff' }),
  errorBody: (status, message) => geminiError(status, message),
  authorize(ctx) {
    if (ctx.header('x-goog-api-key') || ctx.query.get('key')) return true;
    ctx.error(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    return false;
  },
  async route(ctx) {
    const m = /^\/(v1beta|v1|v1alpha)\/(.+)$/.exec(ctx.path);
    const rest = m?.[2] ?? '';
    if (ctx.method === 'GET') {
      if (rest === 'models') return ctx.sendJson(200, { models: GEMINI_MODELS.map(model) }, JSON_TYPE);
      const g = /^models\/([^/:]+)$/.exec(rest);
      if (g?.[1]) return ctx.sendJson(200, model(decodeURIComponent(g[1])), JSON_TYPE);
    }
    const p = ctx.method === 'POST' ? /^models\/([^/:]+):([A-Za-z]+)$/.exec(rest) : null;
    const id = decodeURIComponent(p?.[1] ?? '');
    switch (p?.[2]) {
      case 'generateContent': return generateContent(ctx, id, false);
      case 'streamGenerateContent': return generateContent(ctx, id, true);
      case 'countTokens': return countTokens(ctx, id);
      case 'embedContent': return embedContent(ctx);
      case 'batchEmbedContents': return batchEmbedContents(ctx, id);
    }
    ctx.error(404, `Method not found: ${ctx.method} ${ctx.path}`);
  },
};
