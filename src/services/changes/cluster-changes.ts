import { randomBytes } from 'node:crypto';
import type { Logger } from '../../observability/log.js';

export type Change = { kind: 'key'; id: string } | { kind: 'user'; id: string } | { kind: 'prices' };

/** What carries changes between nodes: PostgreSQL's LISTEN/NOTIFY (store/pg-change-feed.ts). */
export interface ChangeFeed {
  start(onMessage: (payload: string) => void): Promise<void>;
  publish(payload: string): Promise<void>;
}

export interface ChangeHandlers {
  /** A key was revoked, paused or changed: drop its cached principal. */
  key(id: string): void;
  /** A user was blocked or unblocked, or their limits changed: drop their keys' principals. */
  user(id: string): void;
  /** Prices, models, the rate or the markup changed: read them again. */
  prices(): Promise<void>;
}

/**
 * Changes made on one node applied on every node within a second (issue #14): each change is applied
 * here at once and published; the other nodes apply it when they hear it. The polls (keys every
 * KEY_CACHE_MS, settings every 5 s) stay as the safety net for a message lost while a listener reconnects.
 * Without a feed (SQLite: one process) publishing does nothing.
 */
export class ClusterChanges {
  private readonly tag = randomBytes(6).toString('hex');

  constructor(
    private readonly feed: ChangeFeed | undefined,
    private readonly handlers: ChangeHandlers,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    if (!this.feed) return;
    await this.feed.start((payload) => this.receive(payload)).catch((err: unknown) => this.log.warn({ err }, 'listening for other nodes’ changes failed; they apply at the next poll'));
  }

  publish(change: Change): void {
    if (!this.feed) return;
    const payload = JSON.stringify({ n: this.tag, ...change });
    this.feed.publish(payload).catch((err: unknown) => this.log.warn({ err }, 'publishing a change to the other nodes failed; they apply it at their next poll'));
  }

  private receive(payload: string): void {
    let change: (Change & { n?: string }) | undefined;
    try {
      change = JSON.parse(payload) as Change & { n?: string };
    } catch {
      return;
    }
    if (change.n === this.tag) return;
    if (change.kind === 'key' && typeof change.id === 'string') this.handlers.key(change.id);
    else if (change.kind === 'user' && typeof change.id === 'string') this.handlers.user(change.id);
    else if (change.kind === 'prices') this.handlers.prices().catch((err: unknown) => this.log.warn({ err }, 'reading changed prices failed'));
  }
}
