import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** Runs `tollgate <args>` as a child process with only the environment given (plus PATH). */
function tollgate(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('tollgate CLI', { concurrency: true }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** Each use gets its own SQLite file, so concurrent runs never race on migrations. */
  const freshDb = (name: string) => ({ DATABASE_URL: `sqlite:${join(dir, name, 'tollgate.db')}` });
  const json = (result: Run) => {
    assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as any;
  };

  // Every CLI start costs about a second (tsx + module loading), so each step runs as few processes as it can.
  describe('a user, a credit and a key, end to end', { concurrency: 1 }, () => {
    let dbFile: string;
    let env: Record<string, string>;
    const run = (...args: string[]) => tollgate(args, env);
    let keyId: string;
    let secret: string;

    before(() => {
      env = freshDb('workflow');
      dbFile = env['DATABASE_URL']!.slice('sqlite:'.length);
    });

    const query = <T>(sql: string, ...params: unknown[]): T[] => {
      const db = new SQLite(dbFile, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    };

    it('migrate creates the database', async () => {
      const out = json(await run('migrate'));
      assert.deepEqual(out, { migrated: true, database: 'sqlite' });
      const tables = query<{ name: string }>("select name from sqlite_master where type = 'table'").map((t) => t.name);
      for (const table of ['users', 'api_keys', 'ledger_entries', 'requests', 'settings']) assert.ok(tables.includes(table), table);
    });

    it('users create --email', async () => {
      const user = json(await run('users', 'create', '--email', 'X@Y.z'));
      assert.equal(user.email, 'x@y.z');
      assert.equal(user.balance, 0);
      assert.match(user.id, /^usr_/);
      assert.deepEqual(query('select id, email from users'), [{ id: user.id, email: 'x@y.z' }]);
    });

    it('credit --user EMAIL --amount', async () => {
      const out = json(await run('credit', '--user', 'x@y.z', '--amount', '10.5', '--note', 'cli top-up'));
      assert.equal(out.balance, 10.5);
      assert.equal(out.balance_micro, 10_500_000);
      assert.deepEqual(query('select balance_micro from users'), [{ balance_micro: 10_500_000 }]);
      assert.deepEqual(query('select kind, amount_micro, balance_after_micro, note from ledger_entries'), [
        { kind: 'credit', amount_micro: 10_500_000, balance_after_micro: 10_500_000, note: 'cli top-up' },
      ]);

      const [sevenDecimals, tooMuch] = await Promise.all([
        run('credit', '--user', 'x@y.z', '--amount', '1.0000001'),
        run('credit', '--user', 'x@y.z', '--amount=-10.500001'),
      ]);
      assert.equal(sevenDecimals.code, 2, sevenDecimals.stderr);
      assert.match(sevenDecimals.stderr, /amount/);
      assert.equal(tooMuch.code, 2, tooMuch.stderr);
      assert.match(tooMuch.stderr, /larger than the balance/);
      assert.deepEqual(query('select balance_micro from users'), [{ balance_micro: 10_500_000 }], 'refused credits changed nothing');
      assert.equal(query('select id from ledger_entries').length, 1);
    });

    it('credit --idempotency-key credits once however often it is rerun, and refuses the key for another amount', async () => {
      const args = ['credit', '--user', 'x@y.z', '--amount', '2', '--idempotency-key', 'cli-topup-1'];
      const first = json(await run(...args));
      const again = json(await run(...args));
      assert.deepEqual(again, first);
      assert.equal(first.balance_micro, 12_500_000);
      const other = await run('credit', '--user', 'x@y.z', '--amount', '3', '--idempotency-key', 'cli-topup-1');
      assert.equal(other.code, 2, other.stderr);
      assert.match(other.stderr, /Idempotency-Key was already used/);
      assert.deepEqual(query('select balance_micro from users'), [{ balance_micro: 12_500_000 }]);
      assert.equal(query('select id from ledger_entries where idempotency_key = ?', 'cli-topup-1').length, 1);
    });

    it('keys create prints the secret once and stores only its hash', async () => {
      const out = json(await run('keys', 'create', '--user', 'x@y.z', '--name', 'cli', '--models', 'gpt-4o*,anthropic/*', '--budget-limit', '5.5', '--allow-balance'));
      assert.match(out.key, /^tg-[A-Za-z0-9_-]{43,}$/);
      assert.equal(out.name, 'cli');
      assert.deepEqual(out.models, ['gpt-4o*', 'anthropic/*']);
      assert.equal(out.budget_limit, 5.5);
      assert.equal(out.allow_balance, true);
      assert.equal(out.status, 'active');
      keyId = out.id;
      secret = out.key;
      const rows = query<{ key_hash: string; prefix: string }>('select * from api_keys');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.key_hash, createHash('sha256').update(secret).digest('hex'));
      assert.ok(!JSON.stringify(rows).includes(secret.slice(rows[0]!.prefix.length)), 'the secret is not stored');
    });

    it('keys list shows the key without its secret', async () => {
      const result = await run('keys', 'list', '--user', 'x@y.z');
      const out = json(result);
      assert.equal(out.length, 1);
      assert.equal(out[0].id, keyId);
      assert.equal(out[0].name, 'cli');
      assert.ok(secret.startsWith(out[0].prefix));
      assert.ok(!('key' in out[0]));
      assert.ok(!result.stdout.includes(secret.slice(out[0].prefix.length)), 'no part of the secret past the prefix');
    });

    it('keys pause and resume --key', async () => {
      const paused = json(await run('keys', 'pause', '--key', keyId));
      assert.equal(paused.status, 'paused');
      assert.deepEqual(query('select status from api_keys where id = ?', keyId), [{ status: 'paused' }]);
      const resumed = json(await run('keys', 'resume', '--key', keyId));
      assert.equal(resumed.status, 'active');
      assert.deepEqual(query('select status, revoked_at from api_keys where id = ?', keyId), [{ status: 'active', revoked_at: null }]);
    });

    it('keys revoke --key', async () => {
      const out = json(await run('keys', 'revoke', '--key', keyId));
      assert.equal(out.id, keyId);
      assert.equal(out.status, 'revoked');
      assert.ok(!JSON.stringify(out).includes(secret.slice(out.prefix.length)));
      const rows = query<{ status: string; revoked_at: number | null }>('select status, revoked_at from api_keys where id = ?', keyId);
      assert.equal(rows[0]?.status, 'revoked');
      assert.ok(typeof rows[0]?.revoked_at === 'number');
      const resume = await run('keys', 'resume', '--key', keyId);
      assert.equal(resume.code, 2, resume.stderr);
      assert.match(resume.stderr, /revoked key stays revoked/);
    });
  });

  // Two at a time: each run starts a Node with tsx (~2 s of CPU); fifteen at once on two cores took > 20 s each.
  describe('usage errors', { concurrency: 2 }, () => {
    it('an unknown command exits non-zero with the usage', async () => {
      const result = await tollgate(['frobnicate'], freshDb('unknown'));
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /unknown command "frobnicate"/);
      assert.match(result.stderr, /tollgate keys create --user/, 'the usage is printed');
      assert.equal(result.stdout, '');
    });

    it('a missing --email exits 2 naming --email', async () => {
      const result = await tollgate(['users', 'create'], freshDb('no-email'));
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--email/);
      assert.equal(result.stdout, '');
    });

    it('a bad DATABASE_URL exits non-zero naming DATABASE_URL', async () => {
      const result = await tollgate(['migrate'], { DATABASE_URL: 'mysql://localhost/tollgate' });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /DATABASE_URL/);
      assert.equal(result.stdout, '');
    });

    it('a debit written as --amount -5 is a debit', async () => {
      const env = freshDb('negative');
      const created = await tollgate(['users', 'create', '--email', 'neg@example.com'], env);
      assert.equal(created.code, 0, created.stderr);
      assert.equal((await tollgate(['credit', '--user', 'neg@example.com', '--amount', '10'], env)).code, 0);
      const debit = await tollgate(['credit', '--user', 'neg@example.com', '--amount', '-5'], env);
      assert.equal(debit.code, 0, debit.stderr);
      assert.equal((JSON.parse(debit.stdout) as { balance: number }).balance, 5);
    });

    it('settings shows and sets the rate and markup; ledger and requests list an account by email', async () => {
      const env = freshDb('billing');
      assert.equal((await tollgate(['users', 'create', '--email', 'led@example.com'], env)).code, 0);
      assert.equal((await tollgate(['credit', '--user', 'led@example.com', '--amount', '12.5', '--note', 'first'], env)).code, 0);
      const shown = json(await tollgate(['settings'], env));
      assert.deepEqual([shown.usd_rub_rate_source, shown.markup], ['shipped', '1']);
      const set = json(await tollgate(['settings', '--usd-rub-rate', '91.5', '--markup', '1.1', '--allow-unpriced-models', 'false'], env));
      assert.deepEqual([set.usd_rub_rate, set.usd_rub_rate_source, set.markup, set.allow_unpriced_models], ['91.5', 'admin', '1.1', false]);
      const [ledger, requests, bad] = await Promise.all([
        tollgate(['ledger', '--user', 'led@example.com'], env),
        tollgate(['requests', '--user', 'led@example.com', '--limit', '5'], env),
        tollgate(['settings', '--allow-unpriced-models', 'yes'], env),
      ]);
      assert.deepEqual(json(ledger).data.map((e: { kind: string; amount: number; note: string }) => [e.kind, e.amount, e.note]), [['credit', 12.5, 'first']]);
      assert.deepEqual(json(requests).data, []);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--allow-unpriced-models/);
    });

    it('models: set a price (the others kept), disable, list by provider; a bad price exits 2', async () => {
      const env = freshDb('models');
      const set = json(await tollgate(['models', 'set', 'openai/gpt-4o', '--input-per-mtok', '2.00'], env));
      assert.equal(set.prices.input_per_mtok, '2.00');
      assert.ok(set.prices.output_per_mtok, 'the prices not given stay');
      assert.equal(set.origin, 'override');
      assert.equal(json(await tollgate(['models', 'disable', 'openai/gpt-4o'], env)).enabled, false);
      const [listed, bad] = await Promise.all([tollgate(['models', 'list', '--provider', 'openai'], env), tollgate(['models', 'set', 'openai/gpt-4o', '--output-per-mtok', 'abc'], env)]);
      const gpt = json(listed).find((m: { id: string }) => m.id === 'openai/gpt-4o');
      assert.deepEqual([gpt.enabled, gpt.prices.input_per_mtok], [false, '2.00'], 'the override is in the database the server reads');
      assert.ok(json(listed).every((m: { provider: string }) => m.provider === 'openai'));
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /output_per_mtok/);
    });

    it('a command that would create a new database says so, once, on stderr', async () => {
      const env = freshDb('new-db');
      const first = await tollgate(['users', 'list'], env);
      assert.match(first.stderr, /no database at .*new-db.*tollgate\.db yet, so this command creates a new one/);
      assert.deepEqual(JSON.parse(first.stdout), [], 'stdout stays the JSON answer');
      assert.doesNotMatch((await tollgate(['users', 'list'], env)).stderr, /no database/, 'not once it exists');
    });

    it('--version prints the package version; COMMAND --help prints that command only', async () => {
      const [versionRun, help] = await Promise.all([tollgate(['--version'], {}), tollgate(['credit', '--help'], {})]);
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.equal(versionRun.stdout.trim(), `tollgate ${version}`);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /tollgate credit --user/);
      assert.doesNotMatch(help.stdout, /keys create|users create/, 'only the credit command');
    });
  });
});
