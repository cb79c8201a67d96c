import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChargeJournal, readJournal, type JournalAdmission } from '../../src/store/charge-journal.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const admission = (id: string): JournalAdmission => ({
  requestId: id,
  userId: 'usr_1',
  keyId: 'key_1',
  amountMicro: 5000,
  row: {
    id, user_id: 'usr_1', key_id: 'key_1', surface: 'openai', provider: 'openai', model: 'gpt-4o-mini', method: 'POST',
    path: '/v1/chat/completions', status: 0, latency_ms: 0, error: 'in_flight', upstream_request_id: null, stream: 1,
    created_at: 1_000, input_tokens: 42, usage_source: 'estimated',
  },
});
const settlement = (id: string) => ({
  requestId: id, userId: 'usr_1', keyId: 'key_1', costMicro: 1234, charge: 1200, costUsd: '0.0000123', usdNano: 12300,
  usdRubRate: '100', period: '2026-12', ledgerId: `led_${id}`, now: 2_000, note: 'capped',
  request: { ...admission(id).row, status: 200, error: null, latency_ms: 9, output_tokens: 7, usage_source: 'reported', cost_micro: 1234 },
});

describe('charge journal', () => {
  it('replays settlements, and gives the admissions no settlement followed as the interrupted calls', async () => {
    const file = join(dir, `j${++n}`);
    const journal = new ChargeJournal(file);
    await Promise.all([journal.admitted(admission('req_a')), journal.admitted(admission('req_b'))]);
    await journal.settled(settlement('req_a'));
    journal.close();
    const { settlements, unsettled } = readJournal(file);
    assert.deepEqual(unsettled.map((a) => a.requestId), ['req_b']);
    assert.equal(unsettled[0]!.row.input_tokens, 42, 'the estimate an interrupted call is charged by');
    assert.equal(unsettled[0]!.row.error, 'in_flight');
    assert.equal(settlements.length, 1);
    assert.deepEqual({ ...settlements[0]!, request: undefined }, { ...settlement('req_a'), request: undefined });
    assert.equal(settlements[0]!.request!.output_tokens, 7);
    assert.equal(settlements[0]!.request!.reported_usage, null);
  });

  it('writes the lines of one turn of the event loop together, and resolves only once they are in the file', async () => {
    const file = join(dir, `j${++n}`);
    const journal = new ChargeJournal(file);
    const written = [journal.admitted(admission('req_1')), journal.admitted(admission('req_2'))];
    assert.equal(readFileSync(file, 'utf8'), '', 'nothing written within the turn');
    await Promise.all(written);
    assert.equal(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 2);
    journal.close();
  });

  it('ignores a torn last line (a power loss mid-write)', () => {
    const file = join(dir, `j${++n}`);
    appendFileSync(file, JSON.stringify(['a', 'req_x', 'usr_1', 'key_1', 5, 'openai', 'openai', 'm', 'POST', '/v1/x', 0, 1, 3]) + '\n["s","req_x","usr');
    const { settlements, unsettled } = readJournal(file);
    assert.equal(settlements.length, 0);
    assert.deepEqual(unsettled.map((a) => a.requestId), ['req_x']);
  });

  it('compacts to the calls still in flight: settled ones are gone, appends go on after', async () => {
    const file = join(dir, `j${++n}`);
    const journal = new ChargeJournal(file);
    await journal.admitted(admission('req_done'));
    await journal.settled(settlement('req_done'));
    journal.compact([admission('req_live')]);
    await journal.settled(settlement('req_later'));
    journal.close();
    const { settlements, unsettled } = readJournal(file);
    assert.deepEqual(unsettled.map((a) => a.requestId), ['req_live']);
    assert.deepEqual(settlements.map((s) => s.requestId), ['req_later']);
  });
});
