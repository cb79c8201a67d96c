import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/log.js';
import { PROVIDERS } from '../../src/providers/index.js';
import { sqliteDatabase, type TestDatabase } from './databases.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestGateway {
  app: App;
  url: string;
  database: TestDatabase;
  /** Every log line the gateway wrote, for asserting that secrets never appear. */
  logs: string[];
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A user with a balance and one key; returns the secret key. */
  newKey(options?: { credit?: string; key?: Record<string, unknown> }): Promise<{ userId: string; keyId: string; key: string }>;
  close(): Promise<void>;
}

/** Starts the real server on an ephemeral port with the given environment. */
export async function startGateway(
  env: Record<string, string> = {},
  database?: TestDatabase,
  options: { usdRubRate?: string | null } = {},
): Promise<TestGateway> {
  const db = database ?? sqliteDatabase();
  const config = loadConfig(
    PROVIDERS,
    { DATABASE_URL: db.url, ADMIN_TOKEN, PORT: '0', HISTORY_FLUSH_MS: '5', LOG_LEVEL: 'info', ...env },
    db.dir,
  );
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const app = await buildApp(config, { logger: createLogger(config.logLevel, sink) });
  await app.http.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.http.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  // Metered calls need a USD→RUB rate; 100 keeps expected charges easy to compute (1 micro-USD = 100 micro-RUB).
  const rate = options.usdRubRate === undefined ? '100' : options.usdRubRate;
  if (rate !== null) await app.services.billingSettings.update({ usd_rub_rate: rate });

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  let userCount = 0;
  const newKey = async (options: { credit?: string; key?: Record<string, unknown> } = {}) => {
    const user = await admin('POST', '/admin/users', { email: `user${++userCount}-${Date.now()}@example.com` });
    if (user.status !== 201) throw new Error(`create user failed: ${JSON.stringify(user.body)}`);
    if (options.credit !== '0') await admin('POST', `/admin/users/${user.body.id}/credit`, { amount: options.credit ?? '1000' });
    const key = await admin('POST', `/admin/users/${user.body.id}/keys`, options.key ?? {});
    if (key.status !== 201) throw new Error(`create key failed: ${JSON.stringify(key.body)}`);
    return { userId: user.body.id as string, keyId: key.body.id as string, key: key.body.key as string };
  };

  return {
    app,
    url,
    database: db,
    logs,
    admin,
    newKey,
    close: async () => {
      await app.http.close();
      await app.close();
      if (!database) await db.drop();
    },
  };
}
