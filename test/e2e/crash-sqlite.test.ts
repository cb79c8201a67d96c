import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { startMock, type MockUpstream } from '../mocks/index.js';
import { startProcess, type Running } from '../helpers/process.js';

const ADMIN = 'crash-test-admin-token-0123456789';
const WORKERS = 40;

/** One call; resolves with its upstream request id when the client received the whole answer, else undefined. */
async function call(url: string, key: string, stream: boolean, n: number): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_completion_tokens: 40, stream, messages: [{ role: 'user', content: `call number ${n}` }] }),
    });
    const text = await res.text(); // throws when the body is cut
    if (res.status !== 200) return undefined;
    if (stream ? !text.includes('data: [DONE]') : !('usage' in JSON.parse(text))) return undefined;
    return res.headers.get('x-request-id') ?? undefined;
  } catch {
    return undefined;
  }
}

let dir: string;
let mock: MockUpstream;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-crash-'));
  mock = await startMock('openai', { streamChunks: 6 });
  mock.setFault({ chunkDelayMs: 40 }); // streams last a quarter second: some are always in flight
});
after(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ADMIN_TOKEN: ADMIN, DATABASE_URL: `sqlite:${join(dir, 'tollgate.db')}`, OPENAI_API_KEY: 'sk-crash-upstream', OPENAI_BASE_URL: mock.url });

async function admin(gw: Running, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(gw.url + path, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
}

test('SQLite, SIGKILL under load: every answer delivered in full is charged, the calls in flight show as interrupted and are charged by the rule, Σ ledger = balance', async () => {
  const first = await startProcess(env(), dir);
  await admin(first, 'PUT', '/admin/settings', { usd_rub_rate: '100' });
  const user = await admin(first, 'POST', '/admin/users', { email: 'crash@example.com' });
  await admin(first, 'POST', `/admin/users/${user.id}/credit`, { amount: '1000' });
  const { key } = await admin(first, 'POST', `/admin/users/${user.id}/keys`, {});

  const delivered: string[] = [];
  let calls = 0;
  let killed = false;
  const worker = async (w: number) => {
    while (!killed) {
      const id = await call(first.url, key, w % 2 === 0, calls++);
      if (id) delivered.push(id);
    }
  };
  const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  first.child.kill('SIGKILL');
  killed = true;
  await first.exited;
  await load;
  assert.ok(delivered.length >= 20, `calls were answered before the crash (${delivered.length} of ${calls})`);

  // The next start settles what the crash interrupted before it listens.
  const second = await startProcess(env(), dir);
  second.child.kill('SIGTERM');
  await second.exited;

  const db = new Database(join(dir, 'tollgate.db'), { readonly: true });
  try {
    const rows = db.prepare('select * from requests where user_id = ?').all(user.id) as Array<Record<string, any>>;
    const ledger = db.prepare('select * from ledger_entries where user_id = ?').all(user.id) as Array<Record<string, any>>;
    const balance = (db.prepare('select balance_micro from users where id = ?').get(user.id) as { balance_micro: number }).balance_micro;
    const charges = new Map(ledger.filter((l) => l.kind === 'charge').map((l) => [l.request_id as string, l]));
    const byUpstreamId = new Map(rows.map((r) => [r.upstream_request_id as string | null, r]));
    for (const id of delivered) {
      const row = byUpstreamId.get(id);
      assert.ok(row, `a delivered answer (${id}) has its history row`);
      assert.equal(row.status, 200);
      const charge = charges.get(row.id);
      assert.ok(charge, `a delivered answer (${id}) is charged`);
      assert.equal(-charge.amount_micro, row.cost_micro, "history's cost is the ledger's charge");
    }
    assert.equal(rows.filter((r) => r.error === 'in_flight').length, 0, 'nothing is left in flight after the restart');
    const interrupted = rows.filter((r) => r.error === 'interrupted');
    assert.ok(interrupted.length > 0, 'calls in flight at the crash are in history as interrupted');
    for (const row of interrupted) {
      assert.equal(row.status, 0);
      assert.ok(row.input_tokens > 0 && row.output_tokens === 0, 'charged the estimated input only');
      const charge = charges.get(row.id);
      assert.ok(charge && /interrupted/.test(charge.note ?? ''), `interrupted ${row.id} is charged by the rule`);
      assert.equal(-charge.amount_micro, row.cost_micro);
    }
    assert.equal(charges.size, rows.filter((r) => (r.cost_micro ?? 0) > 0).length, 'a charge for every costed row, none without one');
    assert.equal(ledger.reduce((sum, l) => sum + l.amount_micro, 0), balance, 'Σ ledger = balance');
    assert.ok(balance >= 0);
  } finally {
    db.close();
  }
});
