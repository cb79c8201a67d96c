// One measured (or warm-up) run of a closed-loop or paced scenario against one target, with the CPU
// time of the target, the mock and this process over it.
import autocannon from 'autocannon';
import type { PacedLoad } from './paced.js';
import { cpuMs } from './proc.js';
import { latencyStats, type Pacing, type RunStats } from './report.js';
import type { Scenario } from './scenarios.js';
import type { Target } from './tollgate.js';

export function urlOf(t: Target, sc: Scenario): string {
  if (sc.unified && t.name !== 'tollgate') throw new Error(`${sc.label} runs on tollgate only`);
  return `${t.base}${sc.unified ? '/v1/chat/completions' : t.chatPath}`;
}

interface LoadResult {
  durationS: number;
  samples: number[]; // latency (ms) of each 2xx response
  ttfbMs?: number[];
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
    ...(r.ttfbMs.length > 0 ? { ttfbMs: r.ttfbMs } : {}),
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    pacing: { rate, sent: r.sent, late: r.late, lagP50Ms: r.lagP50Ms, lagP99Ms: r.lagP99Ms, lagMaxMs: r.lagMaxMs },
  };
}

/** One warm-up or measured run; `paced` is the target's generator for paced scenarios. */
export async function fire(t: Target, sc: Scenario, durationS: number, mockPid: number, paced?: PacedLoad): Promise<RunStats> {
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
    ...(result.ttfbMs ? { ttfbMs: latencyStats(result.ttfbMs) } : {}),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    cpuPct: pct(cpu0, cpu1),
    mockCpuPct: pct(mock0, mock1),
    loadgenCpuPct: pct(0, (gen.user + gen.system) / 1000),
    cpuUsPerReq: cpu0 === null || cpu1 === null || samples.length === 0 ? null : ((cpu1 - cpu0) * 1000) / samples.length,
    rssPeakMiB: null,
    ...(result.pacing ? { pacing: result.pacing } : {}),
  };
}
