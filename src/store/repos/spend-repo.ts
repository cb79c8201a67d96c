import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A key's activity over all time and since a moment: one pair of figures per aggregate. */
export interface KeySpend {
  /** History rows (every call, failed ones included). */
  requests: number;
  requestsSince: number;
  /** Charges in micro-rubles, as a positive amount spent. */
  chargedMicro: number;
  chargedMicroSince: number;
  /** The same charges' provider cost in billionths of a USD (charges without a USD cost count 0). */
  usdNano: number;
  usdNanoSince: number;
}

/**
 * Read-only aggregates over history and ledger for the account endpoints. Each aggregate is one query
 * over the (key_id, created_at) index that sums all time and the window at once. Sums come back as
 * string, number or bigint depending on the driver; they are far below 2^53, so Number() is exact.
 */
export class SpendRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async keySpend(keyId: string, since: number): Promise<KeySpend> {
    const [requests, charges] = await Promise.all([
      this.db
        .selectFrom('requests')
        .select((eb) => [
          eb.fn.countAll().as('total'),
          eb.fn.coalesce(eb.fn.sum(eb.case().when('created_at', '>=', since).then(eb.lit(1)).else(eb.lit(0)).end()), eb.lit(0)).as('since'),
        ])
        .where('key_id', '=', keyId)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('ledger_entries')
        .select((eb) => [
          eb.fn.coalesce(eb.fn.sum('amount_micro'), eb.lit(0)).as('micro'),
          eb.fn.coalesce(eb.fn.sum(eb.case().when('created_at', '>=', since).then(eb.ref('amount_micro')).else(eb.lit(0)).end()), eb.lit(0)).as('micro_since'),
          eb.fn.coalesce(eb.fn.sum('usd_nano'), eb.lit(0)).as('nano'),
          eb.fn.coalesce(eb.fn.sum(eb.case().when('created_at', '>=', since).then(eb.ref('usd_nano')).else(eb.lit(0)).end()), eb.lit(0)).as('nano_since'),
        ])
        .where('key_id', '=', keyId)
        .where('kind', '=', 'charge')
        .executeTakeFirstOrThrow(),
    ]);
    return {
      requests: Number(requests.total),
      requestsSince: Number(requests.since),
      // Charges are negative ledger amounts; spent is their opposite (0 − x, so nothing spent is 0, not −0).
      chargedMicro: 0 - Number(charges.micro),
      chargedMicroSince: 0 - Number(charges.micro_since),
      usdNano: Number(charges.nano),
      usdNanoSince: Number(charges.nano_since),
    };
  }

  /** What the user was charged since a moment, in micro-rubles spent (a positive amount), over the (user_id, created_at) index. */
  async userChargedSince(userId: string, since: number): Promise<number> {
    const row = await this.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum('amount_micro'), eb.lit(0)).as('micro'))
      .where('user_id', '=', userId)
      .where('created_at', '>=', since)
      .where('kind', '=', 'charge')
      .executeTakeFirstOrThrow();
    return 0 - Number(row.micro);
  }
}
