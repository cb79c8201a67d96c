import { ConfigError, readInt, readString } from './env-parsers.js';

type Env = Readonly<Record<string, string | undefined>>;

interface Limits {
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
}

/**
 * The operator's default fair-use limits (issue #14), for keys and accounts without limits of their own:
 * `KEY_RPM_LIMIT`, `KEY_TPM_LIMIT`, `KEY_CONCURRENCY_LIMIT`, `ACCOUNT_RPM_LIMIT`, `ACCOUNT_TPM_LIMIT`,
 * `ACCOUNT_CONCURRENCY_LIMIT`. Unset: no default limit. `REDIS_URL`: the counts are shared by every node there.
 */
export function readFairUse(env: Env): { key: Readonly<Limits>; account: Readonly<Limits>; redisUrl: string | undefined; upstreamShare: number; fairShareWaitMs: number } {
  const redisUrl = readString(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379');
  return Object.freeze({
    key: readScope(env, 'KEY'),
    account: readScope(env, 'ACCOUNT'),
    redisUrl,
    upstreamShare: readShare(env),
    fairShareWaitMs: readInt(env, 'FAIR_SHARE_WAIT_MS', 60_000, 0, 3_600_000),
  });
}

/** `UPSTREAM_SHARE`: the part of a provider's connections one account may hold at once (0.5; 1 turns it off). */
function readShare(env: Env): number {
  const raw = readString(env, 'UPSTREAM_SHARE', '0.5');
  const share = Number(raw);
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(raw) || !(share > 0 && share <= 1)) throw new ConfigError(`UPSTREAM_SHARE must be a fraction above 0 and at most 1 (e.g. 0.5; 1 turns fair sharing off); got "${raw}"`);
  return share;
}

function readScope(env: Env, prefix: 'KEY' | 'ACCOUNT'): Readonly<Limits> {
  return Object.freeze({
    rpm: readLimit(env, `${prefix}_RPM_LIMIT`),
    tpm: readLimit(env, `${prefix}_TPM_LIMIT`),
    concurrency: readLimit(env, `${prefix}_CONCURRENCY_LIMIT`),
  });
}

function readLimit(env: Env, name: string): number | null {
  const raw = readString(env, name);
  if (raw === undefined || raw === '' || raw === 'none') return null;
  if (!/^\d{1,12}$/.test(raw) || Number(raw) < 1) throw new ConfigError(`${name} must be a whole number ≥ 1 (or "none"); got "${raw}"`);
  return Number(raw);
}
