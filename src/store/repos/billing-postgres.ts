import { sql, type Kysely } from 'kysely';
import { isUniqueViolation } from '../errors.js';
import type { Database } from '../schema.js';
import type { BillingRepo, ReserveArgs, ReserveOutcome, SettleArgs, SettleOutcome } from './billing-repo.js';

/** Admission and settlement on PostgreSQL: one call of a SQL function each (migrations/pg-billing-functions.ts). */
export class PostgresBillingRepo implements BillingRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async reserve(a: ReserveArgs): Promise<ReserveOutcome> {
    const { rows } = await sql<{ outcome: ReserveOutcome }>`select tollgate_reserve(${a.requestId}, ${a.userId}, ${a.keyId},
      ${a.amountMicro}::bigint, ${a.period}, ${a.nodeId}, ${a.now}::bigint, ${a.expiresAt}::bigint) as outcome`.execute(this.db);
    return rows[0]!.outcome;
  }

  async settle(a: SettleArgs): Promise<SettleOutcome> {
    try {
      const { rows } = await sql<{ charged: number | string }>`select tollgate_settle(${a.requestId}, ${a.userId}, ${a.keyId},
        ${a.costMicro}::bigint, ${a.costUsd}, ${a.usdNano}::bigint, ${a.usdRubRate}, ${a.period}, ${a.ledgerId},
        ${a.now}::bigint) as charged`.execute(this.db);
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
}
