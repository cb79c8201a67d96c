// OpenAI flavor: auth, error shape, headers and routing for /v1/*.
import { FAKE_CREATED } from './fake.js';
import type { Provider } from './mock-server.js';
import { openaiErrorObject } from './openai-errors.js';
import { chatCompletions } from './openai-chat.js';
import { audioSpeech, audioTranscription, embeddings, imageGenerations, imageEdits } from './openai-extras.js';
import { responses } from './openai-responses.js';
import { OPENROUTER_LIST } from './openrouter.js';

export const OPENAI_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o3-mini', 'text-embedding-3-small', 'tts-1', 'whisper-1', 'gpt-image-1'];

function model(id: string): Record<string, unknown> {
  return { id, object: 'model', created: FAKE_CREATED - 86400, owned_by: id.startsWith('gpt') ? 'system' : 'openai' };
}

export const openaiProvider: Provider = {
  flavor: 'openai',
  headers: (n) => ({
    'x-request-id': `req_mock${n}`,
    'openai-processing-ms': '7',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-remaining-tokens': '1999000',
  }),
  errorBody: (status, message, param) => ({ error: openaiErrorObject(status, message, param) }),
  authorize(ctx) {
    const m = /^Bearer\s+(\S.*)$/i.exec(ctx.header('authorization') ?? '');
    if (m) return true;
    ctx.error(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    return false;
  },
  async route(ctx) {
    const { method, path } = ctx;
    if (method === 'POST') {
      switch (path) {
        case '/v1/chat/completions': return chatCompletions(ctx);
        case '/v1/responses': return responses(ctx);
        case '/v1/embeddings': return embeddings(ctx);
        case '/v1/audio/speech': return audioSpeech(ctx);
        case '/v1/audio/transcriptions': return audioTranscription(ctx, 'transcribe');
        case '/v1/audio/translations': return audioTranscription(ctx, 'translate');
        case '/v1/images/generations': return imageGenerations(ctx);
        case '/v1/images/edits': return imageEdits(ctx);
      }
    } else if (method === 'GET') {
      if (path === '/v1/models' && ctx.opts.openrouter) return ctx.sendJson(200, { data: OPENROUTER_LIST });
      if (path === '/v1/models') return ctx.sendJson(200, { object: 'list', data: OPENAI_MODELS.map(model) });
      const m = /^\/v1\/models\/(.+)$/.exec(path);
      if (m?.[1]) return ctx.sendJson(200, model(decodeURIComponent(m[1])));
    }
    ctx.notFound();
  },
};
