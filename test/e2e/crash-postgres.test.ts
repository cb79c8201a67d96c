import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { postgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { startProcess, type Running } from '../helpers/process.js';
import { startMock, type MockUpstream } from '../mocks/index.js';

const ADMIN = 'crash-test-admin-token-0123456789';
const LEASE_MS = 1500;

let database: TestDatabase;
let mock: MockUpstream;
before(async () => {
  database = await postgresDatabase();
  mock = await startMock('openai', { streamChunks: 6 });
});
after(async () => {
  await mock.close();
  await database.drop();
});

async function admin(gw: Running, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(gw.url + path, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
}

/** A stream that the upstream stalls after two chunks: it holds money until it is aborted or its node dies. */
function stalledStream(url: string, key: string, signal: AbortSignal): Promise<void> {
  return fetch(`${url}/openai/v1/chat/completions`, {
    method: 'POST',
    signal,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', max_completion_tokens: 50, stream: true, messages: [{ role: 'user', content: 'stall' }] }),
  }).then(
    (res) => res.text().then(() => undefined, () => undefined),
    () => undefined,
  );
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('PostgreSQL, two nodes with random ids: a node SIGKILLed mid-stream has its holds released by the other within its lease, its calls interrupted and charged by the rule', async () => {
  const env = { ADMIN_TOKEN: ADMIN, DATABASE_URL: database.url, OPENAI_API_KEY: 'sk-crash-upstream', OPENAI_BASE_URL: mock.url, NODE_LEASE_MS: String(LEASE_MS) };
  const a = await startProcess(env, database.dir);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const aborts = new AbortController();
  let b: Running | undefined;
  try {
    await admin(a, 'PUT', '/admin/settings', { usd_rub_rate: '100' });
    const user = await admin(a, 'POST', '/admin/users', { email: 'crash-pg@example.com' });
    await admin(a, 'POST', `/admin/users/${user.id}/credit`, { amount: '100' });
    const { key } = await admin(a, 'POST', `/admin/users/${user.id}/keys`, {});
    b = await startProcess(env, database.dir); // started after the rate is set: it reads settings at start
    mock.setFault({ stallAfterChunks: 2 });

    const streams = [...Array.from({ length: 5 }, () => stalledStream(a.url, key, aborts.signal)), stalledStream(b.url, key, aborts.signal)];
    const nodes = await waitFor('six holds on two nodes', async () => {
      const { rows } = await client.query<{ node_id: string; count: string }>('select node_id, count(*) from holds where user_id = $1 group by node_id', [user.id]);
      const total = rows.reduce((sum, r) => sum + Number(r.count), 0);
      return total === 6 && rows.length === 2 ? rows : undefined;
    });
    const dead = nodes.find((r) => Number(r.count) === 5)!.node_id;
    const alive = nodes.find((r) => Number(r.count) === 1)!.node_id;
    assert.notEqual(dead, alive, 'each process took its own random node id');

    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    await waitFor("the dead node's holds released", async () => {
      const { rows } = await client.query('select 1 from holds where node_id = $1', [dead]);
      return rows.length === 0 ? true : undefined;
    });
    assert.ok(Date.now() - killedAt < 4 * LEASE_MS + 2000, `released within the lease (${Date.now() - killedAt} ms)`);

    const { rows: interrupted } = await client.query('select * from requests where user_id = $1 and error = $2', [user.id, 'interrupted']);
    assert.equal(interrupted.length, 5, "the dead node's calls are in history as interrupted");
    for (const row of interrupted) {
      const { rows: charges } = await client.query('select * from ledger_entries where request_id = $1', [row.id]);
      assert.equal(charges.length, 1, 'charged once');
      assert.match(charges[0].note, /interrupted/);
      assert.equal(-Number(charges[0].amount_micro), Number(row.cost_micro), "history's cost is the ledger's charge");
      assert.ok(Number(row.input_tokens) > 0 && Number(row.output_tokens) === 0);
    }
    const { rows: live } = await client.query('select * from holds where user_id = $1', [user.id]);
    assert.deepEqual(live.map((h) => h.node_id), [alive], "the live node's call keeps its hold");

    aborts.abort(); // the live call ends: its hold is released
    await Promise.all(streams);
    const money = await waitFor('no hold left', async () => {
      const { rows } = await client.query('select balance_micro, held_micro from users where id = $1', [user.id]);
      return Number(rows[0].held_micro) === 0 ? rows[0] : undefined;
    });
    const { rows: sum } = await client.query('select coalesce(sum(amount_micro), 0) as total from ledger_entries where user_id = $1', [user.id]);
    assert.equal(Number(sum[0].total), Number(money.balance_micro), 'Σ ledger = balance');
  } finally {
    aborts.abort();
    mock.setFault(undefined);
    await client.end();
    b?.child.kill('SIGTERM');
    await b?.exited;
    if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
  }
});
