/**
 * One timer for many activities (request bodies being read): each that shows no sign of life for
 * `idleMs` is told so, once. Arming and clearing a Node timer per request cost ~1 µs on the hot path;
 * a watch is a Set entry and a flag set per chunk (~0.2 µs). An activity is told between `idleMs` and
 * `idleMs` + a quarter of it after its last sign of life.
 */
export class IdleWatchdog {
  private readonly watched = new Set<Watch>();
  private readonly periodMs: number;
  private readonly quietPeriods: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly idleMs: number) {
    this.periodMs = Math.max(5, Math.ceil(idleMs / 4));
    this.quietPeriods = Math.ceil(idleMs / this.periodMs);
  }

  watch(onIdle: () => void): Watch {
    const watch = new Watch(onIdle, this.watched);
    this.watched.add(watch);
    // Runs from the first watch until close(); unref'd, so it never keeps the process alive.
    this.timer ??= setInterval(() => this.sweep(), this.periodMs).unref();
    return watch;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private sweep(): void {
    for (const watch of this.watched) {
      if (watch.alive) {
        watch.alive = false;
        watch.quiet = 0;
      } else if (++watch.quiet >= this.quietPeriods) {
        this.watched.delete(watch);
        watch.onIdle();
      }
    }
  }
}

export class Watch {
  /** Set by `touch()`, cleared by each sweep. */
  alive = true;
  quiet = 0;

  constructor(
    readonly onIdle: () => void,
    private readonly owner: Set<Watch>,
  ) {}

  /** A sign of life: the idle clock starts again. */
  touch(): void {
    this.alive = true;
  }

  /** The activity ended: it will not be told anything. */
  end(): void {
    this.owner.delete(this);
  }
}
