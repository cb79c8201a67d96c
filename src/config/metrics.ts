import { ConfigError, readInt, readString } from './env-parsers.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `GET /metrics` (Prometheus). Off unless one of these is set:
 * - `METRICS_TOKEN`: served on the gateway's own port to `Authorization: Bearer <token>` only;
 * - `METRICS_PORT`: served on a listener of its own at `METRICS_HOST` (127.0.0.1 unless set), and then
 *   never on the gateway's port; with a token too, that listener asks for it as well.
 */
export interface MetricsConfig {
  enabled: boolean;
  token: string | undefined;
  /** The separate listener, or undefined to serve /metrics on the gateway's port (with the token). */
  listen: { host: string; port: number } | undefined;
}

export function readMetrics(env: Env): MetricsConfig {
  const token = readString(env, 'METRICS_TOKEN');
  if (token !== undefined && token.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters long');
  const port = readString(env, 'METRICS_PORT') === undefined ? undefined : readInt(env, 'METRICS_PORT', 0, 0, 65535);
  const host = readString(env, 'METRICS_HOST', '127.0.0.1');
  if (port === undefined && readString(env, 'METRICS_HOST') !== undefined) throw new ConfigError('METRICS_HOST needs METRICS_PORT (the port /metrics is served on)');
  return Object.freeze({
    enabled: token !== undefined || port !== undefined,
    token,
    listen: port === undefined ? undefined : Object.freeze({ host, port }),
  });
}
