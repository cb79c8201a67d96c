/** The fair-use limits (issue #14) as the key form and the console's account form edit and show them. */

/** The three fair-use limits as a form edits them: text as typed, '' = no limit. */
export interface RateLimitDraft {
  rpm: string;
  tpm: string;
  concurrency: string;
}

export interface RateLimits {
  rpm_limit: number | null;
  tpm_limit: number | null;
  concurrency_limit: number | null;
}

const MAX_LIMIT = 2_147_483_647;

export function rateLimitDraftOf(limits: Partial<RateLimits> | null | undefined): RateLimitDraft {
  const text = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));
  return { rpm: text(limits?.rpm_limit), tpm: text(limits?.tpm_limit), concurrency: text(limits?.concurrency_limit) };
}

/** '' → null (no limit); a whole number ≥ 1 → it; anything else → undefined (invalid). */
export function countOf(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= 1 && value <= MAX_LIMIT ? value : undefined;
}

/** The draft's limits, or undefined when one of them is not a valid limit. */
export function rateLimitsOf(draft: RateLimitDraft): RateLimits | undefined {
  const limits = { rpm_limit: countOf(draft.rpm), tpm_limit: countOf(draft.tpm), concurrency_limit: countOf(draft.concurrency) };
  if (limits.rpm_limit === undefined || limits.tpm_limit === undefined || limits.concurrency_limit === undefined) return undefined;
  return limits as RateLimits;
}

/** "60 rpm · 100000 tpm · 4 in flight", or null without any limit. */
export function rateLimitsText(limits: RateLimits, t: (key: string, options?: Record<string, unknown>) => string): string | null {
  const parts = [
    limits.rpm_limit !== null ? t('limits.rpmShort', { n: limits.rpm_limit }) : null,
    limits.tpm_limit !== null ? t('limits.tpmShort', { n: limits.tpm_limit }) : null,
    limits.concurrency_limit !== null ? t('limits.concurrencyShort', { n: limits.concurrency_limit }) : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' · ') : null;
}
