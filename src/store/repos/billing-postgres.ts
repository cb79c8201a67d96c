import { sql, type Kysely } from 'kysely';
import { isUniqueViolation } from '../errors.js';
import type { Database } from '../schema.js';
import type { BillingRepo, OrphanHold, ReserveArgs, ReserveOutcome, SettleArgs, SettleOutcome } from './billing-repo.js';

/** Epoch milliseconds on the database server's clock: every node's lease is judged by the same clock. */
const DB_NOW_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Admission and settlement on PostgreSQL: one call of a SQL function each (migrations/pg-billing-functions.ts). */
export class PostgresBillingRepo implements BillingRepo {
  private writesFailing = false;

  constructor(private readonly db: Kysely<Database>) {}

  async reserve(a: ReserveArgs): Promise<ReserveOutcome> {
    const request = a.request ? JSON.stringify(a.request) : null;
    const { rows } = await this.track(
      sql<{ outcome: ReserveOutcome }>`select tollgate_reserve(${a.requestId}, ${a.userId}, ${a.keyId},
      ${a.amountMicro}::bigint, ${a.period}, ${a.nodeId}, ${a.now}::bigint, ${a.expiresAt}::bigint, ${request}::jsonb) as outcome`.execute(this.db),
    );
    return rows[0]!.outcome;
  }

  async settle(a: SettleArgs): Promise<SettleOutcome> {
    const request = a.request ? JSON.stringify(a.request) : null;
    try {
      const { rows } = await this.track(
        sql<{ charged: number | string }>`select tollgate_settle(${a.requestId}, ${a.userId}, ${a.keyId},
        ${a.costMicro}::bigint, ${a.costUsd}, ${a.usdNano}::bigint, ${a.usdRubRate}, ${a.period}, ${a.ledgerId},
        ${a.now}::bigint, ${request}::jsonb, ${a.note ?? null}) as charged`.execute(this.db),
      );
      const charged = Number(rows[0]!.charged);
      return charged < 0 ? 'duplicate' : charged;
    } catch (err) {
      // Two settlements of one request racing past the hold: the ledger's unique index stops the second.
      if (isUniqueViolation(err)) return 'duplicate';
      throw err;
    }
  }

  async release(requestId: string): Promise<boolean> {
    const { rows } = await sql<{ released: boolean }>`select tollgate_release(${requestId}) as released`.execute(this.db);
    return rows[0]!.released === true;
  }

  async flush(): Promise<void> {}

  forget(): void {}

  localHolds(): { userMicro: number; keyMicro: number } {
    return { userMicro: 0, keyMicro: 0 };
  }

  async staleHolds(filter: { expiredAt?: number; nodeId?: string; all?: boolean }, limit: number): Promise<string[]> {
    let query = this.db.selectFrom('holds').select('request_id').orderBy('created_at').limit(limit);
    if (!filter.all) {
      query = query.where((eb) =>
        eb.or([
          ...(filter.expiredAt !== undefined ? [eb('expires_at', '<', filter.expiredAt)] : []),
          ...(filter.nodeId !== undefined ? [eb('node_id', '=', filter.nodeId)] : []),
        ]),
      );
    }
    return (await query.execute()).map((row) => row.request_id);
  }

  async heartbeat(nodeId: string, startedAt: number, leaseMs: number): Promise<void> {
    await sql`insert into nodes (id, started_at, lease_until) values (${nodeId}, ${startedAt}::bigint, ${DB_NOW_MS} + ${leaseMs}::bigint)
      on conflict (id) do update set lease_until = excluded.lease_until, started_at = excluded.started_at`.execute(this.db);
    // Every start takes a new random id by default: leases dead for a day (and their holds settled) go.
    await sql`delete from nodes n where n.lease_until < ${DB_NOW_MS} - 86400000
      and not exists (select 1 from holds h where h.node_id = n.id)`.execute(this.db);
  }

  async orphanHolds(filter: { nodeId: string; startedBefore: number }, limit: number): Promise<OrphanHold[]> {
    const { rows } = await sql<{ request_id: string; user_id: string; key_id: string }>`
      select h.request_id, h.user_id, h.key_id from holds h
       where (h.node_id = ${filter.nodeId} and h.created_at < ${filter.startedBefore}::bigint)
          or (h.node_id <> ${filter.nodeId}
              and not exists (select 1 from nodes n where n.id = h.node_id and n.lease_until > ${DB_NOW_MS}))
       order by h.created_at limit ${limit}`.execute(this.db);
    return rows.map((r) => ({ requestId: r.request_id, userId: r.user_id, keyId: r.key_id }));
  }

  close(): void {}

  async interruptedOnStart(): Promise<[]> {
    return [];
  }

  unwritten(): [] {
    return [];
  }

  failing(): boolean {
    return this.writesFailing;
  }

  async checkWritable(now: number): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key: 'store_write_check', value: new Date(now).toISOString(), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: new Date(now).toISOString(), updated_at: now }))
      .execute();
  }

  /** Remembers whether the last admission or charge could be written, for readiness. */
  private async track<T>(write: Promise<T>): Promise<T> {
    try {
      const result = await write;
      this.writesFailing = false;
      return result;
    } catch (err) {
      if (!isUniqueViolation(err)) this.writesFailing = true;
      throw err;
    }
  }
}
