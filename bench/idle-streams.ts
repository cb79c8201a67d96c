// Scenario (h): many concurrent streams opened through the gateway and held idle. Each stream is one raw
// TCP connection writing one chat-stream request with `x-bench-hold`, so the mock upstream sends the
// first event and then holds the stream; a stream is open once its 200 head and first event arrived.
// While they are held, GET /health is probed at a fixed interval: its latency is the gateway's event-loop
// lag plus one cheap request (the gateway is another process, so its loop cannot be timed directly).
// Everything is on 127.0.0.1 and bounded in time: the open phase ends at its deadline, whatever opened.
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { latencyStats } from './report.js';

export interface IdleOptions {
  host: string;
  port: number;
  path: string;
  auth: string;
  body: string;
  streams: number;
  openMs: number;
  holdMs: number;
  probeIntervalMs: number;
  /** at most this many connects under way at once (the gateway's accept queue is 511 deep) */
  maxConnecting: number;
  /** tollgate's RSS and open fds now */
  sampleTarget(): { rssMiB: number | null; fds: number | null };
  /** how many streams the mock upstream holds */
  heldUpstream(): Promise<number | null>;
}

export interface IdleRun {
  /** answered 200 and delivered the stream's first event */
  opened: number;
  /** answered with another status (a 503 past MAX_CONNECTIONS, a 402, …) */
  refused: number;
  /** connection errors, or closed before the first event */
  failed: number;
  /** not open when the open phase ended (started and still without a first event, or never started) */
  waiting: number;
  /** opened streams that the gateway closed while they were held */
  dropped: number;
  openMs: number;
  heldUpstream: number | null;
  rssAllOpenMiB: number | null;
  fdsAllOpen: number | null;
  probe: { intervalMs: number; sent: number; failed: number; p50: number; p99: number; max: number };
  generatorLagP99Ms: number;
}

interface Tally {
  connecting: number;
  opened: number;
  refused: number;
  failed: number;
  dropped: number;
  closing: boolean;
}

/** monitorEventLoopDelay's samples include its timer's interval, which is taken off again. */
const LAG_RESOLUTION_MS = 1;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function request(o: IdleOptions): Buffer {
  const body = Buffer.from(o.body);
  const head = [
    `POST ${o.path} HTTP/1.1`,
    `host: ${o.host}:${o.port}`,
    'content-type: application/json',
    `authorization: ${o.auth}`,
    'x-bench-hold: 1',
    `content-length: ${body.length}`,
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** One held stream: counted opened (200 + first event), refused (another status) or failed (closed first). */
function openStream(o: IdleOptions, req: Buffer, t: Tally): Socket {
  const socket = connect({ host: o.host, port: o.port });
  let seen = '';
  let decided = false;
  let opened = false;
  let connecting = true;
  t.connecting++;
  const connected = (): void => {
    if (connecting) t.connecting--;
    connecting = false;
  };
  socket.setNoDelay(true);
  socket.once('connect', () => {
    connected();
    socket.write(req);
  });
  socket.on('data', (chunk: Buffer) => {
    if (decided) return;
    seen += chunk.toString('latin1');
    const headEnd = seen.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    decided = !seen.startsWith('HTTP/1.1 200') || seen.includes('data:', headEnd);
    if (!decided) return;
    opened = seen.startsWith('HTTP/1.1 200');
    if (opened) t.opened++;
    else {
      t.refused++;
      socket.destroy();
    }
    seen = '';
  });
  socket.on('error', () => undefined);
  socket.once('close', () => {
    connected();
    if (!decided) t.failed++;
    else if (opened && !t.closing) t.dropped++;
  });
  return socket;
}

async function openAll(o: IdleOptions, t: Tally, sockets: Socket[]): Promise<number> {
  const req = request(o);
  const t0 = performance.now();
  const deadline = t0 + o.openMs;
  const done = (): number => t.opened + t.refused + t.failed;
  for (let i = 0; i < o.streams && performance.now() < deadline; i++) {
    while (t.connecting >= o.maxConnecting && performance.now() < deadline) await sleep(1);
    sockets.push(openStream(o, req, t));
  }
  while (done() < o.streams && performance.now() < deadline) await sleep(20);
  return performance.now() - t0;
}

/**
 * GET /health every intervalMs (one at a time; a slow probe delays the next) over one keep-alive
 * connection opened before the streams, so it still works once they take every file the gateway may
 * open. Probing runs from before the streams open; only the probes after `hold()` count.
 */
function startProbing(o: IdleOptions) {
  const url = new URL('/health', `http://${o.host}:${o.port}`);
  const pool = new Pool(url.origin, { connections: 1, headersTimeout: 10_000, bodyTimeout: 10_000, keepAliveTimeout: 60_000 });
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  let samples: number[] = [];
  let failed = 0;
  let stopped = false;
  const once = async () => {
    const start = performance.now();
    try {
      const res = await pool.request({ path: url.pathname, method: 'GET' });
      await res.body.arrayBuffer();
      if (res.statusCode === 200) samples.push(performance.now() - start);
      else failed++;
    } catch {
      failed++;
    }
  };
  const loop = (async () => {
    for (let next = performance.now(); !stopped; next += o.probeIntervalMs) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      if (!stopped) await once();
    }
  })();
  return {
    /** The first probe, which opens the connection. */
    ready: once(),
    /** From now on the probes count. */
    hold(): void {
      samples = [];
      failed = 0;
      lag.enable();
    },
    async stop(): Promise<IdleRun['probe'] & { lagP99Ms: number }> {
      stopped = true;
      await loop;
      lag.disable();
      await pool.close();
      const s = latencyStats(samples);
      return { intervalMs: o.probeIntervalMs, sent: samples.length + failed, failed, p50: s.p50, p99: s.p99, max: s.max, lagP99Ms: Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS) };
    },
  };
}

export async function runIdleStreams(o: IdleOptions): Promise<IdleRun> {
  const t: Tally = { connecting: 0, opened: 0, refused: 0, failed: 0, dropped: 0, closing: false };
  const sockets: Socket[] = [];
  try {
    const prober = startProbing(o);
    await prober.ready;
    const openMs = await openAll(o, t, sockets);
    const target = o.sampleTarget();
    const heldUpstream = await o.heldUpstream();
    prober.hold();
    await sleep(o.holdMs);
    const { lagP99Ms, ...probes } = await prober.stop();
    return {
      opened: t.opened,
      refused: t.refused,
      failed: t.failed,
      waiting: o.streams - t.opened - t.refused - t.failed,
      dropped: t.dropped,
      openMs,
      heldUpstream,
      rssAllOpenMiB: target.rssMiB,
      fdsAllOpen: target.fds,
      probe: probes,
      generatorLagP99Ms: lagP99Ms,
    };
  } finally {
    t.closing = true;
    for (const s of sockets) s.destroy();
  }
}
