import { GatewayError } from '../../core/errors.js';

export interface FairShareSettings {
  /** Connections this node opens to one provider origin (UPSTREAM_CONNECTIONS). */
  connectionsPerProvider: number;
  /** UPSTREAM_SHARE: the part of them one account may hold at once (0 < share ≤ 1; 1: no share). */
  share: number;
  /** FAIR_SHARE_WAIT_MS: how long a call over its account's share waits for one of its own to end. */
  maxWaitMs: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  timer: NodeJS.Timeout;
}

interface Lane {
  inFlight: number;
  waiting: Waiter[];
}

/**
 * Fair sharing of each provider's upstream connections on this node: one account holds at most
 * `share` × UPSTREAM_CONNECTIONS calls to a provider at once; its next calls wait in *its own* line until one
 * of its calls ends (first come, first served), so a burst from one customer queues behind itself and the
 * pool keeps room for everyone else. A call that waits longer than FAIR_SHARE_WAIT_MS is refused with a 429.
 */
export class FairShare {
  private readonly cap: number;
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly settings: FairShareSettings) {
    this.cap = settings.share >= 1 ? Infinity : Math.max(1, Math.floor(settings.connectionsPerProvider * settings.share));
  }

  /** Resolves to the release of the call's place once it may go to the provider. */
  enter(provider: string, accountId: string): (() => void) | Promise<() => void> {
    if (this.cap === Infinity) return NOTHING;
    const id = `${provider}\u0000${accountId}`;
    let lane = this.lanes.get(id);
    if (!lane) {
      lane = { inFlight: 0, waiting: [] };
      this.lanes.set(id, lane);
    }
    if (lane.inFlight < this.cap) {
      lane.inFlight += 1;
      return this.releaser(id, lane);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          lane.waiting.splice(lane.waiting.indexOf(waiter), 1);
          const err = new GatewayError('TG_ERR_RATE_LIMITED', `This account already has ${this.cap} calls in flight to ${provider}, its share of this gateway's connections; try again shortly.`);
          err.historyError = 'rate_limit:account:upstream_share';
          err.headers = { 'retry-after': '1' };
          reject(err);
        }, this.settings.maxWaitMs),
      };
      lane.waiting.push(waiter);
    });
  }

  private releaser(id: string, lane: Lane): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = lane.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.resolve(this.releaser(id, lane)); // the place passes straight to the next call in line
        return;
      }
      lane.inFlight -= 1;
      if (lane.inFlight === 0) this.lanes.delete(id);
    };
  }
}

const NOTHING = (): void => undefined;
