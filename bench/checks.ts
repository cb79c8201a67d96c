// Issue #10's targets, each checked against the bench's figures: one line per target and scenario.
import { TARGET_RATE } from './config.js';
import type { RssPeak } from './proc.js';
import { mib, signed, type Comparison, type IdleStats, type RunStats, type ScenarioId, type TargetName } from './report.js';

export interface Check {
  name: string;
  /** the target, as written beside the value */
  target: string;
  value: string;
  /** null = informational (no target) or not measured (value 'n/a') */
  pass: boolean | null;
}

export const TARGETS = {
  /** native chat and stream, tollgate RPS / bare RPS */
  nativeRpsRatio: 0.85,
  /** unified /v1 to an OpenAI-dialect provider */
  unifiedRpsRatio: 0.8,
  /** unified /v1 translated to Anthropic or Gemini */
  translatedRpsRatio: 0.7,
  /** p50 over bare at TARGET_RATE req/s, and the stream's time to first byte */
  p50DeltaMs: 0.3,
  ttfbDeltaMs: 0.3,
  tollgateRssMiB: 150,
} as const;

export interface CheckInputs {
  runs: RunStats[];
  comparisons: Comparison[];
  /** peak RSS over start-up, smoke and every scenario but the idle streams */
  rss: Partial<Record<TargetName, RssPeak>>;
  idle?: IdleStats | undefined;
}

const RPS_TARGETS: ReadonlyArray<{ id: ScenarioId; what: string; min: number }> = [
  { id: 'chat', what: '(a) native chat', min: TARGETS.nativeRpsRatio },
  { id: 'chat-stream', what: '(b) native chat stream', min: TARGETS.nativeRpsRatio },
  { id: 'unified-chat', what: '(d) /v1 -> OpenAI dialect, vs bare (a)', min: TARGETS.unifiedRpsRatio },
  { id: 'unified-anthropic', what: '(e) /v1 -> Anthropic, vs bare (a)', min: TARGETS.translatedRpsRatio },
  { id: 'unified-gemini', what: '(f) /v1 -> Gemini, vs bare (a)', min: TARGETS.translatedRpsRatio },
];

function rpsChecks(comparisons: Comparison[]): Check[] {
  return RPS_TARGETS.map(({ id, what, min }) => {
    const c = comparisons.find((x) => x.scenario === id);
    return { name: `RPS ratio tollgate/bare ${what}`, target: `>= ${min.toFixed(2)}`, value: c ? c.rpsRatio.toFixed(3) : 'n/a', pass: c ? c.rpsRatio >= min : null };
  });
}

/** A latency delta over bare; defined at TARGET_RATE, so informational at another rate. */
function deltaCheck(name: string, max: number, delta: number | null | undefined, rate: number | null): Check {
  const atRate = rate === TARGET_RATE;
  const value = delta === null || delta === undefined ? 'n/a' : `${signed(delta, 3)} ms${atRate ? '' : ` at ${rate}/s`}`;
  return { name, target: `<= +${max} ms at ${TARGET_RATE}/s`, value, pass: value === 'n/a' || !atRate ? null : (delta as number) <= max };
}

function latencyChecks(runs: RunStats[], comparisons: Comparison[]): Check[] {
  const cmp = (id: ScenarioId): Comparison | undefined => comparisons.find((c) => c.scenario === id);
  const rate = (id: ScenarioId): number | null => runs.find((r) => r.scenario === id)?.overallRate ?? null;
  return [
    deltaCheck('p50 delta over bare, (c) paced chat', TARGETS.p50DeltaMs, cmp('paced-chat')?.p50DeltaMs, rate('paced-chat')),
    deltaCheck('stream TTFB p50 delta over bare, (g) paced stream', TARGETS.ttfbDeltaMs, cmp('paced-stream')?.ttfbP50DeltaMs, rate('paced-stream')),
  ];
}

function rssChecks(runs: RunStats[], rss: Partial<Record<TargetName, RssPeak>>): Check[] {
  const max = TARGETS.tollgateRssMiB;
  const target = `<= ${max} MiB`;
  const perScenario = runs
    .filter((r) => r.target === 'tollgate')
    .map((r): Check => ({ name: `tollgate peak RSS, ${r.scenarioLabel}`, target, value: `${mib(r.rssPeakMiB)} MiB`, pass: r.rssPeakMiB === null ? null : r.rssPeakMiB <= max }));
  const all = rss.tollgate;
  const overall: Check = {
    name: 'tollgate peak RSS overall (start-up, smoke, every scenario but (h))',
    target,
    value: all ? `${all.peakMiB.toFixed(1)} MiB` : 'n/a',
    pass: all ? all.peakMiB <= max : null,
  };
  return [...perScenario, overall];
}

function idleChecks(i: IdleStats): Check[] {
  const p = i.probe;
  return [
    { name: '(h) idle streams held by one tollgate process', target: `all ${i.streams}`, value: `${i.opened}/${i.streams}`, pass: i.opened === i.streams },
    { name: '(h) tollgate RSS with the streams open', target: 'reported', value: `${mib(i.tollgateRssAllOpenMiB)} MiB`, pass: null },
    { name: '(h) GET /health p50/p99/max while held (event-loop lag)', target: 'reported', value: `${p.p50.toFixed(2)}/${p.p99.toFixed(2)}/${p.max.toFixed(2)} ms`, pass: null },
  ];
}

export function evaluate(inputs: CheckInputs): Check[] {
  const { runs, comparisons, rss, idle } = inputs;
  return [...rpsChecks(comparisons), ...latencyChecks(runs, comparisons), ...rssChecks(runs, rss), ...(idle ? idleChecks(idle) : [])];
}
