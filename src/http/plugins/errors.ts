import type { FastifyError, FastifyInstance } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import { asGatewayError, errorBody } from '../../services/index.js';
import type { Surface } from '../../services/index.js';

/** Every failure leaves in the caller's own error shape; a bug is a 500 for that request only. */
export function installErrorHandlers(app: FastifyInstance, surfaceOf: (url: string) => Surface): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const err = fromFastify(error);
    if (!(error instanceof GatewayError) && err.status >= 500) request.log.error({ err: error }, 'request failed');
    else if (err.status >= 500) request.log.warn({ code: err.code, msg: err.message }, 'request refused');
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    if (err.headers) void reply.headers(err.headers);
    void reply.code(err.status).header('content-type', 'application/json').send(errorBody(surfaceOf(request.url), err));
  });

  app.setNotFoundHandler((request, reply) => {
    const err = new GatewayError('TG_ERR_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`);
    void reply.code(404).send(errorBody(surfaceOf(request.url), err));
  });
}

function fromFastify(error: FastifyError): GatewayError {
  if (error instanceof GatewayError) return error;
  const status = error.statusCode ?? 500;
  if (status === 413) return new GatewayError('TG_ERR_PAYLOAD_TOO_LARGE', 'Request body is too large.');
  if (status >= 400 && status < 500 && error.code?.startsWith('FST_')) {
    return new GatewayError('TG_ERR_BAD_REQUEST', error.message);
  }
  return asGatewayError(error);
}
