import { gcra, adjustTat, type GcraVerdict } from './gcra.js';
import type { Admission, AllowanceState, Decision, LimitKind, LimitStore, ScopeLimits } from './limit-store.js';

interface ScopeState {
  requestsTat: number;
  tokensTat: number;
  inFlight: number;
  /** When it was last touched, for pruning idle scopes. */
  seenAt: number;
}

const MAX_SCOPES = 200_000;

/**
 * The limits of one node, in memory. Admission is synchronous, so checking every scope and then spending
 * in all of them cannot interleave with another call.
 */
export class MemoryLimitStore implements LimitStore {
  private readonly states = new Map<string, ScopeState>();

  admit({ scopes, tokens, now }: Admission): Decision {
    let requests: AllowanceState | undefined;
    let tokenState: AllowanceState | undefined;
    const verdicts: Array<{ state: ScopeState; requests?: GcraVerdict; tokens?: GcraVerdict }> = [];
    for (const scope of scopes) {
      const state = this.state(scope, now);
      const { rpm, tpm, concurrency } = scope.limits;
      if (concurrency !== null && state.inFlight >= concurrency) return refusal(scope, 'concurrency', 1_000, requests, tokenState);
      const byRequests = rpm === null ? undefined : gcra(state.requestsTat, now, rpm, 1);
      if (byRequests) requests = tighter(requests, { limit: rpm!, remaining: byRequests.remaining, resetMs: byRequests.resetMs });
      if (byRequests && !byRequests.allowed) return refusal(scope, 'rpm', byRequests.retryAfterMs, requests, tokenState);
      const byTokens = tpm === null ? undefined : gcra(state.tokensTat, now, tpm, tokens);
      if (byTokens) tokenState = tighter(tokenState, { limit: tpm!, remaining: byTokens.remaining, resetMs: byTokens.resetMs });
      if (byTokens && !byTokens.allowed) return refusal(scope, 'tpm', byTokens.retryAfterMs, requests, tokenState);
      verdicts.push({ state, ...(byRequests ? { requests: byRequests } : {}), ...(byTokens ? { tokens: byTokens } : {}) });
    }
    for (const verdict of verdicts) {
      if (verdict.requests) verdict.state.requestsTat = verdict.requests.tat;
      if (verdict.tokens) verdict.state.tokensTat = verdict.tokens.tat;
      verdict.state.inFlight += 1;
    }
    return { allowed: true, ...(requests ? { requests } : {}), ...(tokenState ? { tokens: tokenState } : {}) };
  }

  finish({ scopes, tokens }: Admission, usedTokens: number | undefined, now: number): void {
    for (const scope of scopes) {
      const state = this.states.get(keyOf(scope));
      if (!state) continue;
      state.inFlight = Math.max(0, state.inFlight - 1);
      const { tpm } = scope.limits;
      if (tpm !== null && usedTokens !== undefined && usedTokens !== tokens) state.tokensTat = adjustTat(state.tokensTat, now, tpm, usedTokens - tokens);
    }
  }

  private state(scope: ScopeLimits, now: number): ScopeState {
    const key = keyOf(scope);
    let state = this.states.get(key);
    if (!state) {
      if (this.states.size >= MAX_SCOPES) this.prune(now);
      state = { requestsTat: 0, tokensTat: 0, inFlight: 0, seenAt: now };
      this.states.set(key, state);
    }
    state.seenAt = now;
    return state;
  }

  /** Scopes idle for a whole window, with nothing in flight, hold no information: their allowance is full. */
  private prune(now: number): void {
    for (const [key, state] of this.states) {
      if (state.inFlight === 0 && state.requestsTat <= now && state.tokensTat <= now) this.states.delete(key);
    }
  }
}

const keyOf = (scope: ScopeLimits) => `${scope.scope}:${scope.id}`;

function tighter(current: AllowanceState | undefined, next: AllowanceState): AllowanceState {
  return !current || next.remaining < current.remaining ? next : current;
}

function refusal(scope: ScopeLimits, kind: LimitKind, retryAfterMs: number, requests?: AllowanceState, tokens?: AllowanceState): Decision {
  return { allowed: false, scope: scope.scope, kind, retryAfterMs, ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}
