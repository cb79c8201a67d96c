// `npm run bench`: tollgate vs a bare undici pass-through proxy, both in front of the same mock
// upstream (OpenAI chat completions and Anthropic Messages). Scenarios (a) chat, (b) chat stream,
// (d) unified chat to the OpenAI mock and (e) unified chat translated to Anthropic are closed-loop
// autocannon runs; (c) is an evenly paced open-loop run at a fixed rate (bench/paced.ts). (d) and (e)
// run on tollgate only and are compared with the bare (a) run; they run right after (a) so the
// comparison spans little time. Env: BENCH_SCENARIOS (e.g. "a,d,e" or scenario ids; default all),
// BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS (default 50),
// BENCH_SKIP_BUILD=1, BENCH_ONLY_BARE=1, BENCH_MODEL (OpenAI model, default gpt-4o-mini),
// BENCH_ANTHROPIC_MODEL (default claude-sonnet-4-20250514; both must be priced in data/catalog).
import autocannon from 'autocannon';
import { PacedLoad } from './paced.js';
import { smoke, smokeUnified } from './smoke.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cpuMs,
  freePort,
  installExitHandlers,
  isAlive,
  makeTmpDir,
  RssMonitor,
  runCommand,
  spawnService,
  startScript,
  stopAll,
  waitForHttp,
} from './processes.js';
import type { ChildProcess } from 'node:child_process';
import {
  compare,
  evaluate,
  latencyStats,
  renderReport,
  writeJson,
  type Report,
  type Pacing,
  type RunStats,
  type ScenarioId,
  type TargetName,
  BASELINE,
} from './report.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const ADMIN_TOKEN = 'bench-admin-token';

function envNum(name: string, def: number): number {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
}
const flag = (name: string): boolean => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());

const cfg = {
  duration: envNum('BENCH_DURATION', 10),
  warmup: envNum('BENCH_WARMUP', 2),
  connections: envNum('BENCH_CONNECTIONS', 50),
  rate: 500,
  rateConnections: 32,
  skipBuild: flag('BENCH_SKIP_BUILD'),
  onlyBare: flag('BENCH_ONLY_BARE'),
  model: process.env.BENCH_MODEL ?? 'gpt-4o-mini',
  anthropicModel: process.env.BENCH_ANTHROPIC_MODEL ?? 'claude-sonnet-4-20250514',
  scenarios: process.env.BENCH_SCENARIOS ?? 'a,b,c,d,e',
};

const messages = [{ role: 'user', content: 'Say hello in twenty tokens.' }];
const BODY = JSON.stringify({ model: cfg.model, messages });
const STREAM_BODY = JSON.stringify({ model: cfg.model, messages, stream: true, stream_options: { include_usage: true } });
const UNIFIED_MODEL = `openai/${cfg.model}`;
const ANTHROPIC_MODEL = `anthropic/${cfg.anthropicModel}`;

interface Target {
  name: TargetName;
  child: ChildProcess;
  pid: number;
  base: string; // http://host:port
  chatPath: string; // the target's native chat-completions path
  auth: string;
}

interface Scenario {
  id: ScenarioId;
  letter: string;
  label: string;
  stream: boolean;
  connections: number;
  body: string;
  /** served on the unified API (`/v1/chat/completions`, tollgate only) instead of the native mount */
  unified?: { model: string };
  targets: readonly TargetName[];
  /** evenly paced open-loop rate (req/s) instead of a closed-loop autocannon run */
  pacedRate?: number;
}

const BOTH: readonly TargetName[] = ['bare', 'tollgate'];
const TOLLGATE_ONLY: readonly TargetName[] = ['tollgate'];

