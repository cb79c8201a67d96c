// Mock OpenAI-compatible upstream for `npm run bench`.
// Self-contained on purpose (only node: imports): bench/processes.ts transpiles it to
// plain JS and runs it without the tsx loader. Listens on 127.0.0.1, port from PORT
// (default 0 = free port) and reports the port via IPC ({type:'listening',port}) or stdout.
import http from 'node:http';

const TOKENS = Array.from({ length: 20 }, (_, i) => `tok${i} `);
const CONTENT = TOKENS.join('');
const USAGE = {
  prompt_tokens: 12,
  completion_tokens: TOKENS.length,
  total_tokens: 12 + TOKENS.length,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
};

let seq = 0;

interface ChatRequest {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
}

function completion(model: string): string {
  return JSON.stringify({
    id: `chatcmpl-bench-${++seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'fp_bench',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: CONTENT, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: USAGE,
  });
}

// Per (model, include_usage): the JSON of each chunk after its "created" field, built once so the
// mock spends little CPU per request; id and created are spliced in per response.
const streamTails = new Map<string, string[]>();

function tailsFor(model: string, includeUsage: boolean): string[] {
  const cacheKey = `${includeUsage ? 1 : 0}${model}`;
  let tails = streamTails.get(cacheKey);
  if (!tails) {
    const extra = includeUsage ? { usage: null } : {};
    const tail = (obj: object): string => `${JSON.stringify({ model, system_fingerprint: 'fp_bench', ...obj }).slice(1)}\n\n`;
    const delta = (d: object, finish: string | null): string =>
      tail({ choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }], ...extra });
    tails = [
      delta({ role: 'assistant', content: '', refusal: null }, null),
      ...TOKENS.map((t) => delta({ content: t }, null)),
      delta({}, 'stop'),
      ...(includeUsage ? [tail({ choices: [], usage: USAGE })] : []),
    ];
    if (streamTails.size < 100) streamTails.set(cacheKey, tails);
  }
  return tails;
}

function writeStream(res: http.ServerResponse, model: string, includeUsage: boolean): void {
  const id = `chatcmpl-bench-${++seq}`;
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},`;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': id,
  });
  for (const tail of tailsFor(model, includeUsage)) res.write(head + tail); // one write per SSE event
  res.end('data: [DONE]\n\n');
}

function sendJson(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  if (req.method === 'GET' && (path === '/health' || path.endsWith('/models'))) {
    sendJson(res, 200, JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'bench' }] }));
    return;
  }
  if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
    sendJson(res, 404, JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: ChatRequest;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
    } catch {
      sendJson(res, 400, JSON.stringify({ error: { message: 'invalid JSON body', type: 'invalid_request_error' } }));
      return;
    }
    const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
    if (body.stream === true) writeStream(res, model, body.stream_options?.include_usage === true);
    else sendJson(res, 200, completion(model));
  });
});

server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  if (process.send) process.send({ type: 'listening', port });
  else console.log(`mock-upstream listening on http://127.0.0.1:${port}`);
});
// Exit with the orchestrator even if it dies without killing us.
process.on('disconnect', () => process.exit(0));
