// The gateway under test: started from the build with billing on (a user with credit, a key), and the
// open-file limits the idle-streams scenario needs.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openFds, openFileLimit } from './proc.js';
import { freePort, makeTmpDir, spawnService, waitForHttp } from './processes.js';
import type { TargetName } from './report.js';

export const ADMIN_TOKEN = 'bench-admin-token';

export interface Target {
  name: TargetName;
  child: ChildProcess;
  pid: number;
  base: string; // http://host:port
  chatPath: string; // the target's native chat-completions path
  auth: string;
}

async function adminPost(base: string, path: string, body: unknown, method = 'POST'): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** `extraEnv`: settings for one scenario (connection caps of the idle streams). */
export async function startTollgate(root: string, mockUrl: string, extraEnv: Record<string, string>): Promise<Target> {
  const main = join(root, 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} not found (build failed or BENCH_SKIP_BUILD=1 without a prior build)`);
  const port = await freePort();
  const dbDir = makeTmpDir('tollgate-bench-db-');
  // BENCH_TOLLGATE_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profile the target only.
  const nodeArgs = (process.env.BENCH_TOLLGATE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawnService('tollgate', process.execPath, [...nodeArgs, main], {
    cwd: root,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dbDir, 'bench.db')}`,
      ADMIN_TOKEN,
      OPENAI_API_KEY: 'sk-bench-upstream',
      OPENAI_BASE_URL: mockUrl,
      ANTHROPIC_API_KEY: 'sk-ant-bench-upstream',
      ANTHROPIC_BASE_URL: mockUrl,
      GEMINI_API_KEY: 'bench-gemini-upstream',
      GEMINI_BASE_URL: mockUrl,
      // warn: no access-log line per request (BENCH_LOG_LEVEL=info measures the default level's cost).
      LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
      // BENCH_METRICS=1: /metrics on (every call counted), to measure what the metrics cost a request.
      ...(process.env['BENCH_METRICS'] === '1' ? { METRICS_TOKEN: 'bench-metrics-token-0123456789' } : {}),
      ...extraEnv,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health`, child, 'tollgate');
  const user = await adminPost(base, '/admin/users', { email: 'bench@example.com' });
  if (user.id === undefined) throw new Error(`POST /admin/users returned no id: ${JSON.stringify(user)}`);
  const uid = encodeURIComponent(String(user.id));
  // Billing is on, as in production: every call is estimated, held, and charged from its usage.
  await adminPost(base, '/admin/settings', { usd_rub_rate: '95' }, 'PUT');
  await adminPost(base, `/admin/users/${uid}/credit`, { amount: '1000000' });
  const key = await adminPost(base, `/admin/users/${uid}/keys`, { name: 'bench', allow_balance: true });
  if (typeof key.key !== 'string') throw new Error(`POST /admin/users/${uid}/keys returned no key`);
  return { name: 'tollgate', child, pid: child.pid ?? -1, base, chatPath: '/openai/v1/chat/completions', auth: `Bearer ${key.key}` };
}

/**
 * Makes sure process `pid` may open `perStream` more files for each of `streams` streams (plus headroom):
 * if its soft limit is lower, raises soft and hard limit with util-linux `prlimit` (raising the hard limit
 * takes CAP_SYS_RESOURCE). Returns what it found and did, and how many streams its limit fits, for the report.
 */
export function ensureOpenFiles(pid: number, perStream: number, streams: number, headroom: number, label: string): string {
  const base = openFds(pid) ?? 0;
  const need = base + perStream * streams + headroom;
  const what = `${label} (${perStream} fd a stream, ${base} open now): needs ${need}`;
  const before = openFileLimit(pid);
  if (!before) return `${what}; its open-file limit is unknown`;
  if (before.soft >= need) return `${what}; limit ${before.soft} (soft) / ${before.hard} (hard): enough`;
  const r = spawnSync('prlimit', [`--pid=${pid}`, `--nofile=${need}:${Math.max(need, before.hard)}`], { encoding: 'utf8' });
  const after = openFileLimit(pid);
  if (r.status === 0 && after && after.soft >= need) return `${what}; limit ${before.soft}/${before.hard} (soft/hard), raised to ${after.soft}/${after.hard} with prlimit`;
  const why = r.error ? r.error.message : (r.stderr || `exit ${r.status}`).trim();
  const fits = Math.max(0, Math.floor((before.soft - base) / perStream));
  return `${what}; limit ${before.soft}/${before.hard} (soft/hard), which fits about ${fits} streams; prlimit could not raise it (${why})`;
}
