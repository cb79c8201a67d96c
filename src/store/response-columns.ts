/** The responses table's statements shared by the SQLite writer (write-jobs.ts) and the repo (repos/responses-repo.ts). */

/** Column order of a row handed to the SQLite writer (write-jobs.ts). */
export const RESPONSE_COLUMNS = ['id', 'key_id', 'user_id', 'model', 'created_at', 'expires_at', 'size_bytes', 'data'] as const;

/**
 * The statement that keeps one key within its caps: every response of the key past the newest
 * `maxCount`, or past `maxBytes` counted from the newest, is deleted. Portable (window functions in
 * SQLite ≥ 3.25 and PostgreSQL); parameters: key id, max count, max bytes.
 */
export const RESPONSE_CAP_SQL = `delete from responses where id in (
  select id from (
    select id,
      row_number() over (order by created_at desc, id desc) as n,
      sum(size_bytes) over (order by created_at desc, id desc rows unbounded preceding) as running
    from responses where key_id = ?
  ) ranked where n > ? or running > ?
)`;
