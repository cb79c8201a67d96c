import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import type { Principal, Services } from '../../services/index.js';
import { clientKey } from '../plugins/client-key.js';

type Query = { Querystring: Record<string, string | undefined> };

/** Endpoints a client calls with its own key, about its own account (OpenAI error shape). */
export function accountRoutes(app: FastifyInstance, services: Services): void {
  // Keys come in headers only: the query string is Google's way (native /google mount) and ends up in logs.
  const authenticate = (request: FastifyRequest): Promise<Principal> => services.auth.authenticate(clientKey(request.headers));

  // The key's own calls; `scope=account` widens to every key of the account for keys allowed to see the balance.
  app.get<Query>('/v1/requests', async (request) => {
    const principal = await authenticate(request);
    const { scope, key: _key, ...query } = request.query;
    if (scope === 'account') {
      if (!principal.allowBalance) throw new GatewayError('TG_ERR_FORBIDDEN', 'This key may not read the account: enable allow_balance on it.');
      return services.history.requests({ userId: principal.userId }, query);
    }
    return services.history.requests({ keyId: principal.keyId }, query);
  });

  // ProxyAPI's own balance method: only for keys with allow_balance (403 otherwise).
  app.get('/proxyapi/balance', async (request) => services.balance.proxyApiBalance(await authenticate(request)));
  // Botech's profile, balance and usage of the calling key (any valid key).
  app.get('/v1/me', async (request) => services.balance.me(await authenticate(request)));
  app.get('/v1/balance', async (request) => services.balance.balance(await authenticate(request)));
  app.get('/v1/usage', async (request) => services.balance.usage(await authenticate(request)));
}
