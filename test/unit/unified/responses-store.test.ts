import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatewayError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/observability/log.js';
import type { Principal } from '../../../src/services/auth/authenticator.js';
import { ResponsesStore, type ResponsesStoreConfig } from '../../../src/services/unified/responses-store.js';
import { createStore, migrateToLatest, openDb, type Store } from '../../../src/store/index.js';

const principal = (keyId: string) => ({ keyId, userId: `usr_${keyId}`, allowBalance: true, budgetLimitMicro: null, monthlyLimitMicro: null, models: null, expiresAt: null }) as Principal;
const alice = principal('key_alice');
const bob = principal('key_bob');
const config: ResponsesStoreConfig = { retentionDays: 30, maxResponseBytes: 4000, perKey: { maxCount: 100, maxBytes: 1_000_000 }, pruneEveryMs: 3_600_000 };
const SIGNATURE = { google: { thought_signature: 'c2ln' } };

function response(id: string, suffix: string) {
  return {
    id,
    object: 'response',
    model: 'gemini/gemini-2.5-flash',
    output: [
      { type: 'message', id: `msg_${suffix}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
      { type: 'function_call', id: `fc_${suffix}_0`, call_id: 'call_1', name: 'weather', arguments: '{}', status: 'completed' },
    ],
  };
}

async function rejectsWith(promise: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof GatewayError && err.status === status && message.test(err.message));
}

describe('ResponsesStore', () => {
  let store: Store;
  let now = 1_767_225_600_000;
  let responses: ResponsesStore;
  before(async () => {
    const db = await openDb('sqlite::memory:', undefined);
    await migrateToLatest(db);
    store = createStore(db);
    responses = new ResponsesStore(store.responses, { now: () => now }, createLogger('silent'), config);
  });
  after(async () => {
    await responses.close();
    await store.db.close();
  });

  const keep = (who: Principal, request: Record<string, unknown>, answer: object, extras: Record<string, unknown> = {}) => {
    const observe = responses.observer(who, request, request);
    assert.ok(observe, 'a storing request has an observer');
    return observe({ answer, toolCallExtras: extras });
  };

  it('a kept response is found at once (before its write), by its key only', async () => {
    assert.deepEqual(keep(alice, { input: 'Weather?' }, response('resp_aaa', 'aaa'), { call_1: SIGNATURE }), []);
    assert.equal(((await responses.get(alice, 'resp_aaa')) as { id: string }).id, 'resp_aaa');
    await rejectsWith(responses.get(bob, 'resp_aaa'), 404, /Response with id 'resp_aaa' not found/);
    await responses.close(); // the write committed
    assert.equal(((await responses.get(alice, 'resp_aaa')) as { id: string }).id, 'resp_aaa');
    await rejectsWith(responses.get(bob, 'resp_aaa'), 404, /not found/);
  });

  it('previous_response_id expands to the stored input and output, the call with its signature', async () => {
    const expanded = await responses.expand(alice, { model: 'm', previous_response_id: 'resp_aaa', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'rain' }] });
    assert.equal(expanded['previous_response_id'], undefined);
    const items = expanded['input'] as Array<Record<string, unknown>>;
    assert.deepEqual(items.map((i) => i['type']), ['message', 'message', 'function_call', 'function_call_output']);
    assert.deepEqual(items[2]!['extra_content'], SIGNATURE);
    await rejectsWith(responses.expand(bob, { previous_response_id: 'resp_aaa', input: 'x' }), 400, /Previous response with id 'resp_aaa' not found/);
  });

  it('item_reference resolves an item of this key; a call sent inline gets the signature kept for its id', async () => {
    const expanded = await responses.expand(alice, {
      input: [{ role: 'user', content: 'Weather?' }, { type: 'item_reference', id: 'msg_aaa' }, { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{}' }],
    });
    const items = expanded['input'] as Array<Record<string, unknown>>;
    assert.equal(items[1]!['id'], 'msg_aaa');
    assert.deepEqual(items[2]!['extra_content'], SIGNATURE);
    await rejectsWith(responses.expand(bob, { input: [{ type: 'item_reference', id: 'msg_aaa' }] }), 400, /Item with id 'msg_aaa' not found/);
    await rejectsWith(responses.expand(alice, { input: [{ type: 'item_reference', id: 'msg_zzz' }] }), 400, /not found/);
  });

  it('custom and tool search calls are referenced by their ids and get the signature kept for their call id', async () => {
    const answer = {
      id: 'resp_ccc',
      object: 'response',
      output: [
        { type: 'custom_tool_call', id: 'ctc_ccc_0', call_id: 'call_p', name: 'apply_patch', input: 'x', status: 'completed' },
        { type: 'tool_search_call', id: 'tsc_ccc_1', call_id: 'call_s', execution: 'client', arguments: { query: 'q' }, status: 'completed' },
      ],
    };
    keep(alice, { input: 'Patch it.' }, answer, { call_p: SIGNATURE });
    const expanded = await responses.expand(alice, { input: [{ type: 'item_reference', id: 'ctc_ccc_0' }, { type: 'item_reference', id: 'tsc_ccc_1' }] });
    const items = expanded['input'] as Array<Record<string, unknown>>;
    assert.deepEqual(items.map((i) => [i['type'], i['extra_content']]), [['custom_tool_call', SIGNATURE], ['tool_search_call', undefined]]);
    const inline = await responses.expand(alice, { previous_response_id: 'resp_ccc', input: [{ type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: 'x' }] });
    assert.deepEqual((inline['input'] as Array<Record<string, unknown>>).at(-1)!['extra_content'], SIGNATURE);
  });

  it('input_items lists what the model saw, without side fields, newest first by default', async () => {
    const list = (await responses.inputItems(alice, 'resp_aaa', undefined)) as { data: Array<Record<string, unknown>>; has_more: boolean };
    assert.deepEqual(list.data, [{ type: 'message', role: 'user', content: 'Weather?' }]);
    assert.equal(list.has_more, false);
  });

  it('store: false and a too large response keep nothing; the latter says so', async () => {
    assert.equal(responses.observer(alice, { store: false, input: 'x' }, { input: 'x' }), undefined);
    const warnings = keep(alice, { input: 'x'.repeat(5000) }, response('resp_big', 'big'));
    assert.deepEqual(warnings.map((w) => w.code), ['not_stored']);
    await rejectsWith(responses.get(alice, 'resp_big'), 404, /not found/);
  });

  it('another key cannot delete; the owner deletes once; expired responses are gone', async () => {
    await rejectsWith(responses.delete(bob, 'resp_aaa'), 404, /not found/);
    assert.deepEqual(await responses.delete(alice, 'resp_aaa'), { id: 'resp_aaa', object: 'response.deleted', deleted: true });
    await rejectsWith(responses.delete(alice, 'resp_aaa'), 404, /not found/);
    keep(alice, { input: 'y' }, response('resp_old', 'old'));
    await responses.close();
    now += 31 * 86_400_000;
    await rejectsWith(responses.get(alice, 'resp_old'), 404, /not found/);
  });

  it('retention 0 keeps nothing', () => {
    const off = new ResponsesStore(store.responses, { now: () => now }, createLogger('silent'), { ...config, retentionDays: 0 });
    assert.equal(off.observer(alice, { input: 'x' }, { input: 'x' }), undefined);
  });
});
