import type { Insertable } from 'kysely';
import type { RequestsTable } from '../schema.js';

export type RequestRowToWrite = Insertable<RequestsTable>;

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
  /** The request as admitted (`status` 0, in flight): durable before `reserve` resolves. */
  request?: RequestRowToWrite;
}

/**
 * `ok`, or which limit refused, checked in this order: the key's budget, the key's monthly limit, the
 * account's balance; `key_limit` when the key itself is gone (revoked and deleted since it was read).
 */
export type ReserveOutcome = 'ok' | 'key_budget' | 'key_monthly' | 'key_limit' | 'balance';

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
  /**
   * The finished request's history row, written in the same transaction as the charge; its `cost_micro`
   * becomes what was actually charged when anything was.
   */
  request?: RequestRowToWrite;
  /** A note for the ledger row (an interrupted call's rule). */
  note?: string;
}

/**
 * The charge made, `duplicate` when this request had already been charged, or `queued` when the store
 * refused the write: the charge is kept (counted against the money) and written when the store recovers.
 */
export type SettleOutcome = number | 'duplicate' | 'queued';

/** A hold whose node died: its request's admission row tells what the call was. */
export interface OrphanHold {
  requestId: string;
  userId: string;
  keyId: string;
}

/**
 * Holds and charges, atomically: a hold is placed only if the key's budget, its monthly limit and the
 * account's balance (each minus what is already held) cover it; a settlement releases the hold, charges
 * the cost with its ledger row and its history row, and moves the key's usage, all in one transaction;
 * nothing is charged twice. Both `reserve` and `settle` resolve once what they wrote is durable.
 */
export interface BillingRepo {
  reserve(args: ReserveArgs): Promise<ReserveOutcome>;
  settle(args: SettleArgs): Promise<SettleOutcome>;
  /** Releases a hold without charging; false when there was none. */
  release(requestId: string): Promise<boolean>;
  /** Resolves when every charge computed so far is written (throws if the store refuses the write). */
  flush(): Promise<void>;
  /** Drops what this process remembers of an account's or key's money after a change made through it. */
  forget(ids: { userId?: string; keyId?: string }): void;
  /** Money this process holds outside the store's `held_micro` columns (SQLite keeps holds in memory). */
  localHolds(userId: string, keyId: string): { userMicro: number; keyMicro: number };
  /** Holds past their expiry, or placed by a node (an earlier life of this one), oldest first. */
  staleHolds(filter: { expiredAt?: number; nodeId?: string; all?: boolean }, limit: number): Promise<string[]>;
  /** Renews this node's lease (on the store's clock) for `leaseMs`; a no-op where one process owns the store. */
  heartbeat(nodeId: string, startedAt: number, leaseMs: number): Promise<void>;
  /**
   * Holds whose request will never settle: placed by a node whose lease ran out, or by `nodeId` itself
   * before `startedBefore` (an earlier life of this node). SQLite: none (holds die with the process).
   */
  orphanHolds(filter: { nodeId: string; startedBefore: number }, limit: number): Promise<OrphanHold[]>;
  /**
   * At start-up, where one process owns the store (SQLite): what its charge journal holds that the last
   * batches did not write is written, and the admissions no settlement followed — the calls a crash
   * interrupted — are returned (as admitted). Shared stores: none (see `orphanHolds`).
   */
  interruptedOnStart(): Promise<RequestRowToWrite[]>;
  /** True while charges or admissions could not be written; the store then refuses paid calls. */
  failing(): boolean;
  /** Charges computed but not yet written (a store refusing writes): logged whole at shutdown so none is lost silently. */
  unwritten(): ReadonlyArray<{ requestId: string; userId: string; keyId: string; costMicro: number; charge: number }>;
  /** Lets go of what the repository holds open (the SQLite charge journal). */
  close(): void;
  /** Writes a row, to prove at start-up that the store takes writes; throws when it does not. */
  checkWritable(now: number): Promise<void>;
}
