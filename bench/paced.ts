// Evenly paced open-loop load generator for `npm run bench` scenario (c).
//
// autocannon's overallRate lets every connection send its per-second quota back-to-back and then
// idle, so its latencies measure queueing inside bursts. Here request i is due at t0 + i * interval
// (interval = 1000 / rate ms, absolute times from performance.now(), so timer jitter does not
// accumulate) and is sent over an undici keep-alive Pool. If the loop falls behind, the due
// requests are started at once and counted as late. Each request is timed from its *scheduled*
// start to the end of its response body, so generator stalls and pool queueing show up in the
// latency instead of being hidden (no coordinated omission). With `ttfb`, the time to the first body
// byte (for a stream: its first event) is recorded too, from the same scheduled start.
//
// Wake-ups come from a tiny worker thread that sleeps with Atomics.wait (sub-ms timeout) and posts
// a message when a slot is due: Node timers have 1 ms resolution on a ms-truncated loop clock,
// which added ~0.6 ms median start lag (about half the measured latency at this load), while the
// worker's wake-up costs well under 0.1 ms and almost no CPU (no busy-waiting).
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

export interface PacedOptions {
  /** full request URL (origin + path) */
  url: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body: string;
  /** requests per second */
  rate: number;
  /** max keep-alive connections in the pool */
  connections: number;
  /** headers and body timeout per request */
  timeoutMs: number;
  /** also time each response's first body byte (`PacedResult.ttfbMs`) */
  ttfb?: boolean;
}

export interface PacedResult {
  /** wall time from the first scheduled start to the end of the last response */
  durationS: number;
  /** requests started (= round(duration * rate)) */
  sent: number;
  /** latency (ms, scheduled start -> end of body) of each 2xx response */
  latenciesMs: number[];
  /** with `ttfb`: scheduled start -> first body byte of each 2xx response (empty without) */
  ttfbMs: number[];
  /** failed requests (connection errors and timeouts); timeouts are also counted separately */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** requests started more than one interval after their scheduled time (the loop fell behind) */
  late: number;
  /** start lag (actual start - scheduled start), ms; part of the latencies above */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

// Plain CommonJS, run with `eval: true` and no execArgv (no tsx loader in the worker).
// process.hrtime is CLOCK_MONOTONIC in every thread, unlike performance.now() whose time origin
// is per thread, so the schedule is handed over in hrtime milliseconds.
const TICKER_SRC = `
const { parentPort } = require('node:worker_threads');
const cell = new Int32Array(new SharedArrayBuffer(4));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
parentPort.on('message', ({ run, t0Hr, interval, total }) => {
  for (let i = 1; i < total; i++) {
    const due = t0Hr + i * interval;
    for (let rem = due - nowMs(); rem > 0; rem = due - nowMs()) Atomics.wait(cell, 0, 0, rem);
    parentPort.postMessage({ run, i });
  }
});
`;

function isTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TIMEOUT_CODES.has(code);
}

type PacedCounts = Omit<PacedResult, 'durationS' | 'lagP50Ms' | 'lagP99Ms' | 'lagMaxMs'>;

/** The result of a run once every request finished; `lags` holds one start lag per request (sorted in place). */
function pacedResult(lags: Float64Array, durationMs: number, counts: PacedCounts): PacedResult {
  const total = lags.length;
  const sorted = lags.sort();
  const pct = (p: number): number => sorted[Math.min(total - 1, Math.ceil(p * total) - 1)] ?? NaN;
  return {
    durationS: durationMs / 1000,
    ...counts,
    lagP50Ms: pct(0.5),
    lagP99Ms: pct(0.99),
    lagMaxMs: sorted[total - 1] ?? NaN,
  };
}

/** One request to the end of its body: its status and body timing (rejects on a connection error or timeout). */
async function exchange(pool: Pool, req: Dispatcher.RequestOptions, timeFirst: boolean): Promise<{ status: number; first: number; end: number }> {
  const res = await pool.request(req);
  return { status: res.statusCode, ...(await readBody(res.body, timeFirst)) };
}

