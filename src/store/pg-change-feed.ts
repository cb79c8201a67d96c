import type pg from 'pg';

/**
 * PostgreSQL's LISTEN/NOTIFY as the nodes' change feed: what one node changes (a key, a user, prices,
 * settings) the others hear within milliseconds instead of at their next poll. The channel is named after
 * the schema tollgate uses, so deployments (and test schemas) sharing a database never hear each other.
 * One dedicated connection listens; it reconnects after a second when dropped, and the polls that stay in
 * place cover what is missed meanwhile.
 */
export class PgChangeFeed {
  private client: pg.Client | undefined;
  private channel: string | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly Client: typeof pg.Client,
    private readonly config: pg.ClientConfig,
    private readonly pool: pg.Pool,
  ) {}

  async start(onMessage: (payload: string) => void): Promise<void> {
    const schema = (await this.pool.query<{ schema: string }>('select current_schema() as schema')).rows[0]?.schema ?? 'public';
    this.channel = `tgc_${schema}`.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 63);
    await this.connect(onMessage);
  }

  async publish(payload: string): Promise<void> {
    if (this.channel === undefined) return;
    await this.pool.query('select pg_notify($1, $2)', [this.channel, payload]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(onMessage: (payload: string) => void): Promise<void> {
    const client = new this.Client(this.config);
    client.on('error', () => undefined);
    client.on('end', () => {
      if (!this.closed) this.retry = setTimeout(() => void this.connect(onMessage).catch(() => undefined), 1_000);
    });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload !== undefined) onMessage(message.payload);
    });
    await client.connect();
    await client.query(`listen "${this.channel}"`);
    this.client = client;
  }
}
