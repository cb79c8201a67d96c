// `npm run bench` settings from the environment (the list is in run.ts's header comment).

export interface BenchConfig {
  duration: number;
  warmup: number;
  connections: number;
  /** request rate of the paced scenarios (c) and (g), req/s */
  rate: number;
  rateConnections: number;
  skipBuild: boolean;
  onlyBare: boolean;
  model: string;
  anthropicModel: string;
  geminiModel: string;
  scenarios: string;
  idle: IdleConfig;
}

export interface IdleConfig {
  /** concurrent streams to open and hold */
  streams: number;
  /** at most this long to open them all (s) */
  openS: number;
  /** then held this long while /health is probed (s) */
  holdS: number;
  probeIntervalMs: number;
}

/** The rate issue #10's latency targets are defined at. */
export const TARGET_RATE = 500;
export const DEFAULT_SCENARIOS = 'a,b,c,d,e,f,g,h';

function envNum(env: NodeJS.ProcessEnv, name: string, def: number): number {
  const v = Number(env[name] ?? def);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
}

const flag = (env: NodeJS.ProcessEnv, name: string): boolean => ['1', 'true', 'yes'].includes((env[name] ?? '').toLowerCase());

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  return {
    duration: envNum(env, 'BENCH_DURATION', 10),
    warmup: envNum(env, 'BENCH_WARMUP', 2),
    connections: envNum(env, 'BENCH_CONNECTIONS', 50),
    rate: envNum(env, 'BENCH_RATE', TARGET_RATE),
    rateConnections: 32,
    skipBuild: flag(env, 'BENCH_SKIP_BUILD'),
    onlyBare: flag(env, 'BENCH_ONLY_BARE'),
    model: env.BENCH_MODEL ?? 'gpt-4o-mini',
    anthropicModel: env.BENCH_ANTHROPIC_MODEL ?? 'claude-sonnet-4-20250514',
    geminiModel: env.BENCH_GEMINI_MODEL ?? 'gemini-2.5-flash',
    scenarios: env.BENCH_SCENARIOS ?? DEFAULT_SCENARIOS,
    idle: {
      streams: Math.round(envNum(env, 'BENCH_IDLE_STREAMS', 10_000)),
      openS: envNum(env, 'BENCH_IDLE_OPEN_S', 20),
      holdS: envNum(env, 'BENCH_IDLE_HOLD_S', 5),
      probeIntervalMs: 100,
    },
  };
}
