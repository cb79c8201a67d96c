let cachedMonth = { from: 0, to: -1, name: '' };

/** `YYYY-MM` in UTC: the period a key's monthly limit counts. Called per request, so the month is cached. */
export function monthOf(epochMs: number): string {
  if (epochMs >= cachedMonth.from && epochMs < cachedMonth.to) return cachedMonth.name;
  const date = new Date(epochMs);
  const from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const to = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  cachedMonth = { from, to, name: date.toISOString().slice(0, 7) };
  return cachedMonth.name;
}
