import type { Logger } from 'pino';
import type { NewRequestRow, Store } from '../../store/index.js';

const MAX_PENDING = 200_000;
const BATCH_TRIGGER = 500;

/**
 * Request history off the hot path: rows queue in memory and are written in one transaction every
 * `flushMs` (or sooner when many pile up); the same flush records each key's last use.
 */
export class HistoryRecorder {
  private pending: NewRequestRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly flushMs: number,
  ) {}

  record(row: NewRequestRow): void {
    if (this.pending.length >= MAX_PENDING) {
      this.log.error({ dropped: 1 }, 'request history queue is full; dropping a row');
      return;
    }
    this.pending.push(row);
    if (this.pending.length >= BATCH_TRIGGER) void this.flush();
    else if (!this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes everything queued so far; concurrent callers share one write. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** Flushes what is pending and stops scheduling. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async write(batch: NewRequestRow[]): Promise<void> {
    try {
      await this.store.requests.insertMany(batch);
      await this.store.keys.touch(lastUseByKey(batch));
    } catch (err) {
      this.log.error({ err, rows: batch.length }, 'writing request history failed; will retry');
      this.pending = batch.concat(this.pending);
      if (!this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), Math.max(this.flushMs, 1000));
    }
  }
}

function lastUseByKey(rows: readonly NewRequestRow[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const row of rows) {
    if (!row.key_id) continue;
    const at = row.created_at;
    if ((latest.get(row.key_id) ?? 0) < at) latest.set(row.key_id, at);
  }
  return latest;
}
