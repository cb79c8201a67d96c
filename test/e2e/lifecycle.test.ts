import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startMock, type MockUpstream } from '../mocks/index.js';
import { runToExit, startProcess } from '../helpers/process.js';


describe('the gateway process', () => {
  let dir: string;
  let mock: MockUpstream;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-life-'));
    mock = await startMock('openai', { streamChunks: 8 });
  });
  after(async () => {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('first start creates ./data, generates an admin token and prints it once', async () => {
    const first = await startProcess({}, dir);
    try {
      const token = /ADMIN TOKEN \(shown once; store it now\): (tga-\S+)/;
      for (let i = 0; i < 40 && !token.test(first.stderr()); i++) await new Promise((r) => setTimeout(r, 50)); // two pipes: no order between them
      const match = token.exec(first.stderr());
      assert.ok(match?.[1], `the token is printed to stderr:\n${first.stdout()}`);
      const stdoutOnly = first.stdout().replace(first.stderr(), '');
      assert.ok(!first.stdout().split('\n').some((line) => line.startsWith('{') && line.includes(match[1]!)), 'never inside a JSON log line');
      assert.ok(stdoutOnly.includes('tollgate listening on'), 'the banner stays on stdout');
      const ok = await fetch(`${first.url}/admin/users?email=x@example.com`, { headers: { authorization: `Bearer ${match[1]}` } });
      assert.equal(ok.status, 200);
      const bad = await fetch(`${first.url}/admin/users`, { headers: { authorization: 'Bearer tga-wrong' } });
      assert.equal(bad.status, 401);
      assert.equal((await fetch(`${first.url}/ready`)).status, 200);
    } finally {
      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0, first.stdout());
    }
    const second = await startProcess({}, dir);
    try {
      assert.ok(!second.stdout().includes('ADMIN TOKEN'), 'the token is printed only on the first start');
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
    }
  });

  test('SIGTERM lets an in-flight stream finish, writes its history, and exits 0', async () => {
    const adminToken = 'lifecycle-admin-token-123456';
    const db = join(dir, 'drain.db');
    const gw = await startProcess({ ADMIN_TOKEN: adminToken, DATABASE_URL: `sqlite:${db}`, OPENAI_API_KEY: 'sk-life', OPENAI_BASE_URL: mock.url, HISTORY_FLUSH_MS: '60000' }, dir);
    const admin = (path: string, body: unknown, method = 'POST') =>
      fetch(gw.url + path, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const user = await admin('/admin/users', { email: 'drain@example.com' });
    const { key } = await admin(`/admin/users/${user.id}/keys`, {});
    await admin(`/admin/users/${user.id}/credit`, { amount: '100' });
    await admin('/admin/settings', { usd_rub_rate: '100' }, 'PUT');

    mock.failNext({ chunkDelayMs: 120 });
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'keep streaming please' }] }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    gw.child.kill('SIGTERM');
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    assert.match(text, /data: \[DONE\]/, 'the stream completed after SIGTERM');
    assert.equal(await gw.exited, 0);

    const sqlite = new Database(db, { readonly: true });
    const rows = sqlite.prepare('select status, model, stream from requests').all();
    const charges = sqlite.prepare(`select amount_micro from ledger_entries where kind = 'charge'`).all() as Array<{ amount_micro: number }>;
    const held = sqlite.prepare('select count(*) as n from holds').get() as { n: number };
    sqlite.close();
    assert.deepEqual(rows, [{ status: 200, model: 'gpt-4o', stream: 1 }], 'the pending history row was flushed on shutdown');
    assert.equal(charges.length, 1, 'the stream that finished during the drain was charged');
    assert.ok(charges[0]!.amount_micro < 0);
    assert.equal(held.n, 0, 'no hold survives the shutdown');
  });

  test('a bad setting stops the process with a message naming the variable', async () => {
    const port = await runToExit({ PORT: 'eighty' }, dir);
    assert.notEqual(port.code, 0);
    assert.match(port.output, /PORT/);
    const base = await runToExit({ OPENAI_BASE_URL: 'https://api.openai.com/v1' }, dir);
    assert.notEqual(base.code, 0);
    assert.match(base.output, /OPENAI_BASE_URL/);
    const db = await runToExit({ DATABASE_URL: 'mysql://x' }, dir);
    assert.notEqual(db.code, 0);
    assert.match(db.output, /DATABASE_URL/);
  });
});
