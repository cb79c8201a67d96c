import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import { asGatewayError, errorBody, type Principal, type Services } from '../../services/index.js';
import { clientKey } from '../plugins/client-key.js';
import { responseSink } from '../response-sink.js';

type ModelParams = { Params: { '*': string } };
type ResponseParams = { Params: { id: string }; Querystring: { order?: string } };

const INDEX = {
  object: 'api',
  name: 'tollgate',
  description: 'One OpenAI-compatible API for every provider: name the model as provider/model (openai/gpt-4o, anthropic/claude-…, gemini/…) or by its bare name.',
  endpoints: [
    'GET /v1/models',
    'GET /v1/models/{model}',
    'POST /v1/chat/completions',
    'POST /v1/models/{model}/chat/completions',
    'POST /v1/responses',
    'GET /v1/responses/{id}',
    'GET /v1/responses/{id}/input_items',
    'DELETE /v1/responses/{id}',
    'POST /v1/completions',
    'POST /v1/text/generations',
    'POST /v1/embeddings',
    'POST /v1/images/generations',
    'POST /v1/images/edits',
    'POST /v1/audio/speech',
    'POST /v1/audio/transcriptions',
    'POST /v1/audio/translations',
    'GET /v1/me',
    'GET /v1/balance',
    'GET /v1/usage',
    'GET /v1/requests',
  ],
};

/** The unified OpenAI-compatible API on `/v1` (OpenAI error shape). */
export function unifiedRoutes(app: FastifyInstance, services: Services): void {
  // Keys come in headers only: the query string is Google's way (native /google mount) and ends up in logs.
  const authenticate = (request: FastifyRequest): Promise<Principal> => services.auth.authenticate(clientKey(request.headers));
  // The key is checked before a body is read, so an anonymous client cannot make the gateway buffer 25 MB.
  const principals = new WeakMap<FastifyRequest, Principal>();
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.method === 'POST') principals.set(request, await authenticate(request));
    return payload;
  });
  // Bodies are forwarded or translated by the services: keep them as bytes.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'text/plain', 'multipart/form-data'], { parseAs: 'buffer', bodyLimit: services.maxBodyBytes }, (_request, body, done) => done(null, body));

  app.get('/v1', async () => INDEX);
  app.get('/v1/models', async (request) => services.models.list(await authenticate(request)));
  app.get<ModelParams>('/v1/models/*', async (request) => services.models.get(await authenticate(request), request.params['*']));

  type Operation = 'chat' | 'responses' | 'completions' | 'embeddings' | 'imageGenerations' | 'speech' | 'imageEdits' | 'transcriptions' | 'translations';
  const call = async (operation: Operation, request: FastifyRequest, reply: FastifyReply, pathModel?: string) => {
    const principal = principals.get(request) ?? (await authenticate(request));
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    reply.hijack();
    try {
      const unifiedCall = { principal, headers: request.headers, body, startedAt: Date.now(), ...(pathModel ? { pathModel } : {}) };
      const sink = responseSink(reply.raw, () => {
        request.relayed = true;
      });
      await services.unified[operation](unifiedCall, sink);
    } catch (err) {
      const res = reply.raw;
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const failure = asGatewayError(err);
      if (failure.status >= 500 && failure.code === 'TG_ERR_INTERNAL') request.log.error({ err }, 'unified request failed');
      const text = JSON.stringify(errorBody('openai', failure));
      res.writeHead(failure.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    }
  };
  app.post('/v1/chat/completions', (request, reply) => call('chat', request, reply));
  app.post('/v1/responses', (request, reply) => call('responses', request, reply));
  // Stored responses of bridged models (services/unified/responses-store.ts), each readable by its own key only.
  const stored = () => {
    const store = services.unified.responsesStore;
    if (!store) throw new GatewayError('TG_ERR_NOT_FOUND', 'This gateway keeps no responses.');
    return store;
  };
  app.get<ResponseParams>('/v1/responses/:id', async (request) => stored().get(await authenticate(request), request.params.id));
  app.get<ResponseParams>('/v1/responses/:id/input_items', async (request) =>
    stored().inputItems(await authenticate(request), request.params.id, request.query.order),
  );
  app.delete<ResponseParams>('/v1/responses/:id', async (request) => stored().delete(await authenticate(request), request.params.id));
  app.post('/v1/completions', (request, reply) => call('completions', request, reply));
  app.post('/v1/text/generations', (request, reply) => call('completions', request, reply));
  app.post('/v1/embeddings', (request, reply) => call('embeddings', request, reply));
  app.post('/v1/images/generations', (request, reply) => call('imageGenerations', request, reply));
  app.post('/v1/audio/speech', (request, reply) => call('speech', request, reply));
  app.post('/v1/images/edits', (request, reply) => call('imageEdits', request, reply));
  app.post('/v1/audio/transcriptions', (request, reply) => call('transcriptions', request, reply));
  app.post('/v1/audio/translations', (request, reply) => call('translations', request, reply));
  app.post<ModelParams>('/v1/models/*', (request, reply) => {
    const rest = request.params['*'];
    const suffix = '/chat/completions';
    if (!rest.endsWith(suffix) || rest.length === suffix.length) {
      return reply.code(404).send(errorBody('openai', new GatewayError('TG_ERR_NOT_FOUND', `No route for POST /v1/models/${rest}.`)));
    }
    return call('chat', request, reply, rest.slice(0, -suffix.length));
  });
}
