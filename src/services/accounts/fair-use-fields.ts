import * as v from './validate.js';

/** The fair-use limits a key or an account may carry, as the APIs name them. */
export const LIMIT_FIELDS = ['rpm_limit', 'tpm_limit', 'concurrency_limit'] as const;

export type LimitPatch = Partial<Record<(typeof LIMIT_FIELDS)[number], number | null>>;

/** The limits a body names, validated (whole numbers ≥ 1, or null for none); absent fields stay absent. */
export function limitsOf(body: v.Fields): LimitPatch {
  const patch: LimitPatch = {};
  for (const field of LIMIT_FIELDS) {
    const value = v.optionalCount(body[field], field);
    if (value !== undefined) patch[field] = value;
  }
  return patch;
}
