// Result types, statistics and the printed tables for `npm run bench` (the target checks are in checks.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Check } from './checks.js';
import type { RssPeak } from './proc.js';
import type { IdleRun } from './idle-streams.js';

export type TargetName = 'bare' | 'tollgate';
export type ScenarioId =
  | 'chat'
  | 'chat-stream'
  | 'paced-chat'
  | 'paced-stream'
  | 'unified-chat'
  | 'unified-anthropic'
  | 'unified-gemini'
  | 'idle';

/**
 * The bare run each tollgate scenario is compared with: its own, or for the unified API (which the bare
 * proxy cannot serve: it has no model routing or translation) the bare non-stream chat run (a). The idle
 * streams have none.
 */
export const BASELINE: Partial<Record<ScenarioId, ScenarioId>> = {
  chat: 'chat',
  'chat-stream': 'chat-stream',
  'paced-chat': 'paced-chat',
  'paced-stream': 'paced-stream',
  'unified-chat': 'chat',
  'unified-anthropic': 'chat',
  'unified-gemini': 'chat',
};

export interface LatencyStats {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** Schedule adherence of a paced (open-loop, fixed-rate) run; see bench/paced.ts. */
export interface Pacing {
  rate: number;
  sent: number;
  /** requests started more than one interval (1000/rate ms) after their scheduled time */
  late: number;
  /** start lag (actual - scheduled start); included in latencyMs, which runs from the scheduled start */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

export interface RunStats {
  scenario: ScenarioId;
  scenarioLabel: string;
  target: TargetName;
  connections: number;
  /** fixed request rate (req/s) of a paced run; null for closed-loop autocannon runs */
  overallRate: number | null;
  durationS: number;
  requests2xx: number;
  rps: number;
  /** from per-response hrtime samples of 2xx responses (autocannon's histogram is integer-ms);
   *  paced runs: scheduled start -> end of response body */
  latencyMs: LatencyStats;
  /** paced stream runs: scheduled start -> first body byte */
  ttfbMs?: LatencyStats;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** CPU time of the target process during the run / wall time (100 % = one full core) */
  cpuPct: number | null;
  /** same for the mock upstream and for this process (load generator: autocannon or bench/paced.ts) */
  mockCpuPct: number | null;
  loadgenCpuPct: number | null;
  /** target process CPU time per 2xx response (robust to a busy/shared machine, unlike RPS) */
  cpuUsPerReq: number | null;
  /** the target's peak RSS over this step (warm-up and measurement) */
  rssPeakMiB: number | null;
  /** paced runs only */
  pacing?: Pacing;
}

export interface Comparison {
  /** the tollgate run's scenario */
  scenario: ScenarioId;
  /** the bare run's scenario (BASELINE) */
  baseline: ScenarioId;
  rpsRatio: number;
  p50DeltaMs: number;
  p99DeltaMs: number;
  /** paced stream runs: difference of the p50 times to the first body byte */
  ttfbP50DeltaMs: number | null;
  cpuPerReqRatio: number | null;
}

/** Scenario (h): many streams opened through tollgate and held, with /health probed meanwhile. */
/** The idle-streams run (bench/idle-streams.ts) as reported: its figures, with the gateway's named as tollgate's. */
export interface IdleStats extends Omit<IdleRun, 'rssAllOpenMiB' | 'fdsAllOpen'> {
  streams: number;
  tollgateRssAllOpenMiB: number | null;
  tollgateFdsAllOpen: number | null;
  /** tollgate's peak RSS over the scenario (opening, holding, closing) */
  tollgateRssPeakMiB: number | null;
  /** what limits how many streams one gateway process holds here, one line each */
  limits: string[];
  durationS: number;
}

export interface Report {
  generatedAt: string;
  node: string;
  cpus: number;
  config: Record<string, unknown>;
  /** peak RSS over start-up, smoke requests and every scenario but the idle streams */
  rss: Partial<Record<TargetName, RssPeak>>;
  /** peak RSS over start-up and the smoke requests, before any load */
  rssStart: Partial<Record<TargetName, RssPeak>>;
  /** RSS idle after start-up and the smoke requests */
  rssIdleMiB: Partial<Record<TargetName, number | null>>;
  runs: RunStats[];
  comparisons: Comparison[];
  idle?: IdleStats;
  checks: Check[];
  requestFailures: number;
}

export function latencyStats(samples: number[]): LatencyStats {
  if (samples.length === 0) return { p50: NaN, p90: NaN, p99: NaN, mean: NaN, max: NaN };
  const s = Float64Array.from(samples).sort();
  const pct = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
  let sum = 0;
  for (const v of s) sum += v;
  return { p50: pct(50), p90: pct(90), p99: pct(99), mean: sum / s.length, max: s[s.length - 1] ?? NaN };
}

export function compare(runs: RunStats[]): Comparison[] {
  const out: Comparison[] = [];
  for (const tg of runs.filter((r) => r.target === 'tollgate')) {
    const baseline = BASELINE[tg.scenario];
    const bare = runs.find((r) => r.target === 'bare' && r.scenario === baseline);
    if (!baseline || !bare) continue;
    out.push({
      scenario: tg.scenario,
      baseline,
      rpsRatio: tg.rps / bare.rps,
      p50DeltaMs: tg.latencyMs.p50 - bare.latencyMs.p50,
      p99DeltaMs: tg.latencyMs.p99 - bare.latencyMs.p99,
      ttfbP50DeltaMs: tg.ttfbMs && bare.ttfbMs ? tg.ttfbMs.p50 - bare.ttfbMs.p50 : null,
      cpuPerReqRatio: tg.cpuUsPerReq && bare.cpuUsPerReq ? tg.cpuUsPerReq / bare.cpuUsPerReq : null,
    });
  }
  return out;
}

export function signed(v: number, digits: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}

export const mib = (v: number | null | undefined): string => (v === null || v === undefined ? '?' : v.toFixed(1));

function table(header: string[], rows: string[][], rightAlignFrom: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= rightAlignFrom ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function vsBare(r: RunStats, c: Comparison | undefined): string {
  if (!c) return '';
  let out = r.overallRate ? `p50 ${signed(c.p50DeltaMs, 3)} ms, p99 ${signed(c.p99DeltaMs, 2)} ms` : `RPS x${c.rpsRatio.toFixed(3)}`;
  if (c.ttfbP50DeltaMs !== null) out += `, TTFB p50 ${signed(c.ttfbP50DeltaMs, 3)} ms`;
  if (c.cpuPerReqRatio !== null) out += `, CPU/req x${c.cpuPerReqRatio.toFixed(2)}`;
  if (c.baseline !== c.scenario) out += ` (vs bare ${c.baseline})`;
  return out;
}

function runsTable(rep: Report): string {
  const comparisons = new Map(rep.comparisons.map((c) => [c.scenario, c]));
  const rows = rep.runs.map((r) => [
    r.scenarioLabel,
    r.target,
    r.rps.toFixed(0),
    r.latencyMs.p50.toFixed(3),
    r.latencyMs.p99.toFixed(3),
    r.ttfbMs ? r.ttfbMs.p50.toFixed(3) : '',
    `${r.errors}/${r.non2xx}`,
    r.cpuUsPerReq === null ? '?' : r.cpuUsPerReq.toFixed(0),
    [r.cpuPct, r.mockCpuPct, r.loadgenCpuPct].map((v) => (v === null ? '?' : v.toFixed(0))).join('/'),
    mib(r.rssPeakMiB),
    vsBare(r, r.target === 'tollgate' ? comparisons.get(r.scenario) : undefined),
  ]);
  const header = ['scenario', 'target', 'RPS', 'p50 ms', 'p99 ms', 'TTFB p50', 'err/non2xx', 'CPU us/req', 'CPU% tgt/mock/gen', 'RSS MiB', 'tollgate vs bare'];
  return table(header, rows, 2);
}

function idleLines(i: IdleStats): string[] {
  const p = i.probe;
  return [
    `(h) idle streams through tollgate: ${i.opened}/${i.streams} opened (200 and first event) in ${(i.openMs / 1000).toFixed(1)} s, ` +
      `${i.refused} refused, ${i.failed} failed, ${i.waiting} not open at the deadline, ${i.dropped} dropped while held; the mock held ${i.heldUpstream ?? '?'}`,
    `  tollgate with them open: RSS ${mib(i.tollgateRssAllOpenMiB)} MiB, ${i.tollgateFdsAllOpen ?? '?'} open fds; peak RSS ${mib(i.tollgateRssPeakMiB)} MiB`,
    `  GET /health every ${p.intervalMs} ms while held: ${p.sent} probes, ${p.failed} failed, p50/p99/max ${p.p50.toFixed(2)}/${p.p99.toFixed(2)}/${p.max.toFixed(2)} ms` +
      ` (load generator's own loop delay p99 ${i.generatorLagP99Ms.toFixed(2)} ms)`,
    ...i.limits.map((l) => `  limit: ${l}`),
  ];
}

function checksTable(checks: Check[]): string {
  const result = (c: Check): string => (c.pass === null ? (c.value === 'n/a' ? 'n/a' : 'info') : c.pass ? 'PASS' : 'MISS');
  return table(['check (issue #10)', 'target', 'value', 'result'], checks.map((c) => [c.name, c.target, c.value, result(c)]), 99);
}

const NOTES = [
  '  CPU% = process CPU time / wall time for target/mock/load generator (100 = one core).',
  '  CPU us/req = target CPU time per 2xx response; more stable than RPS when the machine is busy.',
  '  RSS MiB = the target\'s peak RSS over the step (warm-up and measurement): polled every 200 ms, and the kernel\'s',
  '  VmHWM reset at each step (/proc/<pid>/clear_refs).',
  '  (a), (b), (d), (e), (f): closed-loop autocannon, each connection sends its next request as soon as the last one ends.',
  '  (d), (e), (f): the unified API (POST /v1/chat/completions, model provider/name) on tollgate only; the bare proxy has',
  '  no equivalent, so they are compared with the bare (a) run (same body with the bare model name). (d) routes',
  '  to the OpenAI mock and echoes the client\'s model name; (e) translates to Anthropic Messages (POST /v1/messages),',
  '  (f) to Gemini generateContent, and the answers back, billed by the provider\'s usage.',
  '  (c), (g): evenly paced open loop (bench/paced.ts): one request every 1000/rate ms on an absolute schedule over a',
  '  keep-alive undici Pool; latency runs from the scheduled start to the end of the body, so generator lag and',
  '  queueing count (no coordinated omission); requests started > 1 interval late are counted as late. (g) streams,',
  '  and its TTFB is the time from the scheduled start to the first body byte (the first event).',
];

export function renderReport(rep: Report): string {
  const out: string[] = [runsTable(rep), ''];
  const peaks = (m: Partial<Record<TargetName, RssPeak>>): string =>
    Object.entries(m).map(([name, p]) => `${name} ${p.peakMiB.toFixed(1)} MiB (VmHWM ${p.hwmMiB.toFixed(1)}, polled VmRSS max ${p.polledMiB.toFixed(1)})`).join('; ');
  out.push(`Peak RSS (start-up, smoke and every scenario but (h)): ${peaks(rep.rss)}`);
  out.push(`Peak RSS over start-up and smoke requests: ${peaks(rep.rssStart)}`);
  out.push(`RSS idle after start-up and smoke requests: ${Object.entries(rep.rssIdleMiB).map(([name, v]) => `${name} ${mib(v)} MiB`).join('; ')}`);
  if (rep.idle) out.push('', ...idleLines(rep.idle));
  out.push('', 'Targets (informational):', checksTable(rep.checks), '');
  out.push(`Notes: ${rep.cpus} CPU(s), shared by the load generator (this process), the mock upstream and the target.`, ...NOTES);
  for (const { scenarioLabel, target, pacing: p } of rep.runs) {
    if (!p) continue;
    out.push(`  ${scenarioLabel} ${target}: ${p.sent} sent at ${p.rate}/s, ${p.late} late, start lag p50/p99/max ${p.lagP50Ms.toFixed(3)}/${p.lagP99Ms.toFixed(3)}/${p.lagMaxMs.toFixed(2)} ms`);
  }
  if (rep.requestFailures > 0) out.push(`!! ${rep.requestFailures} failed requests (errors/timeouts/non-2xx) in measured runs`);
  return out.join('\n');
}

export function writeJson(file: string, rep: Report): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(rep, null, 2)}\n`);
}
