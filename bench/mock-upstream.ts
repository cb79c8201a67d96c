// Mock upstream for `npm run bench`: OpenAI-compatible `POST …/chat/completions` (JSON and SSE), Anthropic
// Messages `POST /v1/messages` and Gemini `POST /v1beta/models/{model}:generateContent` (JSON only; the
// targets of the unified API's translation runs). A chat stream asked with an `x-bench-hold` header sends
// its first event and is then held open until the client goes (the idle-streams scenario); `GET
// /bench/held` tells how many are held.
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

// Anthropic Messages usage as the API reports it (input_tokens excludes cache reads/writes).
const ANTHROPIC_USAGE = {
  input_tokens: 12,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  output_tokens: TOKENS.length,
  service_tier: 'standard',
};

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

interface MessagesRequest {
  model?: unknown;
  max_tokens?: unknown;
  messages?: unknown;
  stream?: unknown;
}

function message(model: string): string {
  return JSON.stringify({
    id: `msg_bench${(++seq).toString(36).padStart(8, '0')}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: CONTENT }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: ANTHROPIC_USAGE,
  });
}

// Gemini usage as generateContent reports it.
const GEMINI_USAGE = { promptTokenCount: 12, candidatesTokenCount: TOKENS.length, totalTokenCount: 12 + TOKENS.length };

function geminiResponse(model: string): string {
  return JSON.stringify({
    candidates: [{ content: { role: 'model', parts: [{ text: CONTENT }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: GEMINI_USAGE,
    modelVersion: model,
    responseId: `gm-bench-${++seq}`,
  });
}

function geminiError(res: http.ServerResponse, status: number, state: string, text: string): void {
  sendJson(res, status, JSON.stringify({ error: { code: status, message: text, status: state } }));
}

/** Checks what the real API insists on (a key, contents), like answerMessages. */
function answerGenerateContent(req: http.IncomingMessage, res: http.ServerResponse, model: string, raw: Buffer): void {
  if (typeof req.headers['x-goog-api-key'] !== 'string' || req.headers['x-goog-api-key'] === '') {
    geminiError(res, 403, 'PERMISSION_DENIED', 'x-goog-api-key header is required');
    return;
  }
  let body: { contents?: unknown };
  try {
    body = JSON.parse(raw.toString('utf8')) as { contents?: unknown };
  } catch {
    geminiError(res, 400, 'INVALID_ARGUMENT', 'invalid JSON body');
    return;
  }
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    geminiError(res, 400, 'INVALID_ARGUMENT', 'contents is required');
    return;
  }
  sendJson(res, 200, geminiResponse(model));
}

function anthropicError(res: http.ServerResponse, status: number, type: string, text: string): void {
  sendJson(res, status, JSON.stringify({ type: 'error', error: { type, message: text } }));
}

/** Checks what the real API insists on, so a broken translation fails the bench's smoke test instead of being timed. */
function answerMessages(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
  if (typeof req.headers['x-api-key'] !== 'string' || req.headers['x-api-key'] === '') {
    anthropicError(res, 401, 'authentication_error', 'x-api-key header is required');
    return;
  }
  if (typeof req.headers['anthropic-version'] !== 'string') {
    anthropicError(res, 400, 'invalid_request_error', 'anthropic-version header is required');
    return;
  }
  let body: MessagesRequest;
  try {
    body = JSON.parse(raw.toString('utf8')) as MessagesRequest;
  } catch {
    anthropicError(res, 400, 'invalid_request_error', 'invalid JSON body');
    return;
  }
  if (typeof body.model !== 'string' || typeof body.max_tokens !== 'number' || !Array.isArray(body.messages) || body.messages.length === 0) {
    anthropicError(res, 400, 'invalid_request_error', 'model, max_tokens and messages are required');
    return;
  }
  if (body.stream === true) {
    anthropicError(res, 400, 'invalid_request_error', 'the bench mock does not stream Messages');
    return;
  }
  sendJson(res, 200, message(body.model));
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

/** Streams held open after their first event (`x-bench-hold`), until their client goes. */
const held = new Set<http.ServerResponse>();

function writeStream(res: http.ServerResponse, model: string, includeUsage: boolean, hold: boolean): void {
  const id = `chatcmpl-bench-${++seq}`;
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},`;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': id,
  });
  const tails = tailsFor(model, includeUsage);
  if (hold) {
    res.write(head + tails[0]);
    held.add(res);
    res.once('close', () => held.delete(res));
    return;
  }
  for (const tail of tails) res.write(head + tail); // one write per SSE event
  res.end('data: [DONE]\n\n');
}

function sendJson(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const GENERATE_CONTENT = /^\/v1beta\/models\/([^/:]+):generateContent$/;

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  if (req.method === 'GET' && (path === '/health' || path.endsWith('/models'))) {
    sendJson(res, 200, JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'bench' }] }));
    return;
  }
  if (req.method === 'GET' && path === '/bench/held') {
    sendJson(res, 200, JSON.stringify({ held: held.size }));
    return;
  }
  const messages = req.method === 'POST' && path === '/v1/messages';
  const gemini = req.method === 'POST' ? GENERATE_CONTENT.exec(path) : null;
  if (!messages && !gemini && (req.method !== 'POST' || !path.endsWith('/chat/completions'))) {
    sendJson(res, 404, JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (messages) {
      answerMessages(req, res, Buffer.concat(chunks));
      return;
    }
    if (gemini) {
      answerGenerateContent(req, res, decodeURIComponent(gemini[1] ?? ''), Buffer.concat(chunks));
      return;
    }
    let body: ChatRequest;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
    } catch {
      sendJson(res, 400, JSON.stringify({ error: { message: 'invalid JSON body', type: 'invalid_request_error' } }));
      return;
    }
    const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
    if (body.stream === true) writeStream(res, model, body.stream_options?.include_usage === true, req.headers['x-bench-hold'] !== undefined);
    else sendJson(res, 200, completion(model));
  });
});

server.keepAliveTimeout = 72_000;
// A deep accept queue: the idle-streams scenario has the gateway open thousands of connections at once.
server.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', backlog: 4096 }, () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  if (process.send) process.send({ type: 'listening', port });
  else console.log(`mock-upstream listening on http://127.0.0.1:${port}`);
});
// Exit with the orchestrator even if it dies without killing us.
process.on('disconnect', () => process.exit(0));
