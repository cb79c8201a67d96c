import { add, compare, formatDecimal, parseJsonNumber, ZERO, type Decimal } from '../../core/decimal.js';
import type { Usage } from '../../core/usage.js';
import { scanTopLevel } from '../../lib/json-fields.js';

/**
 * OpenRouter's usage accounting (`usage: {include: true}` in the request): the answer's `usage.cost` is
 * what OpenRouter charged for the call, in USD, as a JSON number. It is read from the answer's bytes, never
 * through a float. With a key of the operator's own at the provider (`is_byok: true`) OpenRouter charges
 * only its fee, and the provider bills `cost_details.upstream_inference_cost` to that key: both are paid.
 */
export function reportedCostUsd(body: Buffer): string | undefined {
  const usage = member(body, 'usage');
  if (!usage) return undefined;
  const cost = number(member(usage, 'cost'));
  if (!cost) return undefined;
  const byok = member(usage, 'is_byok')?.toString('latin1') === 'true';
  const details = member(usage, 'cost_details');
  const upstream = byok && details ? number(member(details, 'upstream_inference_cost')) : undefined;
  return formatDecimal(upstream ? add(cost, upstream) : cost);
}

/** The usage with the reported cost, when the answer's bytes carry one. */
export function withReportedCost(usage: Usage, body: Buffer): Usage {
  const costUsd = reportedCostUsd(body);
  return costUsd === undefined ? usage : { ...usage, costUsd };
}

const INCLUDE = Buffer.from('"usage":{"include":true},', 'utf8');

/**
 * The request with OpenRouter's usage accounting asked for (`usage: {include: true}`), every other byte as
 * it was; the request itself when the client set `usage` (it asked otherwise) or the body is not a
 * well-formed object (the upstream will judge it). The answer only gains `usage.cost` and its details.
 */
export function withUsageAccounting(body: Buffer): Buffer {
  const scan = scanTopLevel(body);
  if (!scan?.closed || scan.fields.some((f) => f.key === 'usage')) return body;
  return Buffer.concat([body.subarray(0, scan.open + 1), INCLUDE, body.subarray(scan.open + 1)]);
}

/** The raw bytes of a member of the JSON object in `buf` (last duplicate wins), if any. */
function member(buf: Buffer, key: string): Buffer | undefined {
  const field = scanTopLevel(buf)?.fields.filter((f) => f.key === key).at(-1);
  return field ? buf.subarray(field.start, field.end) : undefined;
}

function number(raw: Buffer | undefined): Decimal | undefined {
  const value = raw ? parseJsonNumber(raw.toString('latin1')) : undefined;
  return value && compare(value, ZERO) >= 0 ? value : undefined;
}
