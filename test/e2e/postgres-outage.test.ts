import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { postgresBaseUrl, postgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** A TCP proxy to PostgreSQL that the test can cut (every connection dropped, new ones refused) and restore. */
async function startCuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => s.destroy());
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    port: () => port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server!.close(() => resolve());
      }),
    restore: listen,
  };
}

let database: TestDatabase;
let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
let stack: Stack;
before(async () => {
  database = await postgresDatabase();
  const base = new URL(postgresBaseUrl());
  proxy = await startCuttableProxy({ host: base.hostname, port: Number(base.port || 5432) });
  const viaProxy = new URL(database.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port());
  stack = await startStack({ KEY_CACHE_MS: '0' }, { ...database, url: viaProxy.toString() });
});
after(async () => {
  await stack.close();
  await proxy.cut();
  await database.drop();
});

test('PostgreSQL unreachable while serving: paid calls get 503 in their surface shape, nothing is forwarded; service resumes with the database', async () => {
  const call = (path: string, body: object) =>
    fetch(stack.gw.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'x-api-key': stack.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
    });
  const openai = () => call('/openai/v1/chat/completions', { model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  const anthropic = () => call('/anthropic/v1/messages', { model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal((await openai()).status, 200);

  await proxy.cut();
  const forwarded = stack.openai.requests.length + stack.anthropic.requests.length;
  const refused = await openai();
  assert.equal(refused.status, 503);
  const body = (await refused.json()) as { error: { message: string; type: string } };
  assert.match(body.error.message, /database/);
  const shaped = await anthropic();
  assert.equal(shaped.status, 503);
  assert.equal(((await shaped.json()) as { type: string }).type, 'error', 'in the Anthropic shape');
  assert.equal(stack.openai.requests.length + stack.anthropic.requests.length, forwarded, 'nothing forwarded while admission cannot be recorded');
  assert.equal((await fetch(`${stack.gw.url}/ready`)).status, 503);
  assert.ok(!stack.gw.logs.some((line) => line.includes('"level":50') && line.includes('native request failed')), 'an outage is not logged as a gateway bug');

  await proxy.restore();
  const deadline = Date.now() + 10_000;
  let status = 0;
  while (Date.now() < deadline && status !== 200) {
    status = (await openai()).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(status, 200, 'served again once the database is back');
});
