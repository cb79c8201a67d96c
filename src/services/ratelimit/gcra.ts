/**
 * The generic cell rate algorithm over one minute: a scope with a limit of L units per minute may spend L
 * at once and then one every 60 000 / L ms. The whole state is one number, the theoretical arrival time
 * (TAT, epoch ms) — the same arithmetic runs in memory here and in Redis' Lua (redis-limiter.ts).
 */
export const WINDOW_MS = 60_000;

export interface GcraVerdict {
  allowed: boolean;
  /** The TAT to store when allowed. */
  tat: number;
  /** Units left right now (after this spend when allowed). */
  remaining: number;
  /** Until the scope is back to its full allowance, ms. */
  resetMs: number;
  /** When refused: how long until `cost` units fit, ms; Infinity when they never can (more than the limit). */
  retryAfterMs: number;
}

export function gcra(tat: number, now: number, limit: number, cost: number): GcraVerdict {
  const interval = WINDOW_MS / limit;
  const base = Math.max(tat, now);
  const next = base + cost * interval;
  if (next - now <= WINDOW_MS) {
    return { allowed: true, tat: next, remaining: Math.floor((WINDOW_MS - (next - now)) / interval), resetMs: next - now, retryAfterMs: 0 };
  }
  const retryAfterMs = cost > limit ? Infinity : next - WINDOW_MS - now;
  return { allowed: false, tat, remaining: Math.max(0, Math.floor((WINDOW_MS - (base - now)) / interval)), resetMs: base - now, retryAfterMs };
}

/** Gives back (or takes more of) an allowance already spent: a call's tokens corrected to what it used. */
export function adjustTat(tat: number, now: number, limit: number, delta: number): number {
  return Math.max(Math.max(tat, now) + delta * (WINDOW_MS / limit), now);
}
