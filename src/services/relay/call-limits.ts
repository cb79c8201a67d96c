import type { ProviderSpec } from '../../providers/index.js';
import type { Principal } from '../auth/authenticator.js';

/**
 * The relay's rate-limit step: a call takes a slot before it is admitted and gives it back when it ends.
 * A limit that is reached throws a 429 GatewayError (recorded like any refusal, nothing charged).
 */
export interface CallLimits {
  /** Resolves to the slot's release (called once, when the call has ended). */
  acquire(principal: Principal, provider: ProviderSpec): Promise<() => void> | (() => void);
}

const NOTHING_TO_RELEASE = (): void => undefined;

/** No limits configured: every call gets a slot at once. */
export const NO_LIMITS: CallLimits = { acquire: () => NOTHING_TO_RELEASE };
