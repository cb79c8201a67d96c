// Result types, statistics, target checks and the printed table for `npm run bench`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RssPeak } from './processes.js';

export type TargetName = 'bare' | 'tollgate';
export type ScenarioId = 'chat' | 'chat-stream' | 'rate-500' | 'unified-chat' | 'unified-anthropic';

/**
 * The bare run each tollgate scenario is compared with: its own, or for the unified API (which the bare
 * proxy cannot serve: it has no model routing or translation) the bare non-stream chat run (a).
 */
export const BASELINE: Record<ScenarioId, ScenarioId> = {
  chat: 'chat',
  'chat-stream': 'chat-stream',
  'rate-500': 'rate-500',
  'unified-chat': 'chat',
  'unified-anthropic': 'chat',
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
  cpuPerReqRatio: number | null;
}

export interface Check {
  name: string;
  value: string;
  pass: boolean | null; // null = not measured
}

export interface Report {
  generatedAt: string;
  node: string;
  cpus: number;
  config: Record<string, unknown>;
  rss: Partial<Record<TargetName, RssPeak>>;
  runs: RunStats[];
  comparisons: Comparison[];
  checks: Check[];
  requestFailures: number;
}

export const TARGETS = { rpsRatio: 0.85, unifiedRpsRatio: 0.8, p50DeltaMs: 0.3, tollgateRssMiB: 150 } as const;

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
    if (!bare) continue;
    out.push({
      scenario: tg.scenario,
      baseline,
      rpsRatio: tg.rps / bare.rps,
      p50DeltaMs: tg.latencyMs.p50 - bare.latencyMs.p50,
      p99DeltaMs: tg.latencyMs.p99 - bare.latencyMs.p99,
      cpuPerReqRatio: tg.cpuUsPerReq && bare.cpuUsPerReq ? tg.cpuUsPerReq / bare.cpuUsPerReq : null,
    });
  }
  return out;
}

export function evaluate(comparisons: Comparison[], rss: Partial<Record<TargetName, RssPeak>>): Check[] {
  const cmp = (id: ScenarioId): Comparison | undefined => comparisons.find((c) => c.scenario === id);
  const checks: Check[] = [];
  for (const id of ['chat', 'chat-stream'] as const) {
    const c = cmp(id);
    checks.push({
      name: `RPS ratio tollgate/bare (${id}) >= ${TARGETS.rpsRatio}`,
      value: c ? c.rpsRatio.toFixed(3) : 'n/a',
      pass: c ? c.rpsRatio >= TARGETS.rpsRatio : null,
    });
  }
  const u = cmp('unified-chat');
  checks.push({
    name: `RPS ratio tollgate (d) /v1 openai / bare (a) >= ${TARGETS.unifiedRpsRatio}`,
    value: u ? u.rpsRatio.toFixed(3) : 'n/a',
    pass: u ? u.rpsRatio >= TARGETS.unifiedRpsRatio : null,
  });
  const x = cmp('unified-anthropic');
  checks.push({
    name: 'RPS ratio tollgate (e) /v1 -> Anthropic / bare (a) (no target)',
    value: x ? `${x.rpsRatio.toFixed(3)}${x.cpuPerReqRatio === null ? '' : `, CPU/req x${x.cpuPerReqRatio.toFixed(2)}`}` : 'n/a',
    pass: null,
  });
  const r = cmp('rate-500');
  checks.push({
    name: `p50 delta at 500 req/s <= +${TARGETS.p50DeltaMs} ms`,
    value: r ? `${signed(r.p50DeltaMs, 3)} ms` : 'n/a',
    pass: r ? r.p50DeltaMs <= TARGETS.p50DeltaMs : null,
  });
  const mem = rss.tollgate;
  checks.push({
    name: `tollgate peak RSS <= ${TARGETS.tollgateRssMiB} MiB`,
    value: mem ? `${mem.peakMiB.toFixed(1)} MiB` : 'n/a',
    pass: mem ? mem.peakMiB <= TARGETS.tollgateRssMiB : null,
  });
  return checks;
}

function signed(v: number, digits: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}

