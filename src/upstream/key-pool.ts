import { SecretScrubber, prepareSecrets } from './scrub.js';

/**
 * The upstream keys of one provider, used in turn. A key the provider refused or throttled rests until a
 * given time; while every key rests, the one that rests least is used (a pool never runs dry).
 */
export class KeyPool {
  private next = 0;
  private readonly restingUntil = new Map<string, number>();
  private readonly secrets: readonly Buffer[];

  constructor(private readonly keys: readonly string[]) {
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