/** In run order: (d) and (e) right after (a), whose bare run they are compared with. */
const SCENARIOS: Scenario[] = [
  { id: 'chat', letter: 'a', label: '(a) chat', stream: false, connections: cfg.connections, body: BODY, targets: BOTH },
  {
    id: 'unified-chat',
    letter: 'd',
    label: `(d) /v1 chat ${UNIFIED_MODEL}`,
    stream: false,
    connections: cfg.connections,
    body: JSON.stringify({ model: UNIFIED_MODEL, messages }),
    unified: { model: UNIFIED_MODEL },
    targets: TOLLGATE_ONLY,
  },
  {
    id: 'unified-anthropic',
    letter: 'e',
    label: `(e) /v1 chat ${ANTHROPIC_MODEL}`,
    stream: false,
    connections: cfg.connections,
    body: JSON.stringify({ model: ANTHROPIC_MODEL, messages }),
    unified: { model: ANTHROPIC_MODEL },
    targets: TOLLGATE_ONLY,
  },
  { id: 'chat-stream', letter: 'b', label: '(b) chat stream x20', stream: true, connections: cfg.connections, body: STREAM_BODY, targets: BOTH },
  {
    id: 'rate-500',
    letter: 'c',
    label: `(c) chat @${cfg.rate}/s`,
    stream: false,
    connections: cfg.rateConnections,
    body: BODY,
    targets: BOTH,
    pacedRate: cfg.rate,
  },
];

/** BENCH_SCENARIOS: letters or ids, comma/space separated. */
function selectScenarios(spec: string): Set<ScenarioId> {
  const picked = new Set<ScenarioId>();
  for (const word of spec.split(/[\s,]+/).filter(Boolean)) {
    const sc = SCENARIOS.find((s) => s.letter === word.toLowerCase() || s.id === word);
    if (!sc) throw new Error(`BENCH_SCENARIOS: unknown scenario "${word}" (known: ${[...SCENARIOS].sort((x, y) => x.letter.localeCompare(y.letter)).map((s) => `${s.letter}=${s.id}`).join(', ')})`);
    picked.add(sc.id);
  }
  if (picked.size === 0) throw new Error('BENCH_SCENARIOS selects no scenario');
  return picked;
}

/** The (scenario, target) runs to make, in order; a tollgate run's bare baseline is added when it is not selected. */
function plan(selected: Set<ScenarioId>, available: readonly TargetName[]): { sc: Scenario; target: TargetName }[] {
  const wanted = new Set<string>();
  for (const sc of SCENARIOS) {
    if (!selected.has(sc.id)) continue;
    for (const t of sc.targets) if (available.includes(t)) wanted.add(`${sc.id}/${t}`);
    if (sc.targets.includes('tollgate') && available.includes('tollgate') && available.includes('bare')) wanted.add(`${BASELINE[sc.id]}/bare`);
  }
  return SCENARIOS.flatMap((sc) => BOTH.filter((t) => wanted.has(`${sc.id}/${t}`)).map((target) => ({ sc, target })));
}

function urlOf(t: Target, sc: Scenario): string {
  if (sc.unified && t.name !== 'tollgate') throw new Error(`${sc.label} runs on tollgate only`);
  return `${t.base}${sc.unified ? '/v1/chat/completions' : t.chatPath}`;
}

interface LoadResult {
  durationS: number;
  samples: number[]; // latency (ms) of each 2xx response
  errors: number;
  timeouts: number;
  non2xx: number;
  pacing?: Pacing;
}

function runAutocannon(t: Target, sc: Scenario, durationS: number): Promise<LoadResult> {
  const samples: number[] = [];
  return new Promise<LoadResult>((res, rej) => {
    const inst = autocannon(
      {
        url: urlOf(t, sc),
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: t.auth },
        body: sc.body,
        connections: sc.connections,
        duration: durationS,
        timeout: 10,
      },
      (err: unknown, r: autocannon.Result) =>
        err
          ? rej(err instanceof Error ? err : new Error(String(err)))
          : res({ durationS: r.duration, samples, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx }),
    );
    inst.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) samples.push(ms);
    });
  });
}

async function runPaced(load: PacedLoad, rate: number, durationS: number): Promise<LoadResult> {
  const r = await load.run(durationS);
  return {
    durationS: r.durationS,
    samples: r.latenciesMs,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    pacing: { rate, sent: r.sent, late: r.late, lagP50Ms: r.lagP50Ms, lagP99Ms: r.lagP99Ms, lagMaxMs: r.lagMaxMs },
  };
}

