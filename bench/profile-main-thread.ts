// Main-thread CPU per request of the built gateway (not RPS, which other load on the machine spoils).
// Per run: the bench's mock upstream and a fresh tollgate (dist/src/main.js of a checkout; run
// `npm run build` first) started with --cpu-prof; a warm-up of PROFILE_WARMUP requests, then
// PROFILE_REQUESTS native chat completions over PROFILE_CONNECTIONS connections (autocannon `amount`).
// PROFILE_ROOTS (comma-separated checkouts, default this one) are run in turn, PROFILE_RUNS times each,
// interleaved (a, b, a, b, …) so that a change in the machine's load spoils both alike. Per run and as
// medians, over the measured requests only:
// - the main thread's CPU per request from /proc/<pid>/task/<pid>/schedstat (ns on a CPU), its wait for
//   a CPU (a loaded machine), and the whole process's CPU (every thread: workers, GC helpers, the profiler);
// - from the main thread's profile (its clock is CLOCK_MONOTONIC, as is process.hrtime): its non-idle time
//   per request and the inclusive time under the store's functions and under better-sqlite3. V8 samples
//   wall time while the thread is not idle, so on a loaded machine these are inflated; each is also given
//   as its share of the profile times the /proc CPU (its CPU, if the thread is descheduled evenly);
// - the non-idle profile time of the other JS threads (the store's writer thread, the checkpointer).
// PROFILE_DIR keeps the profiles; PROFILE_LOG_LEVEL (default warn) is the target's LOG_LEVEL (info: with the access log). Usage: node --import tsx bench/profile-main-thread.ts
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssMiB } from './proc.js';
import { freePort, installExitHandlers, makeTmpDir, startScript, stopAll, waitForHttp } from './processes.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOTS = (process.env.PROFILE_ROOTS ?? join(BENCH_DIR, '..')).split(',').filter(Boolean).map((root) => resolve(root));
const ADMIN_TOKEN = 'bench-admin-token';
const num = (name: string, def: number) => Number(process.env[name] ?? def);
const cfg = {
  requests: num('PROFILE_REQUESTS', 20_000),
  warmup: num('PROFILE_WARMUP', 3_000),
  connections: num('PROFILE_CONNECTIONS', 20),
  runs: num('PROFILE_RUNS', 3),
  intervalUs: num('PROFILE_INTERVAL_US', 500),
};
const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello in twenty tokens.' }] });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface ThreadFigures {
  busyUs: number;
  /** Inclusive time (µs) by `file:function` for frames of src/store/, and under better-sqlite3 as a whole. */
  inclusive: Map<string, number>;
}

/** The labels a sample counts for: each store file and function on its stack, and better-sqlite3, once each. */
function stackLabels(profile: CpuProfile): (id: number) => string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string[]>();
  return (id) => {
    let found = memo.get(id);
    if (found) return found;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at)!.callFrame;
      if (url.includes('/node_modules/better-sqlite3/')) seen.add('better-sqlite3 (its JS wrapper and what that calls)');
      const store = /\/src\/store\/(.+)\.[jt]s$/.exec(url);
      if (store) {
        seen.add(`store/${store[1]}.ts (any function)`);
        seen.add(`store/${store[1]}:${functionName || '(anonymous)'}`);
      }
    }
    memo.set(id, (found = [...seen]));
    return found;
  };
}

/** Non-idle time within [fromUs, toUs], and the inclusive time of the store's frames. */
function analyse(profile: CpuProfile, fromUs: number, toUs: number): ThreadFigures {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const labelsOf = stackLabels(profile);
  const figures: ThreadFigures = { busyUs: 0, inclusive: new Map() };
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) continue;
    const id = profile.samples[i]!;
    if (nodes.get(id)!.callFrame.functionName === '(idle)') continue;
    figures.busyUs += delta;
    for (const label of labelsOf(id)) figures.inclusive.set(label, (figures.inclusive.get(label) ?? 0) + delta);
  }
  return figures;
}

