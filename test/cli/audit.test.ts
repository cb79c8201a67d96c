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

interface AuditRow {
  actor: string;
  actor_user_id: string | null;
  action: string;
  target: string | null;
  details: string | null;
}

/** The CLI's changes of money, prices and keys are in the audit log with `cli` as the actor. */
describe('tollgate CLI audit', { concurrency: 1 }, () => {
  let dir: string;
  let dbFile: string;
  let env: Record<string, string>;
  const run = async (...args: string[]) => {
    const result = await tollgate(args, env);
    assert.equal(result.code, 0, `${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as any;
  };
  const audit = (): AuditRow[] => {
    const db = new SQLite(dbFile, { readonly: true });
    try {
      return db.prepare('select actor, actor_user_id, action, target, details from audit_log order by id').all() as AuditRow[];
    } finally {
      db.close();
    }
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-audit-'));
    dbFile = join(dir, 'tollgate.db');
    env = { DATABASE_URL: `sqlite:${dbFile}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('credit (a rerun with the same key is not audited twice), key revoke, model price, settings', async () => {
    const user = await run('users', 'create', '--email', 'ana@example.com');
    await run('credit', '--user', 'ana@example.com', '--amount', '12.5', '--note', 'invoice 7', '--idempotency-key', 'inv-7');
    await run('credit', '--user', 'ana@example.com', '--amount', '12.5', '--note', 'invoice 7', '--idempotency-key', 'inv-7');
    await run('credit', '--user', 'ana@example.com', '--amount', '-2', '--note', 'refund');
    const key = await run('keys', 'create', '--user', 'ana@example.com');
    await run('keys', 'revoke', '--key', key.id);
    await run('models', 'set', 'openai/gpt-4o', '--input-per-mtok', '3.5');
    await run('models', 'disable', 'openai/gpt-4o-mini');
    await run('settings', '--usd-rub-rate', '91.5');
    await run('settings'); // reading changes nothing

    const rows = audit();
    assert.deepEqual(
      rows.map((r) => [r.actor, r.actor_user_id, r.action, r.target]),
      [
        ['cli', null, 'user.credit', user.id],
        ['cli', null, 'user.debit', user.id],
        ['cli', null, 'key.revoke', key.id],
        ['cli', null, 'model.update', 'openai/gpt-4o'],
        ['cli', null, 'model.update', 'openai/gpt-4o-mini'],
        ['cli', null, 'settings.update', null],
      ],
    );
    const details = rows.map((r) => JSON.parse(r.details ?? 'null'));
    assert.equal(details[0].amount, '12.5');
    assert.equal(details[0].note, 'invoice 7');
    assert.equal(details[3].after.prices.input_per_mtok, '3.5');
    assert.notEqual(details[3].before.prices.input_per_mtok, '3.5');
    assert.deepEqual(details[4], { before: { enabled: true }, after: { enabled: false } });
    assert.equal(details[5].after.usd_rub_rate, '91.5');
    assert.ok(!JSON.stringify(rows).includes(key.key), 'the key secret is never in the log');
  });
});
