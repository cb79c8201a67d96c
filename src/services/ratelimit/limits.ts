/** Fair-use limits of one scope (a key, or an account for all its keys); null: no limit. */
export interface FairUseLimits {
  /** Requests per minute. */
  rpm: number | null;
  /** Tokens per minute: the estimate at admission, corrected by the reported usage at settle. */
  tpm: number | null;
  /** Calls in flight at once. */
  concurrency: number | null;
}

export const UNLIMITED: Readonly<FairUseLimits> = Object.freeze({ rpm: null, tpm: null, concurrency: null });

/** The operator's defaults (config): what a key or an account without a limit of its own gets. */
export interface FairUseDefaults {
  key: Readonly<FairUseLimits>;
  account: Readonly<FairUseLimits>;
}

/** A scope's own limits over the operator's default, field by field. */
export function effectiveLimits(own: FairUseLimits, fallback: Readonly<FairUseLimits>): FairUseLimits {
  return { rpm: own.rpm ?? fallback.rpm, tpm: own.tpm ?? fallback.tpm, concurrency: own.concurrency ?? fallback.concurrency };
}

export function hasAnyLimit(limits: FairUseLimits): boolean {
  return limits.rpm !== null || limits.tpm !== null || limits.concurrency !== null;
}
