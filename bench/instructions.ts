// Instructions per request, counted by valgrind's callgrind (all threads of the gateway): the one figure
// that a shared, noisy machine does not move. Starts the bench's mock upstream and the built gateway of
// each checkout in ICOUNT_ROOTS (comma-separated, default this one) under callgrind, warms it up, zeroes
// the counters, then sends ICOUNT_REQUESTS native chat completions and as many unified /v1 ones
// (`openai/<model>`) and Anthropic-translated ones, dumping the counters after each.
// Usage: node --import tsx bench/instructions.ts   (needs valgrind; takes a few minutes per checkout)
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN } from './tollgate.js';
import { freePort, installExitHandlers, makeTmpDir, startScript, stopAll, waitForHttp } from './processes.js';

// valgrind and callgrind_control name their shared pipe after USER and HOST (the gateway's HOST is its
// listen address): both must see the same values.
process.env.USER ??= 'bench';
process.env.LOGNAME ??= process.env.USER;
const VGDB_ENV = { ...process.env, HOST: '127.0.0.1' };
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOTS = (process.env.ICOUNT_ROOTS ?? join(BENCH_DIR, '..')).split(',').filter(Boolean).map((r) => resolve(r));
const REQUESTS = Number(process.env.ICOUNT_REQUESTS ?? 600);
const WARMUP = Number(process.env.ICOUNT_WARMUP ?? 600);
const MODEL = 'gpt-4o-mini';
const ANTHROPIC_MODEL = 'claude-sonnet-4-20250514';

const body = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello in twenty tokens.' }] });

async function admin(base: string, path: string, payload: unknown, method = 'POST'): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify(payload) });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

async function send(url: string, auth: string, payload: string, amount: number): Promise<void> {
  const result = await autocannon({ url, method: 'POST', connections: 4, amount, headers: { 'content-type': 'application/json', authorization: auth }, body: payload });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
}

/** Instructions in the newest dump of `out` (callgrind's `totals:` line). */
function lastDumpTotal(dir: string, out: string, dumps: number): number {
  const file = readdirSync(dir).filter((f) => f.startsWith(out) && f.endsWith(`.${dumps}`))[0];
  if (!file) throw new Error(`no callgrind dump ${dumps} in ${dir}`);
  const total = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
  return Number(total?.[1] ?? NaN);
}

async function measure(root: string, mockUrl: string): Promise<Record<string, number>> {
  const port = await freePort();
  const dir = makeTmpDir('tollgate-icount-');
  const child = spawn('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${join(dir, 'cg.out')}`, process.execPath, join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, ADMIN_TOKEN, OPENAI_API_KEY: 'sk-bench-upstream', OPENAI_BASE_URL: mockUrl, ANTHROPIC_API_KEY: 'sk-ant-bench-upstream', ANTHROPIC_BASE_URL: mockUrl, LOG_LEVEL: 'warn' },
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/health`, child, 'tollgate under callgrind', 600_000);
    const user = await admin(base, '/admin/users', { email: 'icount@example.com' });
    const uid = encodeURIComponent(String(user.id));
    await admin(base, '/admin/settings', { usd_rub_rate: '95' }, 'PUT');
    await admin(base, `/admin/users/${uid}/credit`, { amount: '1000000' });
    const key = await admin(base, `/admin/users/${uid}/keys`, { name: 'icount', allow_balance: true });
    const auth = `Bearer ${String(key.key)}`;
    const runs: Array<[string, string, string]> = [
      ['native chat', `${base}/openai/v1/chat/completions`, body(MODEL)],
      ['unified openai', `${base}/v1/chat/completions`, body(`openai/${MODEL}`)],
      ['unified anthropic', `${base}/v1/chat/completions`, body(`anthropic/${ANTHROPIC_MODEL}`)],
    ];
    for (const [, url, payload] of runs) await send(url, auth, payload, WARMUP);
    execFileSync('callgrind_control', ['-z', String(child.pid)], { env: VGDB_ENV });
    const perRequest: Record<string, number> = {};
    let dumps = 0;
    for (const [name, url, payload] of runs) {
      await send(url, auth, payload, REQUESTS);
      await new Promise((r) => setTimeout(r, 1500)); // the batches of these requests are written
      execFileSync('callgrind_control', ['-d', String(child.pid)], { env: VGDB_ENV });
      dumps++;
      perRequest[name] = lastDumpTotal(dir, 'cg.out', dumps) / REQUESTS;
    }
    return perRequest;
  } finally {
    child.kill('SIGTERM');
  }
}

installExitHandlers();
const mock = await startScript(join(BENCH_DIR, 'mock-upstream.ts'), 'mock-upstream', {}, join(BENCH_DIR, '..', 'node_modules'));
try {
  for (const root of ROOTS) {
    const figures = await measure(root, `http://127.0.0.1:${mock.port}`);
    const line = Object.entries(figures).map(([name, ir]) => `${name} ${(ir / 1e6).toFixed(3)} M`).join(', ');
    console.log(`${root}: instructions per request (all threads): ${line}`);
  }
} finally {
  await stopAll();
}
