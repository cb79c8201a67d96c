import type { Kysely, Selectable, Transaction } from 'kysely';
import { newId } from '../../lib/ids.js';
import { isUniqueViolation } from '../errors.js';
import type { Database } from '../schema.js';
import type { PromoCodesTable, PromoRedemptionsTable } from '../schema-payments.js';
import { moveWithin } from './ledger-repo.js';

export type PromoCodeRow = Selectable<PromoCodesTable>;
export type PromoRedemptionRow = Selectable<PromoRedemptionsTable>;
/** A redemption with the email of the user who redeemed. */
export type PromoRedemptionWithEmail = PromoRedemptionRow & { email: string };

export type PromoRefusal = 'unknown' | 'disabled' | 'expired' | 'not_new_user' | 'used_up' | 'already_redeemed' | 'no_user';

export type RedeemOutcome =
  | { ok: true; code: PromoCodeRow; redemption: PromoRedemptionRow; balanceMicro: number }
  | { ok: false; reason: PromoRefusal };

/** Thrown inside the transaction to roll it back; turned into a refusal outside. */
class Refused extends Error {
  constructor(readonly reason: PromoRefusal) {
    super(reason);
  }
}

/**
 * Promo codes and their redemptions (migration 0010). A redemption is one transaction: the code's
 * `uses` is raised by a conditional UPDATE (the row lock on PostgreSQL, the single writer on SQLite
 * decide between concurrent redeemers), the (code, user) unique index refuses a second redemption by the
 * same user, and the credit's ledger row is written in the same commit (`moveWithin`, key `promo:<id>`).
 */
export class PromoRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: PromoCodeRow): Promise<void> {
    await this.db.insertInto('promo_codes').values(row).execute();
  }

  /** Newest first. */
  async list(limit: number): Promise<PromoCodeRow[]> {
    return this.db.selectFrom('promo_codes').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async findById(id: string): Promise<PromoCodeRow | undefined> {
    return this.db.selectFrom('promo_codes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** By its text as stored (upper-case). */
  async findByCode(code: string): Promise<PromoCodeRow | undefined> {
    return this.db.selectFrom('promo_codes').selectAll().where('code', '=', code).executeTakeFirst();
  }

  /** Disables the code (a second call keeps the first time); answers the row, undefined for an unknown id. */
  async disable(id: string, now: number): Promise<PromoCodeRow | undefined> {
    await this.db.updateTable('promo_codes').set({ disabled_at: now }).where('id', '=', id).where('disabled_at', 'is', null).execute();
    return this.findById(id);
  }

  /** Newest first, with each user's email. */
  async redemptions(codeId: string): Promise<PromoRedemptionWithEmail[]> {
    return this.db
      .selectFrom('promo_redemptions as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .selectAll('r')
      .select('u.email')
      .where('r.code_id', '=', codeId)
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .execute();
  }

  /**
   * Redeems `code` (as stored, upper-case) for the user at `now`, crediting its amount: all or nothing.
   * Of concurrent redemptions of a code with one use left exactly one wins; the same user redeeming twice
   * at once is credited once.
   */
  async redeem(code: string, userId: string, now: number): Promise<RedeemOutcome> {
    try {
      return await this.db.transaction().execute((trx) => redeemWithin(trx, code, userId, now));
    } catch (err) {
      if (err instanceof Refused) return { ok: false, reason: err.reason };
      // The (code, user) index or the ledger's (user, key) index: this user redeemed it in a concurrent call.
      if (isUniqueViolation(err)) return { ok: false, reason: 'already_redeemed' };
      throw err;
    }
  }
}

async function redeemWithin(trx: Transaction<Database>, text: string, userId: string, now: number): Promise<RedeemOutcome> {
  const code = await trx.selectFrom('promo_codes').selectAll().where('code', '=', text).executeTakeFirst();
  if (!code) throw new Refused('unknown');
  if (code.disabled_at !== null) throw new Refused('disabled');
  if (code.expires_at !== null && code.expires_at <= now) throw new Refused('expired');
  const user = await trx.selectFrom('users').select('created_at').where('id', '=', userId).executeTakeFirst();
  const earlier = await trx.selectFrom('promo_redemptions').select('id').where('code_id', '=', code.id).where('user_id', '=', userId).executeTakeFirst();
  if (!user) throw new Refused('no_user');
  if (earlier) throw new Refused('already_redeemed');
  if (code.new_users_only === 1 && user.created_at < code.created_at) throw new Refused('not_new_user');
  if (code.uses >= code.max_uses) throw new Refused('used_up');
  // The decision between concurrent redeemers: a row lock on PostgreSQL (the loser re-reads `uses`).
  const raised = await trx
    .updateTable('promo_codes')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('id', '=', code.id)
    .where((eb) => eb('uses', '<', eb.ref('max_uses')))
    .returning('uses')
    .executeTakeFirst();
  if (!raised) throw new Refused('used_up');
  const moved = await moveWithin(trx, {
    userId,
    amountMicro: code.amount_micro,
    kind: 'promo',
    note: `Promo code ${code.code}`,
    now,
    idempotencyKey: `promo:${code.id}`,
  });
  if (!moved.ok) throw new Refused('no_user');
  const redemption: PromoRedemptionRow = {
    id: newId('prm', now),
    code_id: code.id,
    user_id: userId,
    amount_micro: code.amount_micro,
    ledger_entry_id: moved.entry.id,
    created_at: now,
  };
  await trx.insertInto('promo_redemptions').values(redemption).execute();
  return { ok: true, code: { ...code, uses: raised.uses }, redemption, balanceMicro: moved.balanceMicro };
}
