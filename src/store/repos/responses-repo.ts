import { sql, type Selectable } from 'kysely';
import type { Db } from '../db.js';
import { RESPONSE_COLUMNS } from '../response-columns.js';
import type { ResponsesTable } from '../schema.js';

/** One stored response as written: `data` is the service's JSON (the response and its input items). */
export type StoredResponseRow = Selectable<ResponsesTable>;

/** Per key, what the store keeps at most; the oldest responses go first. */
export interface ResponseCaps {
  maxCount: number;
  maxBytes: number;
}

/**
 * The response store's rows (migration 0008). Every read names the key: a response is found only by
 * the key that made it, and only before it expires. On SQLite, saving and pruning go through the writer
 * thread (write-jobs.ts), off the event loop; reads and deletes use the main connection.
 */
export class ResponsesRepo {
  constructor(private readonly db: Db) {}

  /** Inserts the row (a row of that id already there is kept) and trims the key to its caps, in one transaction. */
  async save(row: StoredResponseRow, caps: ResponseCaps): Promise<void> {
    if (this.db.writer) {
      await this.db.writer.run({ kind: 'response', row: JSON.stringify(RESPONSE_COLUMNS.map((c) => row[c])), maxCount: caps.maxCount, maxBytes: caps.maxBytes });
      return;
    }
    await this.db.kysely.transaction().execute(async (tx) => {
      await tx.insertInto('responses').values(row).onConflict((c) => c.column('id').doNothing()).execute();
      await sql`delete from responses where id in (
        select id from (
          select id,
            row_number() over (order by created_at desc, id desc) as n,
            sum(size_bytes) over (order by created_at desc, id desc rows unbounded preceding) as running
          from responses where key_id = ${row.key_id}
        ) ranked where n > ${caps.maxCount} or running > ${caps.maxBytes}
      )`.execute(tx);
    });
  }

  /** The stored data of `id` when `keyId` made it and it has not expired. */
  async find(keyId: string, id: string, now: number): Promise<StoredResponseRow | undefined> {
    return this.db.kysely
      .selectFrom('responses')
      .selectAll()
      .where('id', '=', id)
      .where('key_id', '=', keyId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  /** Deletes `id` when `keyId` made it; whether there was one. */
  async delete(keyId: string, id: string, now: number): Promise<boolean> {
    const result = await this.db.kysely
      .deleteFrom('responses')
      .where('id', '=', id)
      .where('key_id', '=', keyId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Deletes every response past its expiry. */
  async prune(now: number): Promise<void> {
    if (this.db.writer) {
      await this.db.writer.run({ kind: 'prune-responses', now });
      return;
    }
    await this.db.kysely.deleteFrom('responses').where('expires_at', '<=', now).execute();
  }
}
