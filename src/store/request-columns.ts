/** Every column of `requests`, in the table's order (the PostgreSQL functions insert whole rows in it). */
export const REQUEST_COLUMNS = [
  'id', 'user_id', 'key_id', 'surface', 'provider', 'model', 'method', 'path',
  'status', 'latency_ms', 'error', 'upstream_request_id', 'stream', 'created_at',
  'input_tokens', 'cached_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens',
  'usage_source', 'cost_micro', 'cost_usd', 'usd_rub_rate', 'price_version', 'reported_usage',
] as const;

export type RequestColumn = (typeof REQUEST_COLUMNS)[number];

/** `status` of a request the gateway never answered: in flight (`error` IN_FLIGHT), or interrupted by a crash. */
export const IN_FLIGHT_STATUS = 0;
export const IN_FLIGHT = 'in_flight';
export const INTERRUPTED = 'interrupted';

const COST_MICRO = REQUEST_COLUMNS.indexOf('cost_micro');

/**
 * A row's values in `REQUEST_COLUMNS` order, absent ones as null (for prepared SQLite statements);
 * `costMicro`, when given, replaces the row's cost (what the ledger actually charged).
 */
export function requestValues(row: Readonly<Partial<Record<RequestColumn, unknown>>>, costMicro?: number): unknown[] {
  const values = REQUEST_COLUMNS.map((column) => row[column] ?? (column === 'stream' ? 0 : null));
  if (costMicro !== undefined) values[COST_MICRO] = costMicro;
  return values;
}
