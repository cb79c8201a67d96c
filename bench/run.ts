// `npm run bench`: tollgate vs a bare undici pass-through proxy, both in front of the same mock upstream
// (OpenAI chat completions, Anthropic Messages, Gemini generateContent), and issue #10's targets checked
// line by line. Scenarios: (a) chat, (b) chat stream, (d) unified chat to the OpenAI mock, (e) and (f)
// unified chat translated to Anthropic and Gemini are closed-loop autocannon runs; (c) chat and (g) chat
// stream (its time to first byte) are evenly paced open-loop runs at BENCH_RATE (bench/paced.ts); (h)
// opens BENCH_IDLE_STREAMS streams through tollgate and holds them, probing /health meanwhile
// (bench/idle-streams.ts; about BENCH_IDLE_OPEN_S + BENCH_IDLE_HOLD_S + a few s, < 60 s with the
// defaults, so it is in the default set; it runs last). (d), (e), (f) and (h) run on tollgate only; (d)–(f)
// are compared with the bare (a) run and run right after it so the comparison spans little time.
// Env: BENCH_SCENARIOS (letters or ids, e.g. "a,d,e"; default all), BENCH_DURATION (s, default 10),
// BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS (default 50), BENCH_RATE (req/s of (c) and (g), default
// 500, the rate the latency targets are defined at), BENCH_IDLE_STREAMS (default 10000),
// BENCH_IDLE_OPEN_S (default 20), BENCH_IDLE_HOLD_S (default 5), BENCH_SKIP_BUILD=1, BENCH_ONLY_BARE=1,
// BENCH_MODEL (OpenAI model, default gpt-4o-mini), BENCH_ANTHROPIC_MODEL (default
// claude-sonnet-4-20250514), BENCH_GEMINI_MODEL (default gemini-2.5-flash; all must be priced in
// data/catalog), BENCH_TOLLGATE_NODE_ARGS (node flags for the target only, e.g. a CPU profile),
// BENCH_LOG_LEVEL (the target's LOG_LEVEL, default warn; info adds the access log's line per request),
// BENCH_METRICS=1 (the target with /metrics on; bench/metrics-cost.ts measures the per-call hook alone).
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate } from './checks.js';
import { loadBenchConfig } from './config.js';
import { runIdleStreams } from './idle-streams.js';
import { fire, urlOf } from './load.js';
import { PacedLoad } from './paced.js';
import { openFds, RssMonitor, rssMiB } from './proc.js';
import { installExitHandlers, isAlive, runCommand, startScript, stopAll, waitForHttp, type Started } from './processes.js';
import { compare, renderReport, writeJson, type IdleStats, type Report, type RunStats } from './report.js';
import { bodies, plan, scenarios, selectScenarios, type Scenario, type Step } from './scenarios.js';
import { smoke, smokeUnified } from './smoke.js';
import { ensureOpenFiles, startTollgate, type Target } from './tollgate.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const cfg = loadBenchConfig();
const SCENARIOS = scenarios(cfg);
/** Room above the idle streams for the other connections (probes, admin calls). */
const IDLE_HEADROOM = 1024;

interface Rig {
  mock: Started;
  mockUrl: string;
  targets: Target[];
  /** the idle-streams scenario's limits, found and set at start-up */
  idleLimits: string[];
}

/** The idle streams need more connections than tollgate allows by default. */
function idleEnv(idle: boolean): Record<string, string> {
  if (!idle) return {};
  const cap = String(cfg.idle.streams + IDLE_HEADROOM);
  // UPSTREAM_CONNECTIONS: the per-origin upstream pool (src/config), one connection per held stream.
  return { MAX_CONNECTIONS: cap, UPSTREAM_CONNECTIONS: cap };
}

