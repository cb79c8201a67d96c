import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import OpenAI from 'openai';
import { ROOT } from '../helpers/process.js';
import { startMock } from '../mocks/index.js';

const STAMP = join(ROOT, 'dist', '.built');

interface Started {
  npm: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | string | null>;
}

/** `npm start` as a newcomer or a supervisor runs it; resolves once the gateway answers /health. */
async function npmStart(dir: string, timeoutMs: number, env: Record<string, string> = { ADMIN_TOKEN: 'npm-start-test-admin-token' }): Promise<Started> {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, `${Object.keys(env).join('-')}.db`)}`, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a failed test can stop npm and the gateway alike
  });
  let out = '';
  npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string | null>((resolve) => npm.once('exit', (code, signal) => resolve(code ?? signal)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = /tollgate listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
    if (url) return { npm, url, output: () => out, exited };
    if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-npm-start-'));
  const started: ChildProcess[] = [];
  after(() => {
    for (const npm of started) if (npm.exitCode === null && npm.pid) process.kill(-npm.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds only when the sources changed, and SIGTERM sent to npm alone stops the gateway (no orphan on the port)', { timeout: 240_000 }, async () => {
    // The first start builds when dist/ is missing or older than the sources (a fresh clone has none).
    rmSync(STAMP, { force: true });
    const first = await npmStart(dir, 180_000);
    started.push(first.npm);
    assert.match(first.output(), /building/, 'without a build stamp, the start builds');
    assert.ok(await answers(first.url), 'the gateway answers');
    first.npm.kill('SIGTERM'); // the npm process only, as Docker, systemd or a CI runner signal it
    assert.equal(await first.exited, 0, `npm start exits cleanly on SIGTERM:\n${first.output()}`);
    assert.equal(await answers(first.url), false, 'nothing is left answering on the port');
    assert.match(first.output(), /draining/, 'the gateway itself got the signal and drained');

    const builtAt = statSync(STAMP).mtimeMs;
    const t0 = Date.now();
    const second = await npmStart(dir, 60_000);
    started.push(second.npm);
    const startMs = Date.now() - t0;
    assert.doesNotMatch(second.output(), /building/, 'nothing changed: no build');
    assert.equal(statSync(STAMP).mtimeMs, builtAt, 'the build stamp is untouched');
    assert.ok(startMs < 20_000, `a start without a build takes seconds (took ${startMs} ms)`);
    second.npm.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });

  it("the README's quickstart, verbatim, then the official openai SDK: answers 200 and is billed", { timeout: 120_000 }, async () => {
    const upstream = await startMock('openai');
    try {
      const gw = await npmStart(dir, 60_000, { OPENAI_API_KEY: 'sk-quickstart-upstream', OPENAI_BASE_URL: upstream.url });
      started.push(gw.npm);
      const token = /ADMIN TOKEN \(shown once; store it now\): (\S+)/;
      for (let i = 0; i < 40 && !token.test(gw.output()); i++) await new Promise((r) => setTimeout(r, 50));
      const admin = token.exec(gw.output())?.[1];
      assert.ok(admin, `the first start prints the admin token:\n${gw.output()}`);
      const block = /## First key in a minute\n\n```sh\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1];
      assert.ok(block, "the README's quickstart block");
      const script = block.replace('http://127.0.0.1:8080', gw.url).replace('<the printed admin token>', admin);
      const shell = spawn('bash', ['-euo', 'pipefail', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      shell.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      assert.equal(await new Promise((resolve) => shell.once('exit', resolve)), 0, out);
      const key = /"key":"(tg-[^"]+)"/.exec(out)?.[1];
      assert.ok(key, `the quickstart prints a key:\n${out}`);
      const answer = await new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: key }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello!' }] });
      assert.ok(answer.choices[0]?.message.content, 'the first call answers');
      let row: { status: number; cost: { rub: number | null } } | undefined;
      for (let i = 0; i < 60 && !row; i++) {
        // The charge and its history row are written in the background, within a few tens of ms.
        const history = await fetch(`${gw.url}/v1/requests?limit=1`, { headers: { authorization: `Bearer ${key}` } });
        row = ((await history.json()) as { data: Array<{ status: number; cost: { rub: number | null } }> }).data[0];
        if (!row) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(row?.status, 200);
      assert.ok((row?.cost.rub ?? 0) > 0, 'and it is billed in rubles');
      gw.npm.kill('SIGTERM');
      assert.equal(await gw.exited, 0);
    } finally {
      await upstream.close();
    }
  });
});