/** One warm-up or measured run; `paced` is the target's generator for paced scenarios. */
async function fire(t: Target, sc: Scenario, durationS: number, mockPid: number, paced?: PacedLoad): Promise<RunStats> {
  const cpu0 = cpuMs(t.pid);
  const mock0 = cpuMs(mockPid);
  const gen0 = process.cpuUsage();
  const result = paced && sc.pacedRate ? await runPaced(paced, sc.pacedRate, durationS) : await runAutocannon(t, sc, durationS);
  const cpu1 = cpuMs(t.pid);
  const mock1 = cpuMs(mockPid);
  const gen = process.cpuUsage(gen0);
  const samples = result.samples;
  const pct = (a: number | null, b: number | null): number | null =>
    a === null || b === null ? null : ((b - a) / (result.durationS * 1000)) * 100;
  return {
    scenario: sc.id,
    scenarioLabel: sc.label,
    target: t.name,
    connections: sc.connections,
    overallRate: sc.pacedRate ?? null,
    durationS: result.durationS,
    requests2xx: samples.length,
    rps: samples.length / result.durationS,
    latencyMs: latencyStats(samples),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    cpuPct: pct(cpu0, cpu1),
    mockCpuPct: pct(mock0, mock1),
    loadgenCpuPct: pct(0, (gen.user + gen.system) / 1000),
    cpuUsPerReq: cpu0 === null || cpu1 === null || samples.length === 0 ? null : ((cpu1 - cpu0) * 1000) / samples.length,
    ...(result.pacing ? { pacing: result.pacing } : {}),
  };
}

