import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/log.js';
import { PROVIDERS } from '../../src/providers/index.js';
import { sqliteDatabase, type TestDatabase } from './databases.js';
import { ADMIN_TOKEN } from './gateway.js';

export const PASSWORD = 'correct horse battery';

export interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
  /** The `tg_session` Set-Cookie line of the answer, when it sent one. */
  sessionCookie: string | undefined;
}

/** A real gateway with a clock the test moves, and every /api answer it gave (to check that no secret leaked). */
export interface Dashboard {
  app: App;
  url: string;
  database: TestDatabase;
  /** Moves the gateway's clock forward. */
  advance(ms: number): void;
  /** Every answer body any Browser of this dashboard received. */
  answers: string[];
  logs: string[];
  browser(defaults?: Record<string, string>): Browser;
  close(): Promise<void>;
}

export async function startDashboard(env: Record<string, string> = {}, database?: TestDatabase): Promise<Dashboard> {
  const db = database ?? sqliteDatabase();
  const config = loadConfig(PROVIDERS, { DATABASE_URL: db.url, ADMIN_TOKEN, PORT: '0', HISTORY_FLUSH_MS: '5', LOG_LEVEL: 'info', ...env }, db.dir);
  let offset = 0;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const app = await buildApp(config, { clock: { now: () => Date.now() + offset }, logger: createLogger(config.logLevel, sink) });
  await app.http.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
  const answers: string[] = [];
  return {
    app,
    url,
    database: db,
    answers,
    logs,
    advance: (ms) => {
      offset += ms;
    },
    browser: (defaults = {}) => new Browser(url, defaults, answers),
    close: async () => {
      await app.http.close();
      await app.close();
      if (!database) await db.drop();
    },
  };
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A browser on the dashboard's page: keeps the session cookie, sends its own Origin and (on state-changing
 * calls) the CSRF token it last got; `headers` override or (with `undefined`) drop any of that per call.
 */
export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(
    readonly base: string,
    private readonly defaults: Record<string, string>,
    private readonly answers: string[],
  ) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string | undefined> = {}): Promise<Answer> {
    const sent: Record<string, string | undefined> = {
      origin: this.base,
      ...(this.cookie ? { cookie: `tg_session=${this.cookie}` } : {}),
      ...(this.csrf && STATE_CHANGING.has(method) ? { 'x-csrf-token': this.csrf } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...this.defaults,
      ...headers,
    };
    const res = await fetch(this.base + path, {
      method,
      headers: Object.fromEntries(Object.entries(sent).filter((e): e is [string, string] => e[1] !== undefined)),
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    this.answers.push(text, JSON.stringify([...res.headers]));
    const sessionCookie = res.headers.getSetCookie().find((c) => c.startsWith('tg_session='));
    if (sessionCookie) {
      const value = /^tg_session=([^;]*)/.exec(sessionCookie)![1]!;
      this.cookie = value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(sessionCookie) ? undefined : value;
    }
    const parsed = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
    if (parsed && typeof parsed === 'object' && 'csrf_token' in parsed) this.csrf = parsed.csrf_token ?? undefined;
    return { status: res.status, body: parsed, text, headers: res.headers, sessionCookie };
  }

  signup(email: string, password = PASSWORD): Promise<Answer> {
    return this.call('POST', '/api/auth/signup', { email, password });
  }

  login(email: string, password = PASSWORD, headers: Record<string, string | undefined> = {}): Promise<Answer> {
    return this.call('POST', '/api/auth/login', { email, password }, headers);
  }

  /** Who this browser is signed in as (null when nobody), refreshing its CSRF token. */
  async whoami(): Promise<string | null> {
    const answer = await this.call('GET', '/api/session');
    return answer.body.account?.email ?? null;
  }
}
