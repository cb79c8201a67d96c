export interface ReserveArgs {
  requestId: string;
  userId: string;
  keyId: string;
  amountMicro: number;
  /** The current month, `YYYY-MM` (UTC): the key's monthly usage counts only this month. */
  period: string;
  nodeId: string;
  now: number;
  expiresAt: number;
}

/** `ok`, or the limit that refused: the key's budget or monthly limit, or the account's balance. */
export type ReserveOutcome = 'ok' | 'key_limit' | 'balance';

export interface SettleArgs {
  requestId: string;
  userId: string;
  keyId: string;
  /** What the call cost; the charge is this, capped so no limit and no other request's hold is overrun. */
  costMicro: number;
  costUsd: string | null;
  usdNano: number | null;
  usdRubRate: string | null;
  period: string;
  ledgerId: string;
  now: number;
}

/** The charge made, or `duplicate` when this request had already been charged. */
export type SettleOutcome = number | 'duplicate';

/**
 * Holds and charges, atomically: a hold is placed only if the key's budget, its monthly limit and the
 * account's balance (each minus what is already held) cover it; a settlement releases the hold, charges
 * the cost with its ledger row, and moves the key's usage, all in one transaction; nothing is charged twice.
 */
export interface BillingRepo {
  reserve(args: ReserveArgs): Promise<ReserveOutcome>;
  settle(args: SettleArgs): Promise<SettleOutcome>;
  /** Releases a hold without charging; false when there was none. */
  release(requestId: string): Promise<boolean>;
  /** Writes charges computed but not yet stored (SQLite batches them; PostgreSQL stores each at once). */
  flush(): Promise<void>;
  /** Drops what this process remembers of an account's or key's money after a change made through it. */
  forget(ids: { userId?: string; keyId?: string }): void;
  /** Money this process holds outside the store's `held_micro` columns (SQLite keeps holds in memory). */
  localHolds(userId: string, keyId: string): { userMicro: number; keyMicro: number };
  /** Holds past their expiry, or placed by a node (an earlier life of this one), oldest first. */
  staleHolds(filter: { expiredAt?: number; nodeId?: string; all?: boolean }, limit: number): Promise<string[]>;
}
