import type { FairUseLimits } from './limits.js';

export type LimitScope = 'key' | 'account';
export type LimitKind = 'rpm' | 'tpm' | 'concurrency';

/** One scope a call counts against, with its effective limits. */
export interface ScopeLimits {
  scope: LimitScope;
  /** The key's or the account's id. */
  id: string;
  limits: FairUseLimits;
}

export interface Admission {
  scopes: readonly ScopeLimits[];
  /** Tokens the call is estimated to use (prompt bound + its own output cap). */
  tokens: number;
  now: number;
}

/** What the headers of an answer say about one kind of allowance, from its tightest scope. */
export interface AllowanceState {
  limit: number;
  remaining: number;
  resetMs: number;
}

export type Decision =
  | { allowed: true; requests?: AllowanceState; tokens?: AllowanceState }
  | { allowed: false; scope: LimitScope; kind: LimitKind; retryAfterMs: number; requests?: AllowanceState; tokens?: AllowanceState };

/**
 * Where the counters live: in this process (memory-limiter.ts) or in Redis for every node. An admission
 * is all or nothing: a call refused by one scope spends nothing of any.
 */
export interface LimitStore {
  admit(admission: Admission): Decision | Promise<Decision>;
  /** The call ended: its concurrency slots come back, and its tokens are corrected to `usedTokens` when known. */
  finish(admission: Admission, usedTokens: number | undefined, now: number): void | Promise<void>;
}