async function startRig(idle: boolean): Promise<Rig> {
  const nodeModules = join(ROOT, 'node_modules');
  const mock = await startScript(join(BENCH_DIR, 'mock-upstream.ts'), 'mock-upstream', {}, nodeModules);
  const mockUrl = `http://127.0.0.1:${mock.port}`;
  const bare = await startScript(join(BENCH_DIR, 'bare-proxy.ts'), 'bare-proxy', { UPSTREAM_URL: mockUrl }, nodeModules);
  const targets: Target[] = [
    { name: 'bare', child: bare.child, pid: bare.pid, base: `http://127.0.0.1:${bare.port}`, chatPath: '/v1/chat/completions', auth: 'Bearer sk-bare-anything' },
  ];
  if (!cfg.onlyBare) targets.push(await startTollgate(ROOT, mockUrl, idleEnv(idle)));
  const idleLimits: string[] = [];
  const tollgate = targets.find((t) => t.name === 'tollgate');
  if (idle && tollgate) {
    const n = cfg.idle.streams;
    idleLimits.push(
      ensureOpenFiles(tollgate.pid, 2, n, IDLE_HEADROOM, 'tollgate (a client and an upstream socket)'),
      ensureOpenFiles(mock.pid, 1, n, IDLE_HEADROOM, 'mock upstream'),
      ensureOpenFiles(process.pid, 1, n, IDLE_HEADROOM, 'load generator'),
      `MAX_CONNECTIONS=${n + IDLE_HEADROOM} for tollgate (default 8192; past it a new connection is answered 503)`,
    );
  }
  return { mock, mockUrl, targets, idleLimits };
}

async function smokeAll(rig: Rig, steps: Step[]): Promise<void> {
  const b = bodies(cfg);
  for (const t of rig.targets) console.log(`[bench] smoke ${await smoke(t, b.chat, b.stream)}`);
  const t = rig.targets.find((x) => x.name === 'tollgate');
  for (const sc of SCENARIOS) {
    if (sc.unified && t && steps.some((s) => s.sc === sc)) console.log(`[bench] smoke ${t.name} ${await smokeUnified(t, sc, urlOf(t, sc))}`);
  }
}

/** Warm-up and measurement of one closed-loop or paced scenario on one target. */
async function runStep(t: Target, sc: Scenario, rig: Rig, rss: RssMonitor): Promise<RunStats> {
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
        ttfb: sc.stream,
      })
    : undefined;
  try {
    let measured: RunStats | undefined;
    for (const warm of [true, false]) {
      if (!isAlive(t.child) || !isAlive(rig.mock.child)) throw new Error(`${t.name} or mock upstream is no longer running`);
      const d = warm ? cfg.warmup : cfg.duration;
      process.stdout.write(`[bench] ${sc.label} -> ${t.name}: ${warm ? 'warm-up' : 'measure'} ${d}s ... `);
      const r = await fire(t, sc, d, rig.mock.pid, paced);
      const p = r.pacing;
      const pacing = p ? `, late ${p.late}/${p.sent}, start lag p50/p99 ${p.lagP50Ms.toFixed(2)}/${p.lagP99Ms.toFixed(2)} ms` : '';
      const ttfb = r.ttfbMs ? `, TTFB p50 ${r.ttfbMs.p50.toFixed(2)} ms` : '';
      console.log(`${r.rps.toFixed(0)} req/s, p50 ${r.latencyMs.p50.toFixed(2)} ms${ttfb}, err/non2xx ${r.errors}/${r.non2xx}${pacing}`);
      if (!warm) measured = r;
    }
    return { ...measured!, rssPeakMiB: rss.section()[t.name]?.peakMiB ?? null };
  } finally {
    await paced?.close();
  }
}

async function heldByMock(mockUrl: string): Promise<number | null> {
  try {
    const res = await fetch(`${mockUrl}/bench/held`);
    return ((await res.json()) as { held?: number }).held ?? null;
  } catch {
    return null;
  }
}

