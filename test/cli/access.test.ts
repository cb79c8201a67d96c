import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { verifyPassword } from '../../src/services/accounts/passwords.js';

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

/** `tollgate admin create`, `users reset-link`, `users block|unblock`: the dashboard's access from the shell. */
describe('tollgate access commands', { concurrency: 1 }, () => {
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

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-access-'));
    dbFile = join(dir, 'tollgate.db');
    env = { DATABASE_URL: `sqlite:${dbFile}`, PORT: '9123' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('admin create makes a new admin and prints a generated password once', async () => {
    const result = await run('admin', 'create', '--email', 'Boss@Example.com');
    const out = json(result);
    assert.equal(out.email, 'boss@example.com');
    assert.equal(out.role, 'admin');
    assert.equal(out.created, true);
    assert.match(out.password, /^[\w-]{20}$/);
    assert.match(result.stderr, /shown this once/);
    const [row] = query<{ role: string; password_hash: string }>('select role, password_hash from users where email = ?', 'boss@example.com');
    assert.equal(row?.role, 'admin');
    assert.equal(await verifyPassword(out.password, row!.password_hash), true);
    assert.ok(!row!.password_hash.includes(out.password));
  });

  it('admin create promotes an existing user, keeping their password unless one is given', async () => {
    json(await run('users', 'create', '--email', 'ana@example.com', '--password', 'ana password 1'));
    const promoted = json(await run('admin', 'create', '--email', 'ana@example.com'));
    assert.equal(promoted.created, false);
    assert.equal(promoted.role, 'admin');
    assert.equal(promoted.password, undefined, 'an existing user keeps their password: nothing to print');
    const [kept] = query<{ password_hash: string }>('select password_hash from users where email = ?', 'ana@example.com');
    assert.equal(await verifyPassword('ana password 1', kept!.password_hash), true);
    json(await run('admin', 'create', '--email', 'ana@example.com', '--password', 'ana password 2'));
    const [changed] = query<{ password_hash: string }>('select password_hash from users where email = ?', 'ana@example.com');
    assert.equal(await verifyPassword('ana password 2', changed!.password_hash), true);
    const short = await run('admin', 'create', '--email', 'x@example.com', '--password', 'short');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /password/);
  });

  it('users reset-link prints a one-time link on 127.0.0.1:PORT, or PUBLIC_URL', async () => {
    const local = await run('users', 'reset-link', '--user', 'ana@example.com');
    assert.equal(local.code, 0, local.stderr);
    assert.match(local.stdout, /^http:\/\/127\.0\.0\.1:9123\/reset\?token=[\w-]{43}\n$/);
    assert.match(local.stderr, /works once, until \d{4}-/);
    const publicLink = await tollgate(['users', 'reset-link', '--user', 'ana@example.com'], { ...env, PUBLIC_URL: 'https://llm.example.com' });
    assert.match(publicLink.stdout, /^https:\/\/llm\.example\.com\/reset\?token=[\w-]{43}\n$/);
    const rows = query<{ created_by: string; used_at: number | null }>('select created_by, used_at from password_resets');
    assert.deepEqual(rows, [{ created_by: 'cli', used_at: null }, { created_by: 'cli', used_at: null }]);
    const missing = await run('users', 'reset-link', '--user', 'nobody@example.com');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No user nobody@example\.com/);
  });

  it('users block ends the sessions and marks the user; unblock lets them back', async () => {
    const [ana] = query<{ id: string }>('select id from users where email = ?', 'ana@example.com');
    const db = new SQLite(dbFile);
    db.prepare(
      "insert into sessions (id, token_hash, user_id, csrf_secret, created_at, last_seen_at, expires_at) values ('ses_cli', 'h', ?, 'c', 1, 1, 9999999999999)",
    ).run(ana!.id);
    db.close();
    const blocked = json(await run('users', 'block', '--user', 'ana@example.com'));
    assert.equal(blocked.status, 'blocked');
    assert.deepEqual(query('select status from users where id = ?', ana!.id), [{ status: 'blocked' }]);
    assert.equal(query<{ revoked_at: number | null }>("select revoked_at from sessions where id = 'ses_cli'")[0]?.revoked_at !== null, true);
    const unblocked = json(await run('users', 'unblock', '--user', ana!.id));
    assert.equal(unblocked.status, 'active');
  });

  it('every access command is in the audit log as the cli', async () => {
    const rows = query<{ actor: string; action: string; details: string }>('select actor, action, details from audit_log order by id');
    assert.deepEqual(
      rows.map((r) => r.action),
      ['admin.create', 'user.role', 'user.role', 'user.reset_link', 'user.reset_link', 'user.block', 'user.unblock'],
    );
    assert.ok(rows.every((r) => r.actor === 'cli'));
    assert.ok(!rows.some((r) => /password|token=/.test(r.details)), 'no secret in the log');
  });

  it('--help lists the commands', async () => {
    const help = await run('admin', '--help');
    assert.match(help.stdout, /tollgate admin create --email E \[--password P\]/);
    const users = await run('users', '--help');
    assert.match(users.stdout, /users reset-link/);
    assert.match(users.stdout, /users block\|unblock/);
  });
});
