import { SecretScrubber, prepareSecrets } from './scrub.js';

/** Why the provider last failed a key: refused it (401 or the dialect's own rule), throttled it, failed, or never answered. */
export type KeyFailureKind = 'unauthorized' | 'rate_limited' | 'server_error' | 'timeout' | 'unreachable';

/** One key as the admin console shows it: named by its last characters only, never whole. */
export interface KeyHealth {
  /** `…abcd`: the key's last 4 characters (`…` alone for a key too short to show any of it). */
  label: string;
  /** Epoch ms the key rests until (left out of rotation), or null when it is in rotation. */
  restingUntil: number | null;
  lastError: KeyFailureKind | null;
  lastErrorAt: number | null;
}

/** Keys shorter than this show no characters at all: four of eight would be half the secret. */
const MIN_LENGTH_TO_SHOW_TAIL = 12;

/**
 * The upstream keys of one provider, used in turn. A key the provider refused or throttled rests until a
 * given time; while every key rests, the one that rests least is used (a pool never runs dry).
 */
export class KeyPool {
  private next = 0;
  private readonly restingUntil = new Map<string, number>();
  private readonly lastFailure = new Map<string, { kind: KeyFailureKind; at: number }>();
  private readonly secrets: readonly Buffer[];

  constructor(
    private readonly keys: readonly string[],
    /** Told of every failure noted (the upstream errors metric); injected, never global. */
    private readonly onFailure?: (kind: KeyFailureKind) => void,
  ) {
    this.secrets = prepareSecrets(keys);
  }

  /** The next key in turn that is not resting (and is not `exclude`, the one that just failed). */
  pick(now: number, exclude?: string): string | undefined {
    if (this.keys.length === 0) return undefined;
    let best: { key: string; until: number } | undefined;
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[(this.next + i) % this.keys.length]!;
      if (key === exclude) continue;
      const until = this.restingUntil.get(key) ?? 0;
      if (until <= now) {
        this.next = (this.next + i + 1) % this.keys.length;
        return key;
      }
      if (!best || until < best.until) best = { key, until };
    }
    return best?.key;
  }

  rest(key: string, until: number): void {
    if (this.keys.includes(key)) this.restingUntil.set(key, Math.max(until, this.restingUntil.get(key) ?? 0));
  }

  /** Remembers the provider's latest failure of a key, for the admin console's health view. */
  noteFailure(key: string, kind: KeyFailureKind, at: number): void {
    this.onFailure?.(kind);
    if (this.keys.includes(key)) this.lastFailure.set(key, { kind, at });
  }

  /** Each key's rest and latest failure, in configuration order (keys without a value are left out). */
  health(now: number): KeyHealth[] {
    return this.keys
      .filter((key) => key !== '')
      .map((key) => {
        const until = this.restingUntil.get(key) ?? 0;
        const failure = this.lastFailure.get(key);
        return {
          label: key.length >= MIN_LENGTH_TO_SHOW_TAIL ? `…${key.slice(-4)}` : '…',
          restingUntil: until > now ? until : null,
          lastError: failure?.kind ?? null,
          lastErrorAt: failure?.at ?? null,
        };
      });
  }

  size(): number {
    return this.keys.length;
  }

  /** Every key this pool holds, for scrubbing them out of upstream error bodies. */
  all(): readonly string[] {
    return this.keys;
  }

  /** A scrubber of this pool's keys for one relayed body. */
  scrubber(): SecretScrubber {
    return new SecretScrubber(this.secrets);
  }
}
