import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN } from '../helpers/gateway.js';
import { ROOT, startProcess } from '../helpers/process.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const PARALLEL = 300;
const CREDIT_RUB = '5';

/**
 * 300 calls at once against an account that can afford only some of them (each holds ~0.11 RUB of a
 * 5 RUB balance while the slowed provider answers). Afterwards: no overspend, Σ ledger = balance, no hold
 * left, one charge per answered call.
 */
async function burst(urls: readonly string[], key: string): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  await Promise.all(
    Array.from({ length: PARALLEL }, async (_, i) => {
      const res = await fetch(`${urls[i % urls.length]}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', max_completion_tokens: 100, messages: [{ role: 'user', content: `request number ${i}` }] }),
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }),
  );
  return statuses;
}

async function checkMoney(stack: Stack, userId: string, keyId: string, statuses: Map<number, number>): Promise<void> {
  const db = stack.gw.app.store.db.kysely;
  await waitFor(async () => (await db.selectFrom('holds').select('request_id').where('user_id', '=', userId).execute()).length === 0);
  await waitFor(async () => stack.gw.app.store.billing.localHolds(userId, keyId).userMicro === 0);
  await stack.gw.app.billing.idle();
  const ok = statuses.get(200) ?? 0;
  const refused = statuses.get(402) ?? 0;
  assert.equal(ok + refused, PARALLEL, `only 200 and 402: ${JSON.stringify([...statuses])}`);
  assert.ok(ok >= 30, `the affordable calls went through (${ok})`);
  assert.ok(refused > 0, 'some calls were refused: the balance could not cover all of them at once');

  const user = await db.selectFrom('users').select(['balance_micro', 'held_micro']).where('id', '=', userId).executeTakeFirstOrThrow();
  const ledger = await db.selectFrom('ledger_entries').selectAll().where('user_id', '=', userId).execute();
  const charges = ledger.filter((row) => row.kind === 'charge');
  const credits = ledger.filter((row) => row.kind === 'credit').reduce((sum, row) => sum + row.amount_micro, 0);
  const spent = -charges.reduce((sum, row) => sum + row.amount_micro, 0);
  assert.ok(spent <= credits, `no overspend: spent ${spent} of ${credits}`);
  assert.ok(user.balance_micro >= 0);
  assert.equal(user.held_micro, 0, 'nothing left held on the account');
  assert.deepEqual(stack.gw.app.store.billing.localHolds(userId, keyId), { userMicro: 0, keyMicro: 0 });
  assert.equal(ledger.reduce((sum, row) => sum + row.amount_micro, 0), user.balance_micro, 'Σ ledger = balance');
  assert.equal(charges.length, ok, 'one charge per answered call');
  assert.equal(new Set(charges.map((row) => row.request_id)).size, charges.length, 'nothing charged twice');
  const key = await db.selectFrom('api_keys').select(['held_micro', 'budget_used_micro']).where('id', '=', keyId).executeTakeFirstOrThrow();
  assert.equal(key.held_micro, 0);
  assert.equal(key.budget_used_micro, spent);
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`${PARALLEL} concurrent calls on ${kind}`, () => {
    let database: TestDatabase;
    let stack: Stack;
    before(async () => {
      database = kind === 'sqlite' ? sqliteDatabase() : await postgresDatabase();
      stack = await startStack({ CATALOG_DIR: FIXTURES }, database);
    });
    after(async () => {
      await stack.close();
      await database.drop();
    });

    test('never overspend, never leave a hold, never charge twice', async () => {
      const { key, userId, keyId } = await stack.gw.newKey({ credit: CREDIT_RUB });
      stack.openai.setFault({ delayHeadersMs: 300 });
      try {
        await checkMoney(stack, userId, keyId, await burst([stack.gw.url], key));
      } finally {
        stack.openai.setFault(undefined);
      }
    });
  });
}

describe('two gateway processes sharing one PostgreSQL', () => {
  let database: TestDatabase;
  let stack: Stack;
  let child: ChildProcess | undefined;
  let childUrl: string;
  before(async () => {
    database = await postgresDatabase();
    stack = await startStack({ CATALOG_DIR: FIXTURES }, database);
    ({ child, url: childUrl } = await startProcess({
      DATABASE_URL: database.url,
      ADMIN_TOKEN,
      CATALOG_DIR: FIXTURES,
      OPENAI_API_KEY: UPSTREAM_KEYS.openai,
      OPENAI_BASE_URL: stack.openai.url,
      HISTORY_FLUSH_MS: '5',
    }, ROOT));
  });
  after(async () => {
    child?.kill('SIGTERM');
    await stack.close();
    await database.drop();
  });

  test('never overspend across nodes', async () => {
    const { key, userId, keyId } = await stack.gw.newKey({ credit: CREDIT_RUB });
    stack.openai.setFault({ delayHeadersMs: 300 });
    try {
      const statuses = await burst([stack.gw.url, childUrl], key);
      await checkMoney(stack, userId, keyId, statuses);
    } finally {
      stack.openai.setFault(undefined);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
