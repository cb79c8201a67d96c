import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT } from '../helpers/process.js';

const STAMP = join(ROOT, 'dist', '.built');

interface Started {
  npm: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | string | null>;
}

/** `npm start` as a newcomer or a supervisor runs it; resolves once the gateway answers /health. */
async function npmStart(dir: string, timeoutMs: number): Promise<Started> {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'gw.db')}`, ADMIN_TOKEN: 'npm-start-test-admin-token', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
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
    for (const npm of started) if (npm.exitCode === null) npm.kill('SIGKILL');
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
});
