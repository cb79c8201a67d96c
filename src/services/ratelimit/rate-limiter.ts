import { GatewayError } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Principal } from '../auth/authenticator.js';
import type { CallLimits, CallSlot } from '../relay/call-limits.js';
import type { Admission, AllowanceState, Decision, LimitStore, ScopeLimits } from './limit-store.js';
import type { FairShare } from './fair-share.js';
import { effectiveLimits, hasAnyLimit, type FairUseDefaults } from './limits.js';

const NOTHING: CallSlot = { release: () => undefined, used: () => undefined };

/**
 * The relay's rate-limit step: a call counts against its key's and its account's limits (their own, else
 * the operator's defaults) before anything is held or forwarded. Over a limit it is refused with a 429 the
 * surface renders in its own shape, with `retry-after` and the `x-ratelimit-*` headers OpenAI's clients read.
 */
export class RateLimiter implements CallLimits {
  private readonly noDefaults: boolean;

  constructor(
    private readonly store: LimitStore,
    private readonly defaults: FairUseDefaults,
    private readonly clock: Clock,
    private readonly fairShare?: FairShare,
  ) {
    this.noDefaults = !hasAnyLimit(defaults.key) && !hasAnyLimit(defaults.account);
  }

  /** The call's limits first (refused at once when over), then its account's share of the provider (waited for). */
  async acquire(principal: Principal, provider: { id: string }, estimatedTokens: number): Promise<CallSlot> {
    const limited = await this.limitSlot(principal, estimatedTokens);
    if (!this.fairShare) return limited;
    let leave: () => void;
    try {
      leave = await this.fairShare.enter(provider.id, principal.userId);
    } catch (err) {
      limited.release();
      throw err;
    }
    return {
      used: limited.used,
      release: () => {
        leave();
        limited.release();
      },
    };
  }

  private async limitSlot(principal: Principal, estimatedTokens: number): Promise<CallSlot> {
    // The common case, no limit anywhere, allocates nothing.
    if (this.noDefaults && !hasAnyLimit(principal.keyLimits) && !hasAnyLimit(principal.accountLimits)) return NOTHING;
    const scopes = this.scopesOf(principal);
    if (scopes.length === 0) return NOTHING;
    const admission: Admission = { scopes, tokens: estimatedTokens, now: this.clock.now() };
    const decision = await this.store.admit(admission);
    if (!decision.allowed) throw limitError(decision);
    let finished = false;
    let usedTokens: number | undefined;
    return {
      used: (tokens) => {
        usedTokens = tokens;
      },
      release: () => {
        if (finished) return;
        finished = true;
        void Promise.resolve(this.store.finish(admission, usedTokens, this.clock.now())).catch(() => undefined);
      },
    };
  }

  private scopesOf(principal: Principal): ScopeLimits[] {
    const key = effectiveLimits(principal.keyLimits, this.defaults.key);
    const account = effectiveLimits(principal.accountLimits, this.defaults.account);
    const scopes: ScopeLimits[] = [];
    if (hasAnyLimit(key)) scopes.push({ scope: 'key', id: principal.keyId, limits: key });
    if (hasAnyLimit(account)) scopes.push({ scope: 'account', id: principal.userId, limits: account });
    return scopes;
  }
}

const WHAT = { rpm: 'requests per minute', tpm: 'tokens per minute', concurrency: 'requests in flight' } as const;

function limitError(decision: Extract<Decision, { allowed: false }>): GatewayError {
  const whose = decision.scope === 'key' ? 'this API key' : 'this account';
  const never = !Number.isFinite(decision.retryAfterMs);
  const message = never
    ? `This request needs more tokens than the ${WHAT.tpm} limit of ${whose} allows at all; ask for fewer output tokens or a shorter prompt.`
    : `Rate limit reached: the ${WHAT[decision.kind]} limit of ${whose}. Try again in ${Math.max(1, Math.ceil(decision.retryAfterMs / 1000))} s.`;
  const err = new GatewayError('TG_ERR_RATE_LIMITED', message);
  err.historyError = `rate_limit:${decision.scope}:${decision.kind}`;
  err.headers = {
    ...(never ? {} : { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))) }),
    ...allowanceHeaders('requests', decision.requests),
    ...allowanceHeaders('tokens', decision.tokens),
  };
  return err;
}

function allowanceHeaders(kind: 'requests' | 'tokens', state: AllowanceState | undefined): Record<string, string> {
  if (!state) return {};
  return {
    [`x-ratelimit-limit-${kind}`]: String(state.limit),
    [`x-ratelimit-remaining-${kind}`]: String(state.remaining),
    [`x-ratelimit-reset-${kind}`]: duration(state.resetMs),
  };
}

/** OpenAI's reset format: `1s`, `6m0s`, `20ms`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const seconds = Math.ceil(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}
