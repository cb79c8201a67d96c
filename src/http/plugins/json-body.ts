import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies parsed as Fastify does (`__proto__` and `constructor.prototype` refused), except that an
 * empty one is no body: clients and proxies send `content-type: application/json` on a DELETE or an
 * optional-body POST with nothing after it, and that must mean "no body", not a 400.
 */
export function emptyJsonIsNoBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) done(null, undefined);
    else void parseJson(request, body as string, done);
  });
}
