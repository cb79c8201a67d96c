// '.js': this file is also loaded by node's tests (test/unit/web-format.test.ts), which resolve as NodeNext.
import type { Lang } from './money.js';

const dateTimes = new Map<string, Intl.DateTimeFormat>();
function cached(lang: Lang, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let format = dateTimes.get(key);
  if (!format) dateTimes.set(key, (format = new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-US', options)));
  return format;
}

/** "2 дек. 2026 г., 09:52" / "Dec 2, 2026, 09:52" in the viewer's time zone. */
export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return cached(lang, 'dt', { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(date);
}

/** "3 нояб." / "Nov 3" for a UTC day (chart axes). */
export function formatShortDay(day: string, lang: Lang): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return cached(lang, 'sd', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
}

export function formatDate(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  return cached(lang, 'd', { dateStyle: 'medium', timeZone: iso.length === 10 ? 'UTC' : undefined }).format(date);
}

const integers = new Map<Lang, Intl.NumberFormat>();
/** Token and request counts with the language's grouping. */
export function formatCount(value: number | null | undefined, lang: Lang): string {
  if (value === null || value === undefined) return '—';
  let format = integers.get(lang);
  if (!format) integers.set(lang, (format = new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-US')));
  return format.format(value);
}

export function formatLatency(ms: number | null | undefined, lang: Lang): string {
  if (ms === null || ms === undefined) return '—';
  const [seconds, millis] = lang === 'ru' ? ['с', 'мс'] : ['s', 'ms'];
  return ms >= 1000 ? `${formatCount(Math.round(ms / 100) / 10, lang)} ${seconds}` : `${formatCount(ms, lang)} ${millis}`;
}

/** A date input's value (YYYY-MM-DD, local) → ISO at the start (or the end) of that local day. */
export function dayToIso(day: string, endOfDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T${endOfDay ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
