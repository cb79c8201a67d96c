// Bare pass-through proxy: "the Node limit" tollgate is compared with in `npm run bench`.
// node:http server + undici Pool (keep-alive) forwarding method, path, headers (minus
// hop-by-hop ones) and body to UPSTREAM_URL, piping status/headers/body back.
// Self-contained on purpose (only node: and undici imports): bench/processes.ts transpiles it
// to plain JS and runs it without the tsx loader, so its RSS is not inflated by tsx.
import http from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('bare-proxy: UPSTREAM_URL is required');

const pool = new Pool(upstream, { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });

// host/connection as asked; the others are hop-by-hop too, and undici rejects most of them.
const DROP_REQ = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);
const DROP_RES = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function filter<T extends IncomingHttpHeaders>(headers: T, drop: Set<string>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined && !drop.has(name)) out[name] = value;
  }
  return out;
}

const server = http.createServer((req, res) => {
  const method = (req.method ?? 'GET') as Dispatcher.HttpMethod;
  const hasBody = method !== 'GET' && method !== 'HEAD';
  pool
    .stream(
      {
        path: req.url ?? '/',
        method,
        headers: filter(req.headers, DROP_REQ) as Record<string, string | string[]>,
        body: hasBody ? req : null,
      },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, filter(headers, DROP_RES));
        return res;
      },
    )
    .catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = JSON.stringify({ error: { message: `bare-proxy upstream error: ${String(err)}`, type: 'bad_gateway' } });
      res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
});

server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  if (process.send) process.send({ type: 'listening', port });
  else console.log(`bare-proxy listening on http://127.0.0.1:${port} -> ${upstream}`);
});
// Exit with the orchestrator even if it dies without killing us.
process.on('disconnect', () => process.exit(0));
