import Fastify, { type FastifyInstance } from 'fastify';
import { cabinetRoutes } from '../../src/http/surfaces/api/cabinet-routes.js';
import { installErrorHandlers } from '../../src/http/plugins/errors.js';
import { emptyJsonIsNoBody } from '../../src/http/plugins/json-body.js';
import type { TestGateway } from './gateway.js';

export interface Answer {
  status: number;
  body: any;
  /** The answer as sent, for asserting what never appears in it. */
  text: string;
}

export interface CabinetUser {
  userId: string;
  email: string;
  call(method: string, path: string, body?: unknown): Promise<Answer>;
}

export interface Cabinet {
  /** A new signed-in user, credited with `credit` rubles (default 1000). */
  newUser(credit?: string): Promise<CabinetUser>;
  /** A request with no session. */
  anonymous(method: string, path: string, body?: unknown): Promise<Answer>;
  close(): Promise<void>;
}

let users = 0;

/**
 * The cabinet's routes over the gateway's own services, with the signed-in account taken from a test header
 * (the session plugin's job in the server), so the routes' scoping is tested apart from the sessions'.
 */
export async function startCabinet(gw: TestGateway): Promise<Cabinet> {
  const app: FastifyInstance = Fastify();
  installErrorHandlers(app, () => 'openai');
  emptyJsonIsNoBody(app);
  app.decorateRequest('account', null);
  app.addHook('onRequest', async (request) => {
    const userId = request.headers['x-test-user'];
    request.account = typeof userId === 'string' ? { userId, email: `${userId}@example.com`, role: 'user', sessionId: 'ses_test' } : null;
  });
  await app.register(async (scope) => cabinetRoutes(scope, gw.app.services));
  await app.ready();

  const call = async (headers: Record<string, string>, method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await app.inject({
      method: method as 'GET',
      url: path,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, text: res.body };
  };

  return {
    async newUser(credit = '1000') {
      const email = `cabinet${++users}-${Date.now()}@example.com`;
      const user = await gw.admin('POST', '/admin/users', { email });
      if (user.status !== 201) throw new Error(`create user failed: ${JSON.stringify(user.body)}`);
      if (credit !== '0') await gw.admin('POST', `/admin/users/${user.body.id}/credit`, { amount: credit });
      const userId = user.body.id as string;
      return { userId, email, call: (method, path, body) => call({ 'x-test-user': userId }, method, path, body) };
    },
    anonymous: (method, path, body) => call({}, method, path, body),
    close: () => app.close(),
  };
}