/** ns a thread ran on a CPU, and ns it waited for one (runnable), from schedstat. */
function threadTimes(pid: number, tid: number): { runNs: number; waitNs: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
  return { runNs: Number(run), waitNs: Number(wait) };
}

const CLK_TCK = 100; // USER_HZ
/** utime + stime (µs) of the whole process, every thread. */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLK_TCK;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function load(url: string, auth: string, amount: number): Promise<{ ok: number; bad: number }> {
  return new Promise((done, reject) => {
    let ok = 0;
    let bad = 0;
    const inst = autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: BODY, connections: cfg.connections, amount, timeout: 10 },
      (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : done({ ok, bad })),
    );
    inst.on('response', (_client, status) => (status === 200 ? ok++ : bad++));
  });
}

async function admin(base: string, path: string, body: unknown, method = 'POST'): Promise<Record<string, unknown>> {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function startGateway(root: string, mockUrl: string, profileDir: string): Promise<{ child: ChildProcess; base: string; exited: Promise<void> }> {
  const port = await freePort();
  const dbDir = makeTmpDir('tollgate-profile-db-');
  const args = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-interval=${cfg.intervalUs}`, join(root, 'dist', 'src', 'main.js')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dbDir, 'bench.db')}`, ADMIN_TOKEN,
      OPENAI_API_KEY: 'sk-bench-upstream', OPENAI_BASE_URL: mockUrl, LOG_LEVEL: process.env['PROFILE_LOG_LEVEL'] ?? 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health`, child, 'tollgate');
  return { child, base, exited };
}

interface RunFigures {
  /** /proc: the main thread's CPU and its wait for a CPU, and the whole process's CPU. */
  mainCpu: number;
  mainWait: number;
  processCpu: number;
  /** Profiles: the main thread's non-idle time, and the other JS threads'. */
  mainProfile: number;
  otherThreads: number;
  /** Inclusive profile time by label. */
  inclusive: Map<string, number>;
  /** The process's resident memory right after the measured requests (MiB). */
  rss: number;
}

/** One gateway, warmed up, then measured; every figure in µs per request. */
async function run(root: string, mockUrl: string): Promise<RunFigures> {
  // PROFILE_DIR: keep the .cpuprofile files there (one folder per run), to open them in DevTools.
  const profileDir = process.env.PROFILE_DIR ? mkdtempSync(join(process.env.PROFILE_DIR, 'run-')) : makeTmpDir('tollgate-profile-');
  const gw = await startGateway(root, mockUrl, profileDir);
  const user = await admin(gw.base, '/admin/users', { email: 'bench@example.com' });
  const uid = encodeURIComponent(String(user.id));
  await admin(gw.base, '/admin/settings', { usd_rub_rate: '95' }, 'PUT');
  await admin(gw.base, `/admin/users/${uid}/credit`, { amount: '1000000' });
  const key = await admin(gw.base, `/admin/users/${uid}/keys`, { name: 'bench', allow_balance: true });
  const url = `${gw.base}/openai/v1/chat/completions`;
  const auth = `Bearer ${String(key.key)}`;
  await load(url, auth, cfg.warmup);
  const pid = gw.child.pid!;
  const [main0, process0, from] = [threadTimes(pid, pid), processCpuUs(pid), nowUs()];
  const result = await load(url, auth, cfg.requests);
  const [main1, process1, to] = [threadTimes(pid, pid), processCpuUs(pid), nowUs()];
  const rss = rssMiB(pid) ?? NaN;
  if (result.bad > 0 || result.ok !== cfg.requests) throw new Error(`measured run: ${result.ok} answers 200, ${result.bad} others`);
  gw.child.kill('SIGTERM');
  await gw.exited;
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: the main thread is thread 0.
  const main = files.find((f) => f.split('.')[4] === '0');
  if (!main) throw new Error(`no main-thread profile in ${profileDir}: ${files.join(', ')}`);
  const read = (f: string) => JSON.parse(readFileSync(join(profileDir, f), 'utf8')) as CpuProfile;
  const figures = analyse(read(main), from, to);
  let others = 0;
  for (const f of files) if (f !== main) others += analyse(read(f), from, to).busyUs;
  const perReq = (us: number) => us / cfg.requests;
  return {
    mainCpu: perReq((main1.runNs - main0.runNs) / 1000),
    mainWait: perReq((main1.waitNs - main0.waitNs) / 1000),
    processCpu: perReq(process1 - process0),
    mainProfile: perReq(figures.busyUs),
    otherThreads: perReq(others),
    inclusive: new Map([...figures.inclusive].map(([k, v]) => [k, perReq(v)])),
    rss,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const series = (values: number[]) => `${median(values).toFixed(1)} µs/req (runs: ${values.map((v) => v.toFixed(1)).join(', ')})`;

function report(root: string, runs: RunFigures[]): void {
  console.log(`\n${root}: ${cfg.requests} requests × ${runs.length} runs, ${cfg.connections} connections; medians`);
  console.log(`  main thread CPU (/proc):          ${series(runs.map((r) => r.mainCpu))}`);
  console.log(`  main thread waiting for a CPU:    ${series(runs.map((r) => r.mainWait))}`);
  console.log(`  process CPU, all threads (/proc): ${series(runs.map((r) => r.processCpu))}`);
  console.log(`  main thread, profile:             ${series(runs.map((r) => r.mainProfile))}`);
  console.log(`  other JS threads, profile:        ${series(runs.map((r) => r.otherThreads))}`);
  console.log(`  RSS after the load:               ${median(runs.map((r) => r.rss)).toFixed(0)} MiB (runs: ${runs.map((r) => r.rss.toFixed(0)).join(', ')})`);
  console.log('  main thread, inclusive time (µs/req: profile | share of the profile × /proc CPU):');
  const labels = [...new Set(runs.flatMap((r) => [...r.inclusive.keys()]))];
  const rows = labels
    .map((label) => {
      const raw = median(runs.map((r) => r.inclusive.get(label) ?? 0));
      const cpu = median(runs.map((r) => ((r.inclusive.get(label) ?? 0) / r.mainProfile) * r.mainCpu));
      return [label, raw, cpu] as const;
    })
    .sort((a, b) => b[1] - a[1]);
  for (const [label, raw, cpu] of rows) if (raw >= 0.05) console.log(`    ${raw.toFixed(2).padStart(6)} | ${cpu.toFixed(2).padStart(6)}  ${label}`);
}

async function main(): Promise<void> {
  installExitHandlers();
  if (process.env.PROFILE_DIR) mkdirSync(process.env.PROFILE_DIR, { recursive: true });
  const mock = await startScript(join(BENCH_DIR, 'mock-upstream.ts'), 'mock-upstream', {}, join(BENCH_DIR, '..', 'node_modules'));
  const mockUrl = `http://127.0.0.1:${mock.port}`;
  const runs = new Map<string, RunFigures[]>(ROOTS.map((root) => [root, []]));
  for (let i = 1; i <= cfg.runs; i++) {
    for (const root of ROOTS) {
      const r = await run(root, mockUrl);
      runs.get(root)!.push(r);
      console.log(
        `run ${i} ${root}: main thread CPU ${r.mainCpu.toFixed(1)} µs/req (waited ${r.mainWait.toFixed(1)}; process ${r.processCpu.toFixed(1)}); ` +
          `profile: main ${r.mainProfile.toFixed(1)}, other JS threads ${r.otherThreads.toFixed(1)}; RSS ${r.rss.toFixed(0)} MiB`,
      );
    }
  }
  for (const [root, figures] of runs) report(root, figures);
  await stopAll();
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
