/** The upstream keys of one provider, used in turn. */
export class KeyPool {
  private next = 0;

  constructor(private readonly keys: readonly string[]) {}

  pick(): string | undefined {
    if (this.keys.length === 0) return undefined;
    const key = this.keys[this.next % this.keys.length];
    this.next = (this.next + 1) % this.keys.length;
    return key;
  }

  /** Every key this pool holds, for scrubbing them out of upstream error bodies. */
  all(): readonly string[] {
    return this.keys;
  }
}
