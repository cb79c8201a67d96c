// Anthropic flavor: auth (x-api-key + anthropic-version), error shape, headers, routing.
import { anthropicMessages, anthropicPromptText } from './anthropic-messages.js';
import { anthropicError } from './anthropic-errors.js';
import { fakeUsage } from './fake.js';
import { BadRequest, type MockContext, type Provider } from './mock-server.js';

export const ANTHROPIC_MODELS = ['claude-sonnet-4-20250514', 'claude-opus-4-7', 'claude-haiku-4-5'];

function model(id: string, i: number): Record<string, unknown> {
  return {
    type: 'model', id, display_name: id.replace(/-/g, ' '), created_at: `2025-0${i + 1}-01T00:00:00Z`,
    max_input_tokens: 200000, max_tokens: 64000,
  };
}

function countTokens(ctx: MockContext): void {
  const b = ctx.json();
  if (typeof b.model !== 'string') throw new BadRequest('model: Field required');
  if (!Array.isArray(b.messages)) throw new BadRequest('messages: Field required');
  ctx.sendJson(200, { input_tokens: fakeUsage(anthropicPromptText(b), '').prompt });
}

export const anthropicProvider: Provider = {
  flavor: 'anthropic',
  headers: (n) => ({
    'request-id': `req_mock${n}`,
    'anthropic-organization-id': 'org-mock',
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
    'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:00Z',
    'anthropic-ratelimit-tokens-remaining': '399000',
  }),
  errorBody: (status, message, _param, reqNo) => anthropicError(status, message, reqNo ?? 0),
  authorize(ctx) {
    const key = ctx.header('x-api-key');
    const bearer = /^Bearer\s+\S/i.test(ctx.header('authorization') ?? '');
    if (!key && !bearer) {
      ctx.error(401, 'x-api-key header is required');
      return false;
    }
    if (!ctx.header('anthropic-version')) {
      ctx.error(400, 'anthropic-version: header is required');
      return false;
    }
    return true;
  },
  async route(ctx) {
    const { method, path } = ctx;
    if (method === 'POST' && path === '/v1/messages') return anthropicMessages(ctx);
    if (method === 'POST' && path === '/v1/messages/count_tokens') return countTokens(ctx);
    if (method === 'GET' && path === '/v1/models') {
      const data = ANTHROPIC_MODELS.map(model);
      return ctx.sendJson(200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
    }
    const m = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (method === 'GET' && m?.[1]) return ctx.sendJson(200, model(decodeURIComponent(m[1]), 0));
    ctx.error(404, `Not found: ${method} ${path}`);
  },
};
