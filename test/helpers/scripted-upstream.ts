import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ScriptedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  json(): any;
}

export interface ScriptedUpstream {
  url: string;
  requests: ScriptedRequest[];
  /** Replaces how the next requests are answered. */
  answer(handler: (req: ScriptedRequest, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

/** An upstream whose every answer the test writes by hand: for faults the provider mocks do not model. */
export async function startScriptedUpstream(handler: (req: ScriptedRequest, res: ServerResponse) => void): Promise<ScriptedUpstream> {
  let current = handler;
  const requests: ScriptedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded: ScriptedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, json: () => JSON.parse(body.toString('utf8')) };
      requests.push(recorded);
      current(recorded, res);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A chat completion as OpenAI answers it, with the usage the test wants reported. */
export function chatCompletion(model: string, usage: { prompt_tokens: number; completion_tokens: number }, content = 'ok'): string {
  return JSON.stringify({
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  });
}
