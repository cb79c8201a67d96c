// The bench's scenarios, which of them BENCH_SCENARIOS selects, and the (scenario, target) runs they make.
import type { BenchConfig } from './config.js';
import { BASELINE, type ScenarioId, type TargetName } from './report.js';

export type ScenarioKind = 'closed' | 'paced' | 'idle';

export interface Scenario {
  id: ScenarioId;
  letter: string;
  label: string;
  kind: ScenarioKind;
  stream: boolean;
  connections: number;
  body: string;
  /** served on the unified API (`/v1/chat/completions`, tollgate only) instead of the native mount */
  unified?: { model: string };
  targets: readonly TargetName[];
  /** paced: the evenly paced open-loop rate (req/s) */
  pacedRate?: number;
}

export const BOTH: readonly TargetName[] = ['bare', 'tollgate'];
const TOLLGATE_ONLY: readonly TargetName[] = ['tollgate'];

export interface Bodies {
  chat: string;
  stream: string;
}

const MESSAGES = [{ role: 'user', content: 'Say hello in twenty tokens.' }];

export function bodies(cfg: BenchConfig): Bodies {
  return {
    chat: JSON.stringify({ model: cfg.model, messages: MESSAGES }),
    stream: JSON.stringify({ model: cfg.model, messages: MESSAGES, stream: true, stream_options: { include_usage: true } }),
  };
}

function unified(id: ScenarioId, letter: string, model: string, connections: number): Scenario {
  const body = JSON.stringify({ model, messages: MESSAGES });
  return { id, letter, label: `(${letter}) /v1 chat ${model}`, kind: 'closed', stream: false, connections, body, unified: { model }, targets: TOLLGATE_ONLY };
}

/**
 * In run order: (d), (e), (f) right after (a), whose bare run they are compared with; the idle streams
 * last, as they leave the gateway with thousands of calls to settle.
 */
export function scenarios(cfg: BenchConfig): Scenario[] {
  const b = bodies(cfg);
  const n = cfg.connections;
  return [
    { id: 'chat', letter: 'a', label: '(a) chat', kind: 'closed', stream: false, connections: n, body: b.chat, targets: BOTH },
    unified('unified-chat', 'd', `openai/${cfg.model}`, n),
    unified('unified-anthropic', 'e', `anthropic/${cfg.anthropicModel}`, n),
    unified('unified-gemini', 'f', `gemini/${cfg.geminiModel}`, n),
    { id: 'chat-stream', letter: 'b', label: '(b) chat stream x20', kind: 'closed', stream: true, connections: n, body: b.stream, targets: BOTH },
    { id: 'paced-chat', letter: 'c', label: `(c) chat @${cfg.rate}/s`, kind: 'paced', stream: false, connections: cfg.rateConnections, body: b.chat, targets: BOTH, pacedRate: cfg.rate },
    { id: 'paced-stream', letter: 'g', label: `(g) chat stream x20 @${cfg.rate}/s`, kind: 'paced', stream: true, connections: cfg.rateConnections, body: b.stream, targets: BOTH, pacedRate: cfg.rate },
    { id: 'idle', letter: 'h', label: `(h) ${cfg.idle.streams} idle streams`, kind: 'idle', stream: true, connections: cfg.idle.streams, body: b.stream, targets: TOLLGATE_ONLY },
  ];
}

/** BENCH_SCENARIOS: letters or ids, comma/space separated. */
export function selectScenarios(all: readonly Scenario[], spec: string): Set<ScenarioId> {
  const picked = new Set<ScenarioId>();
  for (const word of spec.split(/[\s,]+/).filter(Boolean)) {
    const sc = all.find((s) => s.letter === word.toLowerCase() || s.id === word);
    if (!sc) {
      const known = [...all].sort((x, y) => x.letter.localeCompare(y.letter)).map((s) => `${s.letter}=${s.id}`);
      throw new Error(`BENCH_SCENARIOS: unknown scenario "${word}" (known: ${known.join(', ')})`);
    }
    picked.add(sc.id);
  }
  if (picked.size === 0) throw new Error('BENCH_SCENARIOS selects no scenario');
  return picked;
}

export interface Step {
  sc: Scenario;
  target: TargetName;
}

/** The (scenario, target) runs to make, in order; a tollgate run's bare baseline is added when it is not selected. */
export function plan(all: readonly Scenario[], selected: Set<ScenarioId>, available: readonly TargetName[]): Step[] {
  const wanted = new Set<string>();
  for (const sc of all) {
    if (!selected.has(sc.id)) continue;
    for (const t of sc.targets) if (available.includes(t)) wanted.add(`${sc.id}/${t}`);
    const baseline = BASELINE[sc.id];
    if (baseline && sc.targets.includes('tollgate') && available.includes('tollgate') && available.includes('bare')) wanted.add(`${baseline}/bare`);
  }
  return all.flatMap((sc) => BOTH.filter((t) => wanted.has(`${sc.id}/${t}`)).map((target) => ({ sc, target })));
}
