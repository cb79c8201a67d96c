import { useEffect, useMemo, useRef } from 'react';
// uPlot: ~50 KB, draws on <canvas>, and ships its CSS as a plain file that Vite bundles into our own
// stylesheet. It never injects <style> tags or style="" attributes at runtime (it sizes elements through
// the CSSOM, element.style.x = …, which a CSP without 'unsafe-inline' still allows), so the dashboard's
// strict `style-src 'self'` holds. ECharts and Recharts are 5–10× larger for the three charts we draw.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useLang } from '../i18n';
import { formatDate, formatShortDay } from '../lib/format';

export interface ChartSeries {
  label: string;
  values: number[];
}

interface ChartProps {
  /** The figure's caption and the canvas's accessible name. */
  title: string;
  /** UTC days, 'YYYY-MM-DD', one per point. */
  days: string[];
  series: ChartSeries[];
  /** Stacked bars (spend by model) or lines (tokens in/out, requests and errors). */
  kind: 'stacked' | 'line';
  format: (value: number) => string;
  /** Counts (requests, tokens): the axis steps by whole numbers only. */
  integer?: boolean;
  height?: number;
  testId?: string;
}

export const PALETTE = ['#3b5bdb', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00', '#1098ad', '#c2255c', '#5c940d', '#495057', '#7048e8'];

const dayToSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
/** Half a day either side of the first and the last day, so the end bars (centred on their day) are whole. */
const HALF_DAY = 43_200;
/** Without a cursor over the chart the legend names the series only (no "Date: —"); see tables.css. */
const markIdle = (u: uPlot) => void u.root.classList.toggle('legend-idle', u.legend.idx === null || u.legend.idx === undefined);
const WHOLE_STEPS = Array.from({ length: 13 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** uPlot's options for our charts; stacking is drawn by layering cumulative bars, tallest first. */
function buildOptions(props: ChartProps, width: number, lang: 'ru' | 'en', dateLabel: string): { options: uPlot.Options; data: uPlot.AlignedData } {
  const x = props.days.map(dayToSeconds);
  const stacked = props.kind === 'stacked';
  let layers = props.series.map((s) => s.values);
  if (stacked) {
    const running = x.map(() => 0);
    layers = props.series.map((s) => s.values.map((v, i) => (running[i] = (running[i] ?? 0) + v)));
    layers = layers.reverse();
  }
  const ordered = stacked ? [...props.series].reverse() : props.series;
  const bars = uPlot.paths.bars!({ size: [0.7, 48], align: 0 });
  const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
  const series: uPlot.Series[] = [
    { label: dateLabel, value: (_u, seconds) => (seconds === null ? '' : formatDate(day(seconds), lang)) },
    ...ordered.map((s, i) => {
      const color = PALETTE[(stacked ? ordered.length - 1 - i : i) % PALETTE.length]!;
      const own = s.values;
      return {
        label: s.label,
        stroke: color,
        fill: stacked ? color : undefined,
        width: stacked ? 0 : 2,
        paths: stacked ? bars : undefined,
        points: { show: !stacked && x.length <= 31 },
        // The legend shows each model's own amount, not the stack's running total.
        value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) => (idx === null ? '' : props.format(own[idx] ?? 0)),
      } satisfies uPlot.Series;
    }),
  ];
  const options: uPlot.Options = {
    width,
    height: props.height ?? 240,
    series,
    scales: { x: { time: true, range: (_u, min, max) => [min - HALF_DAY, max + HALF_DAY] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { values: (_u, splits) => splits.map((s) => formatShortDay(day(s), lang)), space: 64, stroke: '#495057', grid: { stroke: '#eceef1' } },
      { values: (_u, splits) => splits.map((s) => props.format(s)), stroke: '#495057', grid: { stroke: '#eceef1' }, size: 72, ...(props.integer ? { incrs: WHOLE_STEPS } : {}) },
    ],
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    // A period with nothing in it has no legend: the figure says "no data" instead.
    legend: { live: true, show: props.series.some((s) => s.values.some((v) => v !== 0)) },
    hooks: { ready: [markIdle], setLegend: [markIdle] },
    cursor: { points: { show: !stacked } },
  };
  return { options, data: [x, ...layers] };
}

/** A uPlot chart that follows its container's width, with the numbers also in a table for screen readers. */
export function Chart(props: ChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const { t, lang } = useLang();
  const total = useMemo(() => props.series.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0), [props.series]);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const { options, data } = buildOptions(props, Math.max(element.clientWidth, 280), lang, t('common.date'));
    const plot = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 280), height: options.height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [props, lang, t]);

  return (
    <figure className="chart" data-testid={props.testId} data-total={total} data-points={props.days.length}>
      <figcaption className="chart-title">{props.title}</figcaption>
      <div ref={holder} className="chart-canvas" role="img" aria-label={props.title} />
      {total === 0 && (
        <p className="chart-empty muted small" data-testid="chart-no-data">
          {t('usage.noData')}
        </p>
      )}
      {/* A table ignores height: 1px, so the hiding is on a wrapper. */}
      <div className="visually-hidden">
      <table>
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">{t('common.date')}</th>
            {props.series.map((s) => (
              <th scope="col" key={s.label}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.days.map((day, i) => (
            <tr key={day}>
              <th scope="row">{day}</th>
              {props.series.map((s) => (
                <td key={s.label}>{props.format(s.values[i] ?? 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}
