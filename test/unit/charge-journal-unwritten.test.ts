import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { ChargeJournal, readJournal } from '../../src/store/charge-journal.js';
import { REQUEST_COLUMNS, requestValues } from '../../src/store/request-columns.js';
import { parseSettlementLine, settlementLine } from '../../src/store/settlement-line.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-unwritten-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const settlement = (id: string) => ({
  requestId: id, userId: 'usr_1', keyId: 'key_1', costMicro: 900, charge: 800, costUsd: '0.000009', usdNano: 9000, usdRubRate: '100',
  period: '2026-12', ledgerId: `led_${id}`, now: 2_000,
  request: {
    id, user_id: 'usr_1', key_id: 'key_1', surface: 'openai', provider: 'openai', model: 'gpt-4o-mini', method: 'POST', path: '/v1/chat/completions',
    status: 200, latency_ms: 9, error: null, stream: 0, created_at: 1_000, output_tokens: 7,
  },
});

it('a settlement line reads back as the settlement it encodes (what the writer thread receives)', () => {
  const s = settlement('req_line');
  const { values, ...back } = parseSettlementLine(settlementLine(s));
  const { request, ...sent } = s;
  assert.deepEqual(back, sent);
  assert.deepEqual(values, requestValues(request));
  assert.equal(values![REQUEST_COLUMNS.indexOf('output_tokens')], 7);
  assert.throws(() => parseSettlementLine('["a","req_x"]'), /not a settlement/);
});

it('compaction keeps the settlements not yet written to SQLite, so a crash after it still replays them', async () => {
  const file = join(dir, 'journal');
  const journal = new ChargeJournal(file);
  await journal.settled(settlement('req_written'));
  await journal.settledLine(settlementLine(settlement('req_queued')));
  journal.compact([], [settlementLine(settlement('req_queued'))]);
  journal.close();
  assert.deepEqual(readJournal(file).settlements.map((s) => s.requestId), ['req_queued']);
});
