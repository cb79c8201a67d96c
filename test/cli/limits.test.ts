import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function tollgate(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `keys create --rpm-limit …`, `keys limits`, `users limits`: fair-use limits from the shell (issue #14), audited as cli. */
describe('tollgate limits commands', { concurrency: 1 }, () => {
  let dir: string;
  let dbFile: string;
  let env: Record<string, string>;
  const run = (...args: string[]) => tollgate(args, env);
  const query = <T>(sql: string, ...params: unknown[]): T[] => {
    const db = new SQLite(dbFile, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  const json = (result: Run) => {
    assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as any;
  };
  let userId: string;
  let keyId: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-limits-'));
    dbFile = join(dir, 'tollgate.db');
    env = { DATABASE_URL: `sqlite:${dbFile}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keys create takes --rpm-limit, --tpm-limit and --concurrency-limit', async () => {
    userId = json(await run('users', 'create', '--email', 'limited@example.com')).id;
    const key = json(await run('keys', 'create', '--user', 'limited@example.com', '--rpm-limit', '60', '--tpm-limit', '100000', '--concurrency-limit', '4'));
    keyId = key.id;
    assert.deepEqual([key.rpm_limit, key.tpm_limit, key.concurrency_limit], [60, 100000, 4]);
    assert.deepEqual(query('select rpm_limit, tpm_limit, concurrency_limit from api_keys where id = ?', keyId), [{ rpm_limit: 60, tpm_limit: 100000, concurrency_limit: 4 }]);
  });

  it('keys limits changes only the flags given; none clears a limit; audited as cli key.update', async () => {
    const key = json(await run('keys', 'limits', '--key', keyId, '--rpm-limit', 'none', '--tpm-limit', '500'));
    assert.deepEqual([key.rpm_limit, key.tpm_limit, key.concurrency_limit], [null, 500, 4]);
    const rows = query<{ actor: string; action: string; target: string; details: string }>("select actor, action, target, details from audit_log where action = 'key.update'");
    assert.equal(rows.length, 1);
    assert.deepEqual({ ...rows[0]!, details: JSON.parse(rows[0]!.details) }, { actor: 'cli', action: 'key.update', target: keyId, details: { user_id: userId, changes: { rpm_limit: null, tpm_limit: 500 } } });
  });

  it('users limits sets the account’s limits by email or id; audited as cli user.limits', async () => {
    const user = json(await run('users', 'limits', '--user', 'limited@example.com', '--rpm-limit', '30', '--concurrency-limit', '2'));
    assert.deepEqual([user.rpm_limit, user.tpm_limit, user.concurrency_limit], [30, null, 2]);
    const cleared = json(await run('users', 'limits', '--user', userId, '--rpm-limit', 'none'));
    assert.deepEqual([cleared.rpm_limit, cleared.concurrency_limit], [null, 2]);
    assert.deepEqual(query('select rpm_limit, tpm_limit, concurrency_limit from users where id = ?', userId), [{ rpm_limit: null, tpm_limit: null, concurrency_limit: 2 }]);
    const rows = query<{ actor: string; target: string; details: string }>("select actor, target, details from audit_log where action = 'user.limits' order by id");
    assert.deepEqual(
      rows.map((r) => [r.actor, r.target, JSON.parse(r.details).changes]),
      [
        ['cli', userId, { rpm_limit: 30, concurrency_limit: 2 }],
        ['cli', userId, { rpm_limit: null }],
      ],
    );
  });

  it('refuses a limit that is not a whole number ≥ 1, and a command without any limit, changing nothing', async () => {
    for (const args of [
      ['keys', 'limits', '--key', keyId, '--rpm-limit', '0'],
      ['keys', 'limits', '--key', keyId, '--tpm-limit', '1.5'],
      ['users', 'limits', '--user', userId, '--concurrency-limit', 'lots'],
      ['users', 'limits', '--user', userId],
      ['keys', 'create', '--user', userId, '--rpm-limit', '-3'],
    ]) {
      const result = await run(...args);
      assert.equal(result.code, 2, `${args.join(' ')}: exit ${result.code} ${result.stdout}`);
      assert.match(result.stderr, /limit/, args.join(' '));
    }
    assert.deepEqual(query('select rpm_limit, tpm_limit, concurrency_limit from api_keys where id = ?', keyId), [{ rpm_limit: null, tpm_limit: 500, concurrency_limit: 4 }]);
    assert.equal(query('select id from api_keys').length, 1, 'no key was created');
  });

  it('--help lists the limits commands', async () => {
    const help = await run('keys', '--help');
    assert.match(help.stdout, /tollgate keys limits --key KEY_ID \[--rpm-limit N\|none\]/);
    assert.match(help.stdout, /\[--rpm-limit N\] \[--tpm-limit N\] \[--concurrency-limit N\]/);
    assert.match((await run('users', '--help')).stdout, /tollgate users limits --user ID\|EMAIL/);
  });
});
