// Main-thread CPU of the SQLite billing store per billed call, without HTTP: admission and settlement
// (journal, pending charge, history row) of STORE_CALLS calls, 50 at a time, through SqliteBillingRepo
// on a database file, its batches written (a) on the main thread (the in-thread writer, i.e. what every
// batch cost the event loop before the writer thread) and (b) by the writer thread. CPU from
// /proc/self/task/<tid>/schedstat (ns on a CPU), so another load on the machine changes little. Runs
// alternate, STORE_RUNS each; medians. Usage: node --import tsx bench/store-writer-cpu.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDb, type Db, type NewRequestRow } from '../src/store/index.js';
import { SqliteBillingRepo } from '../src/store/repos/billing-sqlite.js';
import { InThreadWriter, type SqliteWriter } from '../src/store/sqlite-writer.js';

const CALLS = Number(process.env.STORE_CALLS ?? 20_000);
const RUNS = Number(process.env.STORE_RUNS ?? 3);
const AT_ONCE = 50;
const NOW = Date.now();

const runNs = (tid: number | string) => Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
const otherThreadsNs = () =>
  readdirSync('/proc/self/task')
    .filter((tid) => Number(tid) !== process.pid)
    .reduce((sum, tid) => sum + runNs(tid), 0);

function historyRow(id: string, userId: string, keyId: string): NewRequestRow {
  return {
    id, user_id: userId, key_id: keyId, surface: 'openai', provider: 'openai', model: 'gpt-4o-mini', method: 'POST', path: '/v1/chat/completions',
    status: 200, latency_ms: 3, error: null, upstream_request_id: `chatcmpl-${id}`, stream: 0, created_at: NOW, input_tokens: 12, cached_tokens: 0,
    cache_write_tokens: null, output_tokens: 20, reasoning_tokens: 0, usage_source: 'reported', cost_micro: 1300, cost_usd: '0.0000137',
    usd_rub_rate: '95', price_version: null, reported_usage: null,
  };
}

async function account(db: Db): Promise<{ userId: string; keyId: string }> {
  const userId = 'usr_bench';
  const keyId = 'key_bench';
  await db.kysely
    .insertInto('users')
    .values({ id: userId, email: 'bench@example.com', password_hash: null, status: 'active', balance_micro: 1e15, created_at: NOW, updated_at: NOW })
    .execute();
  await db.kysely
    .insertInto('api_keys')
    .values({
      id: keyId, user_id: userId, key_hash: 'hash', prefix: 'tg-x', name: null, status: 'active', allow_balance: 0, budget_limit_micro: null, models: null,
      monthly_limit_micro: null, monthly_used_micro: 0, monthly_period: null, expires_at: null, created_at: NOW, last_used_at: null, revoked_at: null,
    })
    .execute();
  return { userId, keyId };
}

/** Main-thread and other threads' CPU (µs) per call, for one writer. */
async function run(kind: 'main thread' | 'writer thread'): Promise<{ main: number; others: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-store-cpu-'));
  const db = await openDb(`sqlite:${join(dir, 'bench.db')}`, undefined);
  try {
    await migrateToLatest(db);
    const who = await account(db);
    const writer: SqliteWriter = kind === 'main thread' ? new InThreadWriter(db.sqlite!) : db.writer!;
    const repo = new SqliteBillingRepo(db.sqlite!, writer, join(dir, 'bench.db.charges'));
    await repo.checkWritable(NOW); // starts the writer thread before the measurement
    const call = async (n: number) => {
      const requestId = `req_${kind[0]}_${n}`;
      const admitted = historyRow(requestId, who.userId, who.keyId);
      await repo.reserve({ requestId, ...who, amountMicro: 5000, period: '2026-12', nodeId: 'bench', now: NOW, expiresAt: NOW + 60_000, request: admitted });
      await repo.settle({
        requestId, ...who, costMicro: 1300, costUsd: '0.0000137', usdNano: 13_700, usdRubRate: '95', period: '2026-12', ledgerId: `led_${n}`, now: NOW,
        request: historyRow(requestId, who.userId, who.keyId),
      });
    };
    const [main0, others0] = [runNs(process.pid), otherThreadsNs()];
    for (let i = 0; i < CALLS; i += AT_ONCE) {
      await Promise.all(Array.from({ length: AT_ONCE }, (_, j) => call(i + j)));
      // Lets the 20 ms batch timer fire about as often as under load.
      if (i % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await repo.flush();
    const [main1, others1] = [runNs(process.pid), otherThreadsNs()];
    repo.close();
    if (writer !== db.writer) await writer.close();
    return { main: (main1 - main0) / 1000 / CALLS, others: (others1 - others0) / 1000 / CALLS };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = new Map<string, Array<{ main: number; others: number }>>([['main thread', []], ['writer thread', []]]);
for (let i = 0; i < RUNS; i++) {
  for (const kind of ['main thread', 'writer thread'] as const) {
    const r = await run(kind);
    results.get(kind)!.push(r);
    console.log(`run ${i + 1}, batches on the ${kind}: main thread ${r.main.toFixed(1)} µs/call, other threads ${r.others.toFixed(1)} µs/call`);
  }
}
for (const [kind, rs] of results) {
  console.log(`batches on the ${kind}: median main thread ${median(rs.map((r) => r.main)).toFixed(1)} µs/call, other threads ${median(rs.map((r) => r.others)).toFixed(1)} µs/call (${CALLS} calls × ${RUNS})`);
}
