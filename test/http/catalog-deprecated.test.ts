// A model whose retirement is announced (or reported done) stays servable while its provider answers it:
// the catalog marks it deprecated, GET /v1/models and the admin catalog say so, and calls are billed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startStack, type Stack } from '../helpers/stack.js';

describe('deprecated catalog models', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const get = (path: string) => fetch(`${stack.gw.url}${path}`, { headers: { authorization: `Bearer ${stack.key}` } });

  test('GET /v1/models shows the deprecation, with its date and replacement; a current model has none', async () => {
    const one = await get('/v1/models/gemini/gemini-2.0-flash');
    assert.equal(one.status, 200);
    assert.deepEqual((await one.json()).deprecated, { date: '2026-06-01', replacement: 'gemini-2.5-flash' });
    const list = (await (await get('/v1/models')).json()) as { data: Array<{ id: string; deprecated?: unknown }> };
    assert.deepEqual(list.data.find((m) => m.id === 'gemini/gemini-1.5-pro')?.deprecated, { date: '2025-09-24', replacement: 'gemini-2.5-pro' });
    assert.equal(list.data.find((m) => m.id === 'gemini/gemini-2.5-flash')!.deprecated, undefined);
  });

  test('the admin catalog shows it too', async () => {
    const res = await stack.gw.admin('GET', '/admin/models/openai/gpt-4o-2024-05-13');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.deprecated, { date: '2026-10-23', replacement: 'gpt-4o' });
    const all = await stack.gw.admin('GET', '/admin/models');
    assert.equal(all.body.data.find((m: { id: string }) => m.id === 'openai/gpt-4o').deprecated, null);
  });

  test('a deprecated model is still served and billed', async () => {
    const res = await fetch(`${stack.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hello' }] }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    await res.json();
    await stack.gw.app.flush();
    const row = (await stack.gw.app.store.db.kysely.selectFrom('requests').selectAll().orderBy('created_at', 'desc').limit(1).execute())[0]!;
    assert.equal(row.model, 'gemini-2.0-flash');
    assert.ok((row.cost_micro ?? 0) > 0, `charged ${String(row.cost_micro)}`);
  });
});

describe('deprecation set by the admin', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  test('PUT marks a model deprecated and clears it; a bad date or a replacement alone is refused naming the field', async () => {
    const put = (body: unknown) => stack.gw.admin('PUT', '/admin/models/openai/gpt-4o', body);
    const marked = await put({ deprecated: '2027-01-15', replacement: 'gpt-5.4' });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.deepEqual(marked.body.deprecated, { date: '2027-01-15', replacement: 'gpt-5.4' });
    const listed = await fetch(`${stack.gw.url}/v1/models/openai/gpt-4o`, { headers: { authorization: `Bearer ${stack.key}` } });
    assert.deepEqual((await listed.json()).deprecated, { date: '2027-01-15', replacement: 'gpt-5.4' });
    const bad = await put({ deprecated: 'soon' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /deprecated/);
    const cleared = await put({ deprecated: false, replacement: null });
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
    assert.equal(cleared.body.deprecated, null);
    const alone = await put({ replacement: 'gpt-5.4' });
    assert.equal(alone.status, 400);
    assert.match(JSON.stringify(alone.body), /replacement/);
  });
});