/** Scenario (h) on tollgate: open, hold, probe, close; then wait until tollgate answers again. */
async function runIdleStep(t: Target, sc: Scenario, rig: Rig, rss: RssMonitor): Promise<IdleStats> {
  const n = cfg.idle.streams;
  console.log(`[bench] ${sc.label} -> ${t.name}: opening (at most ${cfg.idle.openS}s), then holding ${cfg.idle.holdS}s ...`);
  const started = performance.now();
  const url = new URL(urlOf(t, sc));
  const r = await runIdleStreams({
    host: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    auth: t.auth,
    body: sc.body,
    streams: n,
    openMs: cfg.idle.openS * 1000,
    holdMs: cfg.idle.holdS * 1000,
    probeIntervalMs: cfg.idle.probeIntervalMs,
    maxConnecting: 256,
    sampleTarget: () => ({ rssMiB: rssMiB(t.pid), fds: openFds(t.pid) }),
    heldUpstream: () => heldByMock(rig.mockUrl),
  });
  await waitForHttp(`${t.base}/health`, t.child, t.name, 60_000);
  const limits = [...rig.idleLimits];
  if (r.heldUpstream !== null && r.heldUpstream < n) {
    limits.push(
      `only ${r.heldUpstream} streams reached the mock upstream: tollgate opens at most UPSTREAM_CONNECTIONS ` +
        `(set to ${idleEnv(true).UPSTREAM_CONNECTIONS}) connections per origin; the others wait in its queue, without a first event`,
    );
  }
  const { rssAllOpenMiB, fdsAllOpen, ...figures } = r;
  const stats: IdleStats = {
    ...figures,
    streams: n,
    tollgateRssAllOpenMiB: rssAllOpenMiB,
    tollgateFdsAllOpen: fdsAllOpen,
    tollgateRssPeakMiB: rss.section()[t.name]?.peakMiB ?? null,
    limits,
    durationS: (performance.now() - started) / 1000,
  };
  console.log(`[bench] ${sc.label}: ${stats.opened}/${n} opened in ${(r.openMs / 1000).toFixed(1)}s, RSS ${stats.tollgateRssAllOpenMiB?.toFixed(1)} MiB, /health p99 ${r.probe.p99.toFixed(2)} ms, ${stats.durationS.toFixed(0)}s in all`);
  return stats;
}

async function main(): Promise<number> {
  installExitHandlers();
  const selected = selectScenarios(SCENARIOS, cfg.scenarios);
  if (!cfg.onlyBare && !cfg.skipBuild) {
    console.log('[bench] npm run build');
    await runCommand('npm', ['run', 'build'], ROOT);
  }
  const rig = await startRig(selected.has('idle') && !cfg.onlyBare);
  const { mock, targets } = rig;
  console.log(`[bench] mock upstream ${rig.mockUrl} (pid ${mock.pid}); ${targets.map((t) => `${t.name} ${t.base} (pid ${t.pid})`).join('; ')}`);
  const steps = plan(SCENARIOS, selected, targets.map((t) => t.name));
  if (steps.length === 0) throw new Error(`BENCH_SCENARIOS=${cfg.scenarios} leaves nothing to run${cfg.onlyBare ? ' with BENCH_ONLY_BARE=1' : ''}`);
  console.log(`[bench] runs: ${steps.map(({ sc, target }) => `${sc.letter}/${target}`).join(', ')}`);

  const rss = new RssMonitor(Object.fromEntries(targets.map((t) => [t.name, t.pid])));
  rss.start();
  await smokeAll(rig, steps);
  await new Promise((r) => setTimeout(r, 1000)); // let the smoke requests' writes and the tokenizer's load settle
  const rssIdleMiB = Object.fromEntries(targets.map((t) => [t.name, rssMiB(t.pid)]));
  const rssStart = rss.section();
  const runs: RunStats[] = [];
  let idle: IdleStats | undefined;
  let rssBeforeIdle: Report['rss'] | undefined;
  for (const { sc, target } of steps) {
    const t = targets.find((x) => x.name === target);
    if (!t) throw new Error(`no target ${target}`);
    if (sc.kind !== 'idle') {
      runs.push(await runStep(t, sc, rig, rss));
      continue;
    }
    rssBeforeIdle = rss.peaks();
    idle = await runIdleStep(t, sc, rig, rss);
  }
  const comparisons = compare(runs);
  const mem = rssBeforeIdle ?? rss.stop();
  rss.stop();
  const report: Report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    config: { ...cfg },
    rss: mem,
    rssStart,
    rssIdleMiB,
    runs,
    comparisons,
    ...(idle ? { idle } : {}),
    checks: evaluate({ runs, comparisons, rss: mem, idle }),
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
