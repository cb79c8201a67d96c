import { ConfigError, parseBaseUrl, readEnum, readInt, readString } from './env-parsers.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The dashboard's settings (issue #12): sign-up, sessions, reset mail, the top-up page. */
export interface DashboardConfig {
  /** `SIGNUP`: `open` lets anyone sign up; `closed` is invite-only (the admin creates users). */
  signup: 'open' | 'closed';
  /** `WELCOME_CREDIT` in rubles (0 by default), credited to each self-signed-up user as a ledger row. */
  welcomeCreditMicro: number;
  /** `SESSION_TTL_HOURS` (336 = 14 days): a session unused this long ends; each use extends it. */
  sessionTtlMs: number;
  /** `SESSION_COOKIE_SECURE`: `auto` marks the cookie Secure when the request came over HTTPS. */
  cookieSecure: 'auto' | 'on' | 'off';
  /** `PUBLIC_URL`: this gateway's address as customers see it (reset links, quick start); else the request's own. */
  publicUrl: string | undefined;
  /** `SMTP_URL` and `SMTP_FROM`: reset links are mailed only when set. */
  smtp: { url: string; from: string } | undefined;
  /** `TOPUP_CONTACT`: what the top-up page says until payments exist (e.g. "Write to billing@example.com"). */
  topupContact: string | undefined;
}

const HOURS_PER_YEAR = 8760;

export function readDashboard(env: Env): DashboardConfig {
  const publicUrl = readString(env, 'PUBLIC_URL');
  return Object.freeze({
    signup: readEnum(env, 'SIGNUP', ['open', 'closed'] as const, 'open'),
    welcomeCreditMicro: readRubles(env, 'WELCOME_CREDIT'),
    sessionTtlMs: readInt(env, 'SESSION_TTL_HOURS', 336, 1, HOURS_PER_YEAR) * 3_600_000,
    cookieSecure: readEnum(env, 'SESSION_COOKIE_SECURE', ['auto', 'on', 'off'] as const, 'auto'),
    publicUrl: publicUrl === undefined ? undefined : parseBaseUrl('PUBLIC_URL', publicUrl),
    smtp: readSmtp(env, publicUrl),
    topupContact: readString(env, 'TOPUP_CONTACT'),
  });
}

/**
 * `TRUST_PROXY`: addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto`
 * are believed (client addresses for throttling, HTTPS for the Secure cookie); none by default.
 */
export function readTrustProxy(env: Env): readonly string[] {
  const raw = readString(env, 'TRUST_PROXY');
  if (raw === undefined) return Object.freeze([]);
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = entries.find((e) => !/^[0-9a-fA-F.:]+(?:\/\d{1,3})?$/.test(e));
  if (bad !== undefined) throw new ConfigError(`TRUST_PROXY must be comma-separated IP addresses or CIDR ranges such as "127.0.0.1,10.0.0.0/8"; got "${bad}"`);
  return Object.freeze(entries);
}

/** Whole rubles or a decimal with at most 6 decimals → micro-rubles; 0 when unset. */
function readRubles(env: Env, name: string): number {
  const raw = readString(env, name);
  if (raw === undefined) return 0;
  const match = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(raw);
  if (!match) throw new ConfigError(`${name} must be rubles, a non-negative number with at most 6 decimals (e.g. "100" or "49.90"); got "${raw}"`);
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

function readSmtp(env: Env, publicUrl: string | undefined): DashboardConfig['smtp'] {
  const url = readString(env, 'SMTP_URL');
  if (url === undefined) return undefined;
  if (!/^smtps?:\/\/[^\s]+$/.test(url)) throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtps://user:pass@smtp.example.com:465');
  const from = readString(env, 'SMTP_FROM');
  if (from === undefined) throw new ConfigError('SMTP_FROM is required with SMTP_URL: the address reset mails come from, e.g. "Tollgate <no-reply@example.com>"');
  // A mailed link built from the request's Host header would go wherever a forger's Host points.
  if (publicUrl === undefined) throw new ConfigError('PUBLIC_URL is required with SMTP_URL: mailed reset links point there, never at a Host header a request names');
  return Object.freeze({ url, from });
}