function table(header: string[], rows: string[][], rightAlignFrom: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= rightAlignFrom ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderReport(rep: Report): string {
  const comparisons = new Map(rep.comparisons.map((c) => [c.scenario, c]));
  const rows = rep.runs.map((r) => {
    const c = r.target === 'tollgate' ? comparisons.get(r.scenario) : undefined;
    let vsBare = '';
    if (c) {
      vsBare = r.overallRate ? `p50 ${signed(c.p50DeltaMs, 3)} ms, p99 ${signed(c.p99DeltaMs, 2)} ms` : `RPS x${c.rpsRatio.toFixed(3)}`;
      if (c.cpuPerReqRatio !== null) vsBare += `, CPU/req x${c.cpuPerReqRatio.toFixed(2)}`;
      if (c.baseline !== c.scenario) vsBare += ` (vs bare ${c.baseline})`;
    }
    return [
      r.scenarioLabel,
      r.target,
      r.rps.toFixed(0),
      r.latencyMs.p50.toFixed(3),
      r.latencyMs.p99.toFixed(3),
      `${r.errors}/${r.non2xx}`,
      r.cpuUsPerReq === null ? '?' : r.cpuUsPerReq.toFixed(0),
      [r.cpuPct, r.mockCpuPct, r.loadgenCpuPct].map((v) => (v === null ? '?' : v.toFixed(0))).join('/'),
      vsBare,
    ];
  });
  const out: string[] = [];
  out.push(table(['scenario', 'target', 'RPS', 'p50 ms', 'p99 ms', 'err/non2xx', 'CPU us/req', 'CPU% tgt/mock/gen', 'tollgate vs bare'], rows, 2));
  out.push('');
  const mem = Object.entries(rep.rss).map(
    ([name, m]) => `${name} ${m.peakMiB.toFixed(1)} MiB (VmHWM ${m.hwmMiB.toFixed(1)}, polled VmRSS max ${m.polledMiB.toFixed(1)})`,
  );
  out.push(`Peak RSS: ${mem.join('; ')}`);
  out.push('');
  out.push('Targets (informational):');
  out.push(
    table(
      ['check', 'value', 'result'],
      rep.checks.map((c) => [c.name, c.value, c.pass === null ? (c.value === 'n/a' ? 'n/a' : 'info') : c.pass ? 'PASS' : 'MISS']),
      99,
    ),
  );
  out.push('');
  out.push(
    [
      `Notes: ${rep.cpus} CPU(s), shared by the load generator (this process), the mock upstream and the target.`,
      '  CPU% = process CPU time / wall time for target/mock/load generator (100 = one core).',
      '  CPU us/req = target CPU time per 2xx response; more stable than RPS when the machine is busy.',
      '  (a), (b), (d), (e): closed-loop autocannon, each connection sends its next request as soon as the last one ends.',
      '  (d), (e): the unified API (POST /v1/chat/completions, model provider/name) on tollgate only; the bare proxy has',
      '  no equivalent, so they are compared with the bare (a) run (same body with the bare model name). (d) routes',
      '  to the OpenAI mock and echoes the client\'s model name; (e) translates to Anthropic Messages (POST /v1/messages',
      '  on the mock) and the answer back, billed by its Anthropic usage.',
      '  (c): evenly paced open loop (bench/paced.ts): one request every 1000/rate ms on an absolute schedule over a',
      '  keep-alive undici Pool; latency runs from the scheduled start to the end of the body, so generator lag and',
      '  queueing count (no coordinated omission); requests started > 1 interval late are counted as late.',
      ...rep.runs.flatMap(({ scenarioLabel, target, pacing: p }) =>
        p
          ? [
              `  ${scenarioLabel} ${target}: ${p.sent} sent at ${p.rate}/s, ${p.late} late, ` +
                `start lag p50/p99/max ${p.lagP50Ms.toFixed(3)}/${p.lagP99Ms.toFixed(3)}/${p.lagMaxMs.toFixed(2)} ms`,
            ]
          : [],
      ),
    ].join('\n'),
  );
  if (rep.requestFailures > 0) out.push(`!! ${rep.requestFailures} failed requests (errors/timeouts/non-2xx) in measured runs`);
  return out.join('\n');
}

export function writeJson(file: string, rep: Report): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(rep, null, 2)}\n`);
}
