import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { createStore, migrateToLatest, openDb, type Db, type SettleArgs } from '../../src/store/index.js';
import { SqliteBillingRepo } from '../../src/store/repos/billing-sqlite.js';
import type { SqliteWriter } from '../../src/store/sqlite-writer.js';
import { WorkerWriter, type WriterFault } from '../../src/store/sqlite-writer-thread.js';
import type { WriteJob } from '../../src/store/write-jobs.js';

const NOW = Date.UTC(2026, 10, 22, 12);
const PERIOD = '2026-11';
let ids = 0;
const id = (prefix: string) => `${prefix}_${process.pid}_${++ids}`;

interface Who {
  userId: string;
  keyId: string;
}

/** An account with `balance` micro-rubles and one key without limits. */
async function account(db: Db, balance: number): Promise<Who> {
  const userId = id('usr');
  const keyId = id('key');
  await db.kysely
    .insertInto('users')
    .values({ id: userId, email: `${userId}@example.com`, password_hash: null, status: 'active', balance_micro: balance, created_at: NOW, updated_at: NOW })
    .execute();
  await db.kysely
    .insertInto('api_keys')
    .values({
      id: keyId, user_id: userId, key_hash: id('hash'), prefix: 'tg-x', name: null, status: 'active', allow_balance: 0, budget_limit_micro: null,
      models: null, monthly_limit_micro: null, monthly_used_micro: 0, monthly_period: null, expires_at: null, created_at: NOW, last_used_at: null, revoked_at: null,
    })
    .execute();
  return { userId, keyId };
}

const reserve = (repo: SqliteBillingRepo, who: Who, amount: number, requestId: string, now = NOW) =>
  repo.reserve({ requestId, ...who, amountMicro: amount, period: PERIOD, nodeId: 'node-a', now, expiresAt: now + 60_000 });
const settle = (repo: SqliteBillingRepo, who: Who, requestId: string, cost: number, extra: Partial<SettleArgs> = {}) =>
  repo.settle({ requestId, ...who, costMicro: cost, costUsd: '0.01', usdNano: 10_000_000, usdRubRate: '100', period: PERIOD, ledgerId: id('led'), now: NOW, ...extra });
const balanceOf = async (db: Db, userId: string) => (await db.kysely.selectFrom('users').select('balance_micro').where('id', '=', userId).executeTakeFirstOrThrow()).balance_micro;
const chargesOf = (db: Db, requestId: string) => db.kysely.selectFrom('ledger_entries').selectAll().where('request_id', '=', requestId).execute();

function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** A writer whose jobs can be held before they reach the real writer (not committed) and after it committed (not yet answered). */
class GatedWriter implements SqliteWriter {
  beforeSend: ReturnType<typeof gate> | undefined;
  beforeAnswer: ReturnType<typeof gate> | undefined;
  readonly reachedSend = gate();
  readonly committed = gate();

  constructor(private readonly inner: SqliteWriter) {}

