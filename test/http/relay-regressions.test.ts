import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { sqliteDatabase } from '../helpers/databases.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { chatCompletion, startScriptedUpstream, type ScriptedRequest, type ScriptedUpstream } from '../helpers/scripted-upstream.js';
import type { Principal } from '../../src/services/auth/authenticator.js';
import type { CallLimits } from '../../src/services/relay/call-limits.js';
import type { ClientSink } from '../../src/services/relay/client-sink.js';
import { Relay, type RelayDeps } from '../../src/services/relay/relay.js';
import { UpstreamClient, type UpstreamHandler, type UpstreamRequest } from '../../src/upstream/client.js';

/**
 * Bugs the review of the relay pipeline found (B1, B2, D1, D2, D3), each pinned by a test that fails
 * without its fix, and one behaviour of bridged streams kept as it is.
 */
const LIMIT = { timeout: 5_000 };
const chatBody = (model: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });
const sseChunk = (content: string | null, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;

/** The app's upstream client, counting the requests sent and telling when an answer's head reached the relay. */
class WatchedUpstream extends UpstreamClient {
  dispatched = 0;
  private readonly heads: number[] = [];
  private readonly waiting: Array<(status: number) => void> = [];

  override dispatch(req: UpstreamRequest, handler: UpstreamHandler): void {
    this.dispatched++;
    super.dispatch(req, {
      onStart: (abort) => handler.onStart(abort),
      onResponse: (status, headers, flow) => {
        handler.onResponse(status, headers, flow);
        this.heads.push(status);
        for (const wake of this.waiting.splice(0)) wake(status);
      },
      onData: (chunk) => handler.onData(chunk),
      onEnd: () => handler.onEnd(),
      onError: (err) => handler.onError(err),
    });
  }

  /** Resolves with the status of the first answer head the relay was handed. */
  head(): Promise<number> {
    const seen = this.heads[0];
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** A client that never reads: `gone()` says it went away (to every listener, as the HTTP sink does). */
function testSink(options: { goneAlready?: boolean } = {}): ClientSink & { started: number[]; gone(): void } {
  const listeners: Array<() => void> = [];
  const started: number[] = [];
  return {
    started,
    start: (status) => void started.push(status),
    write: () => true,
    end: () => undefined,
    destroy: () => undefined,
    onDrain: () => undefined,
    onAbort: (listener) => (options.goneAlready ? listener() : void listeners.push(listener)),
    gone: () => listeners.splice(0).forEach((listener) => listener()),
  };
}

describe('relay regressions', () => {
  let upstream: ScriptedUpstream;
  let gw: TestGateway;
  const answer = (handler: (req: ScriptedRequest, res: ServerResponse) => void) => upstream.answer(handler);
  const answerChat = () =>
    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(chatCompletion('gpt-4o', { prompt_tokens: 5, completion_tokens: 2 }));
    });

  /** A relay built from the app's own parts (its private deps), some of them replaced. */
  const relayWith = (parts: Partial<RelayDeps>) => new Relay({ ...(gw.app.services.relay as unknown as { deps: RelayDeps }).deps, ...parts });
  const principal = async (options: { credit?: string } = {}) => {
    const { key, keyId } = await gw.newKey(options);
    return { keyId, principal: await gw.app.services.auth.authenticate(key) };
  };
  const forwardChat = (relay: Relay, who: Principal, model: string, sink: ClientSink) => {
    const body = Buffer.from(chatBody(model));
    const call = { method: 'POST', path: '/v1/chat/completions', query: '', clientHeaders: { 'content-type': 'application/json' }, headers: {}, body, contentLength: body.length };
    return relay.forward({ provider: gw.app.services.providers.get('openai')!, surface: 'openai', principal: who, startedAt: Date.now(), call, fields: { model }, options: {} }, sink);
  };
  const rowsOf = async (keyId: string) => {
    await gw.app.flush();
    return gw.app.store.db.kysely.selectFrom('requests').selectAll().where('key_id', '=', keyId).execute();
  };
  const post = (path: string, key: string, body: string) =>
    fetch(`${gw.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });

  before(async () => {
    upstream = await startScriptedUpstream((_req, res) => res.end());
    gw = await startGateway({
      OPENAI_API_KEY: 'sk-regress-openai-0001',
      OPENAI_BASE_URL: upstream.url,
      GEMINI_API_KEY: 'AIza-regress-gemini-0002',
      GEMINI_BASE_URL: upstream.url,
      FAILOVER_TIMEOUT_MS: '100',
    });
  });
  after(async () => {
    gw.app.http.server.closeAllConnections();
    await gw.close();
    await upstream.close();
  });

  test('B1: the rate-limit slot is given back once on every path: success, 402 from admission, unknown model', LIMIT, async () => {
    answerChat();
    let taken = 0;
    const released: number[] = [];
    const limits: CallLimits = {
      acquire: () => {
        const slot = ++taken;
        return { used: () => undefined, release: () => void released.push(slot) };
      },
    };
    const relay = relayWith({ limits });
    const rich = await principal();
    await forwardChat(relay, rich.principal, 'gpt-4o', testSink());
    assert.deepEqual(released, [1], 'the slot of a call that succeeded is released');

    const poor = await principal({ credit: '0' });
    await assert.rejects(forwardChat(relay, poor.principal, 'gpt-4o', testSink()), { code: 'TG_ERR_INSUFFICIENT_BALANCE' });
    assert.deepEqual(released, [1, 2], 'the slot of a call refused with a 402 is released');

    await assert.rejects(forwardChat(relay, rich.principal, 'gpt-no-such-model', testSink()), { code: 'TG_ERR_MODEL_NOT_FOUND' });
    assert.deepEqual(released, [1, 2, 3], 'the slot of a call for an unknown model is released');
    assert.equal(taken, 3, 'one slot per call');
  });

  test('D1: a client gone while an upstream error body is arriving: 499 with the upstream request id, the upstream request cancelled', LIMIT, async () => {
    let cancelled!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => (cancelled = resolve));
    answer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'x-request-id': 'req_upstream_err_1' });
      res.write('{"error":{"message":"partial');
      res.on('close', () => cancelled());
    });
    const watched = new WatchedUpstream(gw.app.config.upstream);
    try {
      const { keyId, principal: who } = await principal();
      const sink = testSink();
      const relayed = forwardChat(relayWith({ upstream: watched }), who, 'gpt-4o', sink);
      assert.equal(await watched.head(), 500, 'the error answer\'s head reached the relay');
      sink.gone();
      await relayed;
      await upstreamClosed;
      const rows = await rowsOf(keyId);
      assert.deepEqual(
        rows.map((r) => [r.status, r.error, r.upstream_request_id]),
        [[499, 'client_aborted', 'req_upstream_err_1']],
        'the history row keeps the id of the error answer the provider had started',
      );
      assert.deepEqual(sink.started, [], 'nothing was sent to the client');
    } finally {
      await watched.close();
    }
  });

  test('D2: a client gone before the exchange starts: nothing is sent upstream, 499 recorded', LIMIT, async () => {
    answerChat();
    const watched = new WatchedUpstream(gw.app.config.upstream);
    try {
      const { keyId, principal: who } = await principal();
      const sink = testSink({ goneAlready: true });
      await forwardChat(relayWith({ upstream: watched }), who, 'gpt-4o', sink);
      assert.equal(watched.dispatched, 0, 'no request was sent to the provider for a client that had gone');
      const rows = await rowsOf(keyId);
      assert.deepEqual(rows.map((r) => [r.status, r.error, r.cost_micro ?? 0]), [[499, 'client_aborted', 0]], 'recorded as a free 499');
      assert.deepEqual(sink.started, [], 'nothing was sent to the client');
    } finally {
      await watched.close();
    }
  });

  test('D3: /v1/embeddings with "stream": true and a backup waits for a slow whole answer past FAILOVER_TIMEOUT_MS', LIMIT, async () => {
    const put = await gw.admin('PUT', '/admin/models/openai/text-embedding-3-small', { fallbacks: ['gemini/gemini-embedding-001'] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const urls: string[] = [];
    answer((req, res) => {
      urls.push(req.url);
      const send = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url.startsWith('/v1beta/')) return send({ embedding: { values: [0.5] } });
      setTimeout(() => send({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } }), 300);
    });
    const { key } = await gw.newKey();
    const res = await post('/v1/embeddings', key, JSON.stringify({ model: 'openai/text-embedding-3-small', input: 'hi', stream: true }));
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body.data?.[0]?.embedding, [0.1], 'served by the slow but healthy provider, not its backup');
    assert.deepEqual(urls, ['/v1/embeddings'], 'the backup was never called');
  });

  test('a bridged stream the provider sends as text/plain is streamed as it comes, not held whole', LIMIT, async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let isReleased = false;
    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.write(sseChunk('hel'));
      const usage = `data: ${JSON.stringify({ id: 'chatcmpl-x', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`;
      void released.then(() => res.end(sseChunk('lo') + sseChunk(null, 'stop') + usage + 'data: [DONE]\n\n'));
    });
    // Held whole, the first event would never come: the rest is sent after a while so that the test fails instead of hanging.
    const fallback = setTimeout(() => ((isReleased = true), release()), 2_000);
    try {
      const { key } = await gw.newKey();
      const res = await post('/v1/completions', key, JSON.stringify({ model: 'gpt-4o', prompt: 'say hello', stream: true }));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(res.headers.get('content-length'), null, 'not held whole and sent with its length');
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('"text":"hel"')) {
        const { done, value } = await reader.read();
        assert.ok(!done, `the stream ended before its first event: ${text}`);
        text += Buffer.from(value).toString();
      }
      assert.ok(!isReleased, 'the first event reached the client while the provider was still sending');
      isReleased = true;
      release();
      for (let next = await reader.read(); !next.done; next = await reader.read()) text += Buffer.from(next.value).toString();
      assert.match(text, /"text":"lo"/);
      assert.match(text, /data: \[DONE\]/);
    } finally {
      clearTimeout(fallback);
      release();
    }
  });
});

test('B2: a stream the drain cut is recorded and settled as a 499 before the app closes', LIMIT, async () => {
  const upstream = await startScriptedUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(sseChunk('one two three four five'));
  });
  const database = sqliteDatabase();
  const gw = await startGateway({ OPENAI_API_KEY: 'sk-regress-drain-0001', OPENAI_BASE_URL: upstream.url }, database);
  let drained: Promise<void> | undefined;
  try {
    const { key, keyId, userId } = await gw.newKey();
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: chatBody('gpt-4o', { stream: true }),
    });
    assert.equal(res.status, 200);
    await res.body!.getReader().read(); // the stream is under way

    // As main.ts does when the drain times out: every connection is cut, and the app closes right after.
    drained = gw.app.http.close();
    gw.app.http.server.closeAllConnections();
    await drained;
    await gw.app.close();

    const file = new SQLite(database.url.slice('sqlite:'.length), { readonly: true });
    try {
      const rows = file.prepare('select id, status, error, stream, output_tokens, cost_micro from requests where key_id = ?').all(keyId) as Array<Record<string, any>>;
      assert.equal(rows.length, 1, 'the cut stream has its history row');
      const row = rows[0]!;
      assert.deepEqual([row.status, row.error, row.stream], [499, 'client_aborted', 1]);
      assert.ok(row.output_tokens > 0, 'the tokens delivered before the cut are counted');
      assert.ok(row.cost_micro > 0, 'and priced');
      const charges = file.prepare(`select amount_micro from ledger_entries where kind = 'charge' and request_id = ?`).all(row.id) as Array<{ amount_micro: number }>;
      assert.deepEqual(charges, [{ amount_micro: -row.cost_micro }], 'the ledger has the charge the row shows');
      const { n } = file.prepare('select count(*) as n from holds').get() as { n: number };
      assert.equal(n, 0, 'no hold survives the shutdown');
      const { balance_micro } = file.prepare('select balance_micro from users where id = ?').get(userId) as { balance_micro: number };
      assert.equal(balance_micro, 1_000_000_000 - row.cost_micro, 'the balance paid for what was delivered');
    } finally {
      file.close();
    }
  } finally {
    if (!drained) {
      const closing = gw.app.http.close();
      gw.app.http.server.closeAllConnections();
      await closing;
    }
    await gw.app.close();
    await upstream.close();
    await database.drop();
  }
});
