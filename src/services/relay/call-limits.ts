import type { ProviderSpec } from '../../providers/index.js';
import type { Principal } from '../auth/authenticator.js';

/** A call's place under its limits, held from admission to its end. */
export interface CallSlot {
  /** The tokens the call used, as its usage reported them: corrects the estimate it was admitted with. */
  used(tokens: number): void;
  /** The call has ended (called once). */
  release(): void;
}

/**
 * The relay's rate-limit step: a call takes a slot before it is admitted and gives it back when it ends.
 * A limit that is reached throws a 429 GatewayError (recorded like any refusal, nothing charged).
 */
export interface CallLimits {
  acquire(principal: Principal, provider: ProviderSpec, estimatedTokens: number): Promise<CallSlot> | CallSlot;
}

const NOTHING_TO_RELEASE: CallSlot = { used: () => undefined, release: () => undefined };

/** No limits configured: every call gets a slot at once. */
export const NO_LIMITS: CallLimits = { acquire: () => NOTHING_TO_RELEASE };