  async run(job: WriteJob): Promise<void> {
    this.reachedSend.open();
    await this.beforeSend?.opened;
    await this.inner.run(job);
    this.committed.open();
    await this.beforeAnswer?.opened;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

for (const where of ['file', 'memory'] as const) {
  describe(`SQLite billing with its batches written ${where === 'file' ? 'by the writer thread' : 'on the main thread (in memory)'}`, () => {
    let dir: string;
    let db: Db;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tollgate-writer-'));
      db = await openDb(where === 'file' ? `sqlite:${join(dir, 'tollgate.db')}` : 'sqlite::memory:', undefined);
      await migrateToLatest(db);
    });
    after(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('counts a charge against the money until its batch is confirmed, then trusts no balance read before the commit', async () => {
      const writer = new GatedWriter(db.writer!);
      const repo = new SqliteBillingRepo(db.sqlite!, writer);
      const who = await account(db, 1000);
      const first = id('req');
      assert.equal(await reserve(repo, who, 600, first), 'ok'); // reads (and caches) the balance: 1000
      assert.equal(await settle(repo, who, first, 600), 600);

      writer.beforeSend = gate();
      writer.beforeAnswer = gate();
      const flushed = repo.flush();
      await writer.reachedSend.opened;
      assert.equal(await reserve(repo, who, 500, id('req'), NOW + 100), 'balance', 'sent, not committed: the pending 600 still counts');
      writer.beforeSend.open();
      await writer.committed.opened;
      assert.equal(await balanceOf(db, who.userId), 400, 'committed');
      assert.equal(await reserve(repo, who, 500, id('req'), NOW + 200), 'balance', 'committed, not yet confirmed: still counted once');
      writer.beforeAnswer.open();
      await flushed;
      // Within a second of the first read: a balance cached before the commit, without the pending 600, would admit this.
      assert.equal(await reserve(repo, who, 500, id('req'), NOW + 300), 'balance', 'confirmed: the balance is read again');
      assert.equal(await reserve(repo, who, 400, id('req'), NOW + 300), 'ok', 'what is left can be held');
      assert.deepEqual(repo.unwritten(), []);
    });

    it('charges in full a settlement computed while the batch before it is committed but unconfirmed', async () => {
      const writer = new GatedWriter(db.writer!);
      const repo = new SqliteBillingRepo(db.sqlite!, writer);
      const who = await account(db, 1000);
      const [first, second] = [id('req'), id('req')];
      assert.equal(await reserve(repo, who, 600, first), 'ok');
      assert.equal(await reserve(repo, who, 300, second), 'ok');
      assert.equal(await settle(repo, who, first, 600), 600);
      writer.beforeAnswer = gate();
      const flushed = repo.flush();
      await writer.committed.opened;
      // The cached balance has aged past a second; a fresh read (400, with the 600 still pending) would cap this at 0.
      assert.equal(await settle(repo, who, second, 300, { now: NOW + 5000 }), 300);
      writer.beforeAnswer.open();
      await flushed;
      await repo.flush();
      assert.equal(await balanceOf(db, who.userId), 100);
      const rows = await db.kysely.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', who.userId).execute();
      assert.equal(1000 + rows.reduce((sum, r) => sum + r.amount_micro, 0), 100, 'Σ ledger = balance');
    });

    it('keeps a batch the store refuses, refuses admissions meanwhile, and writes it once the store takes it', async () => {
      const repo = new SqliteBillingRepo(db.sqlite!, db.writer!);
      const who = await account(db, 1000);
      const requestId = id('req');
      assert.equal(await reserve(repo, who, 300, requestId), 'ok');
      db.sqlite!.exec(`create trigger refuse_charges before insert on ledger_entries begin select raise(abort, 'refused by the test'); end`);
      try {
        assert.equal(await settle(repo, who, requestId, 200), 200);
        await assert.rejects(repo.flush(), /refused by the test/);
        assert.equal(repo.failing(), true);
        await assert.rejects(reserve(repo, who, 10, id('req')), { code: 'TG_STORE_WRITE_FAILING' });
        assert.deepEqual(repo.unwritten().map((c) => c.requestId), [requestId]);
      } finally {
        db.sqlite!.exec('drop trigger refuse_charges');
      }
      const deadline = Date.now() + 5000;
      while (repo.failing()) {
        assert.ok(Date.now() < deadline, 'the batch is retried within seconds');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(repo.unwritten(), []);
      assert.equal(await balanceOf(db, who.userId), 800);
      assert.equal((await chargesOf(db, requestId)).length, 1);
      assert.equal(await reserve(repo, who, 10, id('req')), 'ok', 'admissions resume');
    });

    it('writes history rows and key use through the writer; a key’s last use never moves back', async () => {
      const store = createStore(db);
      const who = await account(db, 0);
      const row = (n: number) => ({
        id: id('req'), user_id: who.userId, key_id: who.keyId, surface: 'openai', provider: 'openai', model: 'gpt-4o-mini', method: 'GET',
        path: '/v1/models', status: 200, latency_ms: n, error: null, stream: 0, created_at: NOW + n,
      });
      const rows = [row(1), row(2)];
      await store.requests.insertMany(rows);
      await store.requests.insertMany(rows); // a retried batch is harmless
      const written = await db.kysely.selectFrom('requests').select(['id', 'latency_ms']).where('key_id', '=', who.keyId).orderBy('id').execute();
      assert.deepEqual(written, rows.map((r) => ({ id: r.id, latency_ms: r.latency_ms })));
      await store.keys.touch(new Map([[who.keyId, NOW + 5000]]));
      await store.keys.touch(new Map([[who.keyId, NOW + 4000]]));
      assert.equal((await store.keys.findById(who.keyId))!.last_used_at, NOW + 5000);
    });
  });
}

describe('the SQLite writer thread', () => {
  let dir: string;
  let file: string;
  let db: Db;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-writer-thread-'));
    file = join(dir, 'tollgate.db');
    db = await openDb(`sqlite:${file}`, undefined);
    await migrateToLatest(db);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const fault of ['exit-before-commit', 'exit-after-commit'] as WriterFault[]) {
    it(`is replaced when it dies (${fault}) and its unconfirmed batch is sent again, charged once`, async () => {
      const writer = new WorkerWriter(file, { fault });
      const repo = new SqliteBillingRepo(db.sqlite!, writer);
      try {
        const who = await account(db, 1000);
        const requestId = id('req');
        assert.equal(await reserve(repo, who, 300, requestId), 'ok');
        assert.equal(await settle(repo, who, requestId, 200), 200);
        await repo.flush();
        assert.equal(writer.threadsStarted, 2, 'a second thread took over');
        assert.equal(repo.failing(), false);
        assert.equal(await balanceOf(db, who.userId), 800, 'charged once');
        assert.equal((await chargesOf(db, requestId)).length, 1);
      } finally {
        await writer.close();
      }
    });
  }

  it('refuses a job on which threads keep dying (here: the file cannot be opened)', async () => {
    const writer = new WorkerWriter(dir); // a directory: every thread dies opening it
    await assert.rejects(writer.run({ kind: 'touch', keys: [] }), { code: 'TG_STORE_WRITER_DIED' });
    assert.equal(writer.threadsStarted, 3);
    await writer.close();
  });

  it('waits for the write lock another connection holds (busy_timeout) instead of failing', async () => {
    const repo = new SqliteBillingRepo(db.sqlite!, db.writer!);
    const who = await account(db, 1000);
    const requestId = id('req');
    assert.equal(await reserve(repo, who, 300, requestId), 'ok');
    assert.equal(await settle(repo, who, requestId, 200), 200);
    const other = new SQLite(file);
    other.exec('begin immediate');
    const flushed = repo.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(repo.unwritten().map((c) => c.requestId), [requestId], 'the batch waits for the lock');
    other.exec('commit');
    other.close();
    await flushed;
    assert.equal(repo.failing(), false);
    assert.equal(await balanceOf(db, who.userId), 800);
  });

  it('closes only after the jobs sent before, and refuses jobs after', async () => {
    const writer = new WorkerWriter(file);
    const who = await account(db, 0);
    const job = writer.run({ kind: 'touch', keys: [[who.keyId, NOW + 7000]] });
    await writer.close();
    await job;
    const row = await db.kysely.selectFrom('api_keys').select('last_used_at').where('id', '=', who.keyId).executeTakeFirstOrThrow();
    assert.equal(row.last_used_at, NOW + 7000);
    await assert.rejects(writer.run({ kind: 'touch', keys: [] }), /closed/);
  });
});