/** Reads a body to its end: when it ended and, with `timeFirst`, when its first byte came (else NaN). */
async function readBody(body: Dispatcher.ResponseData['body'], timeFirst: boolean): Promise<{ first: number; end: number }> {
  if (!timeFirst) {
    await body.arrayBuffer();
    return { first: NaN, end: performance.now() };
  }
  let first = NaN;
  for await (const chunk of body as AsyncIterable<Buffer>) if (Number.isNaN(first) && chunk.length > 0) first = performance.now();
  const end = performance.now();
  return { first: Number.isNaN(first) ? end : first, end };
}

interface Tick {
  run: number;
  i: number;
}

export class PacedLoad {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly intervalMs: number;
  private readonly ticker: Worker;
  private runs = 0;

  constructor(private readonly opts: PacedOptions) {
    const u = new URL(opts.url);
    this.path = `${u.pathname}${u.search}`;
    this.intervalMs = 1000 / opts.rate;
    this.pool = new Pool(u.origin, {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    this.ticker = new Worker(TICKER_SRC, { eval: true, execArgv: [] });
    this.ticker.unref();
  }

  /** Run for durationS seconds; resolves once every started request has finished. Reuse one
   *  instance for warm-up and measurement so the measured run starts on open connections. */
  run(durationS: number): Promise<PacedResult> {
    const { method, headers, body } = this.opts;
    const { pool, path, ticker } = this;
    const interval = this.intervalMs;
    const total = Math.max(1, Math.round(durationS * this.opts.rate));
    const run = ++this.runs;
    const latencies: number[] = [];
    const ttfbs: number[] = [];
    const lags = new Float64Array(total);
    let errors = 0;
    let timeouts = 0;
    let non2xx = 0;
    let late = 0;
    let started = 0;
    let finished = 0;
    let lastEnd = 0;

    return new Promise<PacedResult>((resolve, reject) => {
      const fail = (err: unknown): void => {
        errors++;
        if (isTimeout(err)) timeouts++;
      };
      const finish = (): void => {
        finished++;
        lastEnd = performance.now();
        if (started < total || finished < started) return;
        resolve(pacedResult(lags, lastEnd - t0, { sent: started, latenciesMs: latencies, ttfbMs: ttfbs, errors, timeouts, non2xx, late }));
      };
      const timeTtfb = this.opts.ttfb === true;
      const send = (scheduled: number): void => {
        exchange(pool, { path, method, headers, body }, timeTtfb).then(
          ({ status, first, end }) => {
            if (status < 200 || status >= 300) non2xx++;
            else {
              latencies.push(end - scheduled);
              if (timeTtfb) ttfbs.push(first - scheduled);
            }
            finish();
          },
          (err: unknown) => {
            fail(err);
            finish();
          },
        );
      };
      /** Start every request that is due by our clock or that the ticker reported due (upTo). */
      const startDue = (upTo: number): void => {
        const now = performance.now();
        while (started < total) {
          const scheduled = t0 + started * interval;
          if (scheduled > now && started > upTo) break;
          const lag = Math.max(0, now - scheduled);
          lags[started] = lag;
          if (lag > interval) late++;
          started++;
          send(scheduled);
        }
        if (started >= total) {
          ticker.off('message', onTick);
          ticker.off('error', onError);
          ticker.unref();
        }
      };
      const onTick = (m: Tick): void => {
        if (m.run === run) startDue(m.i);
      };
      const onError = (err: Error): void => {
        ticker.off('message', onTick);
        reject(new Error(`paced load ticker failed: ${err.message}`));
      };
      ticker.on('message', onTick);
      ticker.on('error', onError);
      ticker.ref();
      const t0 = performance.now();
      ticker.postMessage({ run, t0Hr: Number(process.hrtime.bigint()) / 1e6, interval, total });
      startDue(0);
    });
  }

  async close(): Promise<void> {
    await this.ticker.terminate();
    await this.pool.close();
  }
}
