import type { DayModelUsage } from '../../store/index.js';

const DAY_MS = 86_400_000;

export type UsageDays = 7 | 30 | 90;

export interface UsageDayView {
  date: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_micro: number;
  by_model: Record<string, number>;
}

export interface UsageSeriesView {
  from: string;
  to: string;
  days: UsageDayView[];
}

/** The last `days` UTC days, today included: [start of the first, end of today). */
export function usageWindow(now: number, days: UsageDays): { from: number; to: number } {
  const to = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  return { from: to - days * DAY_MS, to };
}

/**
 * Per-day-and-model sums (RequestsRepo.dailyUsage, one query) → one entry per UTC day of the window,
 * oldest first, days without calls as zeros, each day's cost split by model (a call without a model, refused
 * before one was known, counts in the day's figures only).
 */
export function usageSeries(rows: readonly DayModelUsage[], window: { from: number; to: number }): UsageSeriesView {
  const first = window.from / DAY_MS;
  const days: UsageDayView[] = [];
  for (let day = first; day < window.to / DAY_MS; day++) {
    days.push({ date: new Date(day * DAY_MS).toISOString().slice(0, 10), requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_micro: 0, by_model: {} });
  }
  for (const row of rows) {
    const entry = days[row.day - first];
    if (!entry) continue;
    entry.requests += row.requests;
    entry.errors += row.errors;
    entry.input_tokens += row.inputTokens;
    entry.output_tokens += row.outputTokens;
    entry.cost_micro += row.costMicro;
    if (row.model !== null && (row.costMicro > 0 || row.requests > 0)) entry.by_model[row.model] = (entry.by_model[row.model] ?? 0) + row.costMicro;
  }
  return { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), days };
}
