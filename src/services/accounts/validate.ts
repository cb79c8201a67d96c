import { badRequest } from '../../core/errors.js';
import { parseRublesToMicro } from '../../core/money.js';

/** Validators for admin and CLI input; each failure names the field. */
export type Fields = Record<string, unknown>;

export function asObject(body: unknown): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object.');
  }
  return body as Fields;
}

export function rejectUnknown(body: Fields, allowed: readonly string[]): void {
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw badRequest(`Unknown field '${unknown}'. Allowed: ${allowed.join(', ')}.`, unknown);
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@.]{1,63}$/;

export function email(value: unknown, field = 'email'): string {
  if (typeof value !== 'string' || !EMAIL.test(value.trim())) throw badRequest(`'${field}' must be an email address.`, field);
  return value.trim().toLowerCase();
}

export function optionalPassword(value: unknown, field = 'password'): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length < 8 || value.length > 200) {
    throw badRequest(`'${field}' must be a string of 8 to 200 characters.`, field);
  }
  return value;
}

export function optionalText(value: unknown, field: string, max: number): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > max) throw badRequest(`'${field}' must be a string of at most ${max} characters.`, field);
  return value;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`'${field}' must be true or false.`, field);
  return value;
}

/** Rubles (number or decimal string, up to 6 decimals) → micro-rubles. */
export function rubles(value: unknown, field: string): number {
  const micro = parseRublesToMicro(value);
  if (micro === undefined) {
    throw badRequest(`'${field}' must be an amount in rubles: a number or decimal string with at most 6 decimals.`, field);
  }
  return micro;
}

export function optionalLimit(value: unknown, field: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const micro = rubles(value, field);
  if (micro < 0) throw badRequest(`'${field}' must not be negative.`, field);
  return micro;
}

/** A fair-use limit: a whole number ≥ 1, or null for none. */
export function optionalCount(value: unknown, field: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw badRequest(`'${field}' must be a whole number ≥ 1, or null for no limit.`, field);
  return value;
}

const MODEL_PATTERN = /^[A-Za-z0-9._:/*@-]{1,200}$/;

export function optionalModels(value: unknown, field = 'models'): string[] | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!Array.isArray(value) || value.length > 500 || value.some((m) => typeof m !== 'string' || !MODEL_PATTERN.test(m))) {
    throw badRequest(`'${field}' must be a list of model names or patterns such as "gpt-4o*" or "anthropic/*".`, field);
  }
  return [...new Set(value as string[])];
}

/** ISO 8601 date-time → epoch ms. */
export function optionalTime(value: unknown, field: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw badRequest(`'${field}' must be an ISO 8601 date-time such as "2027-01-31T00:00:00Z".`, field);
  return ms;
}

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/** An `Idempotency-Key`: 1 to 255 printable ASCII characters. */
export function optionalIdempotencyKey(value: unknown, field = 'Idempotency-Key'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    throw badRequest(`'${field}' must be 1 to 255 printable ASCII characters.`, field);
  }
  return value;
}
