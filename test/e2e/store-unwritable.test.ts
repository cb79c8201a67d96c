import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runToExit, startProcess, type Running } from '../helpers/process.js';
import { startMock, type MockUpstream } from '../mocks/index.js';

const ADMIN = 'unwritable-admin-token-0123456789';
/** Root ignores file modes: the read-only start runs as `nobody` then (as any other user it runs as itself). */
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** The file-size limit of a running process (soft: the hard one stays, so it can be raised again). */
const limitFileSize = (pid: number, bytes: number | 'unlimited') => execFileSync('prlimit', [`--pid=${pid}`, `--fsize=${bytes}:unlimited`]);

describe('a database that cannot be written', () => {
  let dir: string;
  let mock: MockUpstream;
  const env = () => ({ ADMIN_TOKEN: ADMIN, DATABASE_URL: `sqlite:${join(dir, 'data', 'tollgate.db')}`, OPENAI_API_KEY: 'sk-unwritable-upstream', OPENAI_BASE_URL: mock.url });
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-ro-'));
    chmodSync(dir, 0o755); // nobody may enter it (and read the file), not write in it
    mock = await startMock('openai', { streamChunks: 4 });
    const first = await startProcess(env(), dir); // creates and migrates the file
    first.child.kill('SIGTERM');
    await first.exited;
  });
  after(async () => {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a read-only file: the gateway refuses to start, saying why', async () => {
    const data = join(dir, 'data');
    if (!isRoot) chmodSync(join(data, 'tollgate.db'), 0o444);
    try {
      // owned by root, mode 0644/0755: readable, not writable, by nobody
      const { code, output } = await runToExit(env(), dir, isRoot ? { uid: NOBODY, gid: NOBODY } : {});
      assert.notEqual(code, 0);
      assert.match(output, /the database cannot be written/, output);
      assert.ok(!output.includes('tollgate listening'), 'it never listened');
    } finally {
      if (!isRoot) chmodSync(join(data, 'tollgate.db'), 0o644);
    }
  });

  test('a full disk at start: the gateway refuses to start, saying why', async () => {
    const { code, output } = await runToExit(env(), dir, { wrap: ['prlimit', '--fsize=0:unlimited'] });
    assert.notEqual(code, 0);
    assert.match(output, /database cannot be written/, output);
  });

  describe('a disk that fills while serving', () => {
    let gw: Running;
    let key: string;
    before(async () => {
      gw = await startProcess(env(), dir);
      const admin = (method: string, path: string, body?: unknown) =>
        fetch(gw.url + path, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
      await admin('PUT', '/admin/settings', { usd_rub_rate: '100' });
      const user = await admin('POST', '/admin/users', { email: 'full@example.com' });
      await admin('POST', `/admin/users/${user.id}/credit`, { amount: '100' });
      key = (await admin('POST', `/admin/users/${user.id}/keys`, {})).key;
    });
    after(async () => {
      limitFileSize(gw.child.pid!, 'unlimited');
      gw.child.kill('SIGTERM');
      await gw.exited;
    });

    const chat = (path = '/openai/v1/chat/completions') =>
      fetch(gw.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
      });

    test('paid calls are refused with 503 in shape and nothing is forwarded; /ready says why; all resumes once writes succeed', async () => {
      assert.equal((await chat()).status, 200, 'served while the disk takes writes');
      limitFileSize(gw.child.pid!, 0);
      const before = mock.requests.length;
      // The first refused write (the charge of this answer, or this admission) turns admission off.
      await chat().then((r) => r.text());
      const refused = await chat();
      assert.equal(refused.status, 503);
      const body = (await refused.json()) as { error: { type: string; message: string } };
      assert.match(body.error.message, /cannot record charges|cannot reach its database/);
      const sent = mock.requests.length;
      assert.ok(sent - before <= 1, 'at most the call whose charge failed first reached the upstream');
      assert.equal((await chat()).status, 503);
      assert.equal(mock.requests.length, sent, 'nothing forwarded while charges cannot be written');
      const ready = await fetch(`${gw.url}/ready`);
      assert.equal(ready.status, 503);
      assert.match(((await ready.json()) as { reason: string }).reason, /refuses writes/);
      assert.equal((await fetch(`${gw.url}/openai/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status, 200, 'free calls still work');

      limitFileSize(gw.child.pid!, 'unlimited');
      const deadline = Date.now() + 5000;
      while ((await fetch(`${gw.url}/ready`)).status !== 200) {
        assert.ok(Date.now() < deadline, '/ready recovers once writes succeed');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal((await chat()).status, 200, 'paid calls are served again');
    });
  });
});