async function adminPost(base: string, path: string, body: unknown, method = 'POST'): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function startTollgate(mockUrl: string): Promise<Target> {
  const main = join(ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} not found (build failed or BENCH_SKIP_BUILD=1 without a prior build)`);
  const port = await freePort();
  const dbDir = makeTmpDir('tollgate-bench-db-');
  // BENCH_TOLLGATE_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the target only.
  const nodeArgs = (process.env.BENCH_TOLLGATE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawnService('tollgate', process.execPath, [...nodeArgs, main], {
    cwd: ROOT,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dbDir, 'bench.db')}`,
      ADMIN_TOKEN,
      OPENAI_API_KEY: 'sk-bench-upstream',
      OPENAI_BASE_URL: mockUrl,
      ANTHROPIC_API_KEY: 'sk-ant-bench-upstream',
      ANTHROPIC_BASE_URL: mockUrl,
      LOG_LEVEL: 'warn',
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health`, child, 'tollgate');
  const user = await adminPost(base, '/admin/users', { email: 'bench@example.com' });
  if (user.id === undefined) throw new Error(`POST /admin/users returned no id: ${JSON.stringify(user)}`);
  const uid = encodeURIComponent(String(user.id));
  // Billing is on, as in production: every call is estimated, held, and charged from its usage.
  await adminPost(base, '/admin/settings', { usd_rub_rate: '95' }, 'PUT');
  await adminPost(base, `/admin/users/${uid}/credit`, { amount: '1000000' });
  const key = await adminPost(base, `/admin/users/${uid}/keys`, { name: 'bench', allow_balance: true });
  if (typeof key.key !== 'string') throw new Error(`POST /admin/users/${uid}/keys returned no key`);
  return { name: 'tollgate', child, pid: child.pid ?? -1, base, chatPath: '/openai/v1/chat/completions', auth: `Bearer ${key.key}` };
}

async function main(): Promise<number> {
  installExitHandlers();
  const selected = selectScenarios(cfg.scenarios);
  if (!cfg.onlyBare && !cfg.skipBuild) {
    console.log('[bench] npm run build');
    await runCommand('npm', ['run', 'build'], ROOT);
  }
  const nodeModules = join(ROOT, 'node_modules');
  const mock = await startScript(join(BENCH_DIR, 'mock-upstream.ts'), 'mock-upstream', {}, nodeModules);
  const mockUrl = `http://127.0.0.1:${mock.port}`;
  const bare = await startScript(join(BENCH_DIR, 'bare-proxy.ts'), 'bare-proxy', { UPSTREAM_URL: mockUrl }, nodeModules);
  const targets: Target[] = [
    { name: 'bare', child: bare.child, pid: bare.pid, base: `http://127.0.0.1:${bare.port}`, chatPath: '/v1/chat/completions', auth: 'Bearer sk-bare-anything' },
  ];
  if (!cfg.onlyBare) targets.push(await startTollgate(mockUrl));
  console.log(`[bench] mock upstream ${mockUrl} (pid ${mock.pid}); ${targets.map((t) => `${t.name} ${t.base} (pid ${t.pid})`).join('; ')}`);
  const steps = plan(selected, targets.map((t) => t.name));
  if (steps.length === 0) throw new Error(`BENCH_SCENARIOS=${cfg.scenarios} leaves nothing to run${cfg.onlyBare ? ' with BENCH_ONLY_BARE=1' : ''}`);
  console.log(`[bench] runs: ${steps.map(({ sc, target }) => `${sc.letter}/${target}`).join(', ')}`);

  const rss = new RssMonitor(Object.fromEntries(targets.map((t) => [t.name, t.pid])));
  rss.start();
  for (const t of targets) console.log(`[bench] smoke ${await smoke(t, BODY, STREAM_BODY)}`);
  for (const sc of SCENARIOS) {
    const t = targets.find((x) => x.name === 'tollgate');
    if (sc.unified && t && steps.some((s) => s.sc === sc)) console.log(`[bench] smoke ${t.name} ${await smokeUnified(t, sc, urlOf(t, sc))}`);
  }

  const runs: RunStats[] = [];
  for (const { sc, target } of steps) {
    const t = targets.find((x) => x.name === target);
    if (!t) throw new Error(`no target ${target}`);
    // Paced runs reuse one pool for warm-up and measurement, so the measured run starts warm.
    const paced = sc.pacedRate
      ? new PacedLoad({
          url: urlOf(t, sc),
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: t.auth },
          body: sc.body,
          rate: sc.pacedRate,
          connections: sc.connections,
          timeoutMs: 10_000,
        })
      : undefined;
    try {
      for (const warm of [true, false]) {
        if (!isAlive(t.child) || !isAlive(mock.child)) throw new Error(`${t.name} or mock upstream is no longer running`);
        const d = warm ? cfg.warmup : cfg.duration;
        process.stdout.write(`[bench] ${sc.label} -> ${t.name}: ${warm ? 'warm-up' : 'measure'} ${d}s ... `);
        const r = await fire(t, sc, d, mock.pid, paced);
        const p = r.pacing;
        const pacing = p ? `, late ${p.late}/${p.sent}, start lag p50/p99 ${p.lagP50Ms.toFixed(2)}/${p.lagP99Ms.toFixed(2)} ms` : '';
        console.log(`${r.rps.toFixed(0)} req/s, p50 ${r.latencyMs.p50.toFixed(2)} ms, err/non2xx ${r.errors}/${r.non2xx}${pacing}`);
        if (!warm) runs.push(r);
      }
    } finally {
      await paced?.close();
    }
  }

  const mem = rss.stop();
  const comparisons = compare(runs);
  const report: Report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    config: { ...cfg },
    rss: mem,
    runs,
    comparisons,
    checks: evaluate(comparisons, mem),
    requestFailures: runs.reduce((n, r) => n + r.errors + r.non2xx, 0),
  };
  console.log(`\n${renderReport(report)}`);
  const out = join(BENCH_DIR, 'results', 'latest.json');
  writeJson(out, report);
  console.log(`\n[bench] results written to ${out}`);
  return report.requestFailures > 0 ? 1 : 0;
}

main().then(
  async (code) => {
    await stopAll();
    process.exit(code);
  },
  async (err: unknown) => {
    console.error(`\n[bench] FAILED: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    process.exit(1);
  },
);
