import type { UsageDay } from '../api/types';
import type { ChartSeries } from '../components/Chart';

const MAX_MODELS = 7;

/**
 * Spend per day split by model for a stacked chart: the models that cost most over the period get their
 * own layer, the rest are summed under "other" (`otherLabel`). Values are rubles, for drawing only.
 */
export function spendByModel(days: UsageDay[], otherLabel: string): ChartSeries[] {
  const totals = new Map<string, number>();
  for (const day of days) for (const [model, micro] of Object.entries(day.by_model)) totals.set(model, (totals.get(model) ?? 0) + micro);
  const ranked = [...totals.entries()].filter(([, micro]) => micro > 0).sort((a, b) => b[1] - a[1]);
  const own = ranked.slice(0, ranked.length > MAX_MODELS ? MAX_MODELS - 1 : MAX_MODELS).map(([model]) => model);
  const series: ChartSeries[] = own.map((model) => ({ label: model, values: days.map((d) => (d.by_model[model] ?? 0) / 1e6) }));
  if (ranked.length > own.length) {
    const rest = days.map((d) => Object.entries(d.by_model).reduce((sum, [model, micro]) => (own.includes(model) ? sum : sum + micro), 0) / 1e6);
    series.push({ label: otherLabel, values: rest });
  }
  if (series.length === 0) series.push({ label: otherLabel, values: days.map((d) => d.cost_micro / 1e6) });
  return series;
}

/** Sum of integer micro-rubles as BigInt: totals shown as money are exact. */
export function totalMicro(days: UsageDay[]): bigint {
  return days.reduce((sum, day) => sum + BigInt(day.cost_micro), 0n);
}
