import type { RequestRowToWrite } from './repos/billing-repo.js';
import type { ChargeToWrite, PendingCharge } from './repos/billing-sqlite-writes.js';
import { REQUEST_COLUMNS, requestValues } from './request-columns.js';

/** A settlement as one line of text: a JSON array in a fixed order (cheaper than an object), then the history row's values. */
export const SETTLED = 's';
const SETTLEMENT_FIELDS = 12;

/**
 * The one encoding of a computed charge: the charge journal appends it, and the SQLite writer thread
 * receives it (a string crosses to a worker for a fraction of a microsecond, where cloning the object
 * with its history row costs ~4 µs a charge).
 */
export function settlementLine(s: PendingCharge): string {
  const head: unknown[] = [SETTLED, s.requestId, s.userId, s.keyId, s.costMicro, s.charge, s.costUsd, s.usdNano, s.usdRubRate, s.period, s.ledgerId, s.now, s.note ?? null];
  return JSON.stringify(s.request ? head.concat(requestValues(s.request)) : head) + '\n';
}

/** The settlement a line holds, its history row kept as values (what the writer binds); throws on a line that is not one. */
export function parseSettlementLine(line: string): ChargeToWrite {
  const r: unknown = JSON.parse(line);
  if (!Array.isArray(r) || r[0] !== SETTLED) throw new Error('not a settlement line');
  const [, requestId, userId, keyId, costMicro, charge, costUsd, usdNano, usdRubRate, period, ledgerId, now, note] = r as [
    string, string, string, string, number, number, string | null, number | null, string | null, string, string, number, string | null,
  ];
  return {
    requestId, userId, keyId, costMicro, charge, costUsd, usdNano, usdRubRate, period, ledgerId, now,
    ...(note ? { note } : {}),
    ...(r.length > SETTLEMENT_FIELDS + 1 ? { values: r.slice(SETTLEMENT_FIELDS + 1) } : {}),
  };
}

export function settlementOf(r: unknown[]): PendingCharge {
  const [, requestId, userId, keyId, costMicro, charge, costUsd, usdNano, usdRubRate, period, ledgerId, now, note] = r as [
    string, string, string, string, number, number, string | null, number | null, string | null, string, string, number, string | null,
  ];
  const values = r.slice(SETTLEMENT_FIELDS + 1);
  return {
    requestId, userId, keyId, costMicro, charge, costUsd, usdNano, usdRubRate, period, ledgerId, now,
    ...(note ? { note } : {}),
    ...(values.length > 0 ? { request: rowOf(values) } : {}),
  };
}

/** A history row from its values in `REQUEST_COLUMNS` order. */
export function rowOf(values: readonly unknown[]): RequestRowToWrite {
  return Object.fromEntries(REQUEST_COLUMNS.map((column, i) => [column, values[i] ?? null])) as unknown as RequestRowToWrite;
}
