import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startMockYooKassa, type MockYooKassa } from '../mocks/yookassa-mock.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { newSignedInUser, type DashboardSession } from '../helpers/dashboard.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { balanceOf, newOrder, yookassaEnv } from '../helpers/payments.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');
const RUB = 1_000_000;

function tollgate(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `tollgate payments list | reconcile | refund` on the file a running gateway uses. */
describe('tollgate payments commands', { concurrency: 1 }, () => {
  let database: TestDatabase;
  let mock: MockYooKassa;
  let gw: TestGateway;
  let customer: DashboardSession;
  let env: Record<string, string>;

  before(async () => {
    database = sqliteDatabase();
    mock = await startMockYooKassa();
    env = { DATABASE_URL: database.url, DATA_DIR: database.dir, ...yookassaEnv(mock) };
    gw = await startGateway(yookassaEnv(mock), database);
    customer = await newSignedInUser(gw, '0');
  });
  after(async () => {
    await gw.close();
    await mock.close();
    await database.drop();
  });

  it('reconcile credits a paid order whose notification was lost, once; list shows it; refund debits it', async () => {
    const { order, paymentId } = await newOrder(customer, mock, '300');
    await mock.pay(paymentId, { notify: false });
    const early = await tollgate(['payments', 'reconcile'], env);
    assert.equal(early.code, 0, early.stderr);
    assert.equal(JSON.parse(early.stdout).checked, 0, 'younger than PAYMENTS_RECONCILE_MINUTES: left to its notification');
    const run = await tollgate(['payments', 'reconcile', '--older-than-minutes', '0'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).credited, 1);
    const rerun = await tollgate(['payments', 'reconcile', '--older-than-minutes', '0'], env);
    assert.equal(JSON.parse(rerun.stdout).credited, 0);
    assert.equal(await balanceOf(customer), 300 * RUB);
    const list = await tollgate(['payments', 'list', '--user', customer.email, '--status', 'succeeded'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).data.map((o: { id: string }) => o.id), [order.id]);
    const refund = await tollgate(['payments', 'refund', '--order', order.id, '--amount', '100'], env);
    assert.equal(refund.code, 0, refund.stderr);
    assert.equal(JSON.parse(refund.stdout).status, 'succeeded');
    assert.equal(await balanceOf(customer), 200 * RUB);
    const audit = await customer.call('GET', '/api/ledger');
    assert.deepEqual(audit.body.data.map((e: { kind: string }) => e.kind).slice(0, 2), ['refund', 'topup']);
  });

  it('without a provider, reconcile and refund say why; bad flags are refused', async () => {
    const plain = { DATABASE_URL: database.url, DATA_DIR: database.dir };
    const refused = await tollgate(['payments', 'reconcile'], plain);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /PAYMENTS_PROVIDER/);
    const bad = await tollgate(['payments', 'list', '--status', 'paid'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--status/);
  });
});
