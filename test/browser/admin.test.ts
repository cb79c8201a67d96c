// The admin's journey in a real browser, in English and in Russian: an admin made by `tollgate admin create`
// logs in → finds a customer → credits them with a note → changes gpt-4o's price and the USD→RUB rate (the
// customer's next call is charged at both) → blocks the customer → their key is refused and their session ends.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { chatCostMicro, launchBrowser, openJourney, startDashboardStack, type DashboardStack, type Journey } from '../helpers/browser.js';
import { apiCall, signIn } from '../helpers/dashboard.js';
import { ROOT, TSX } from '../helpers/process.js';
import { heading, openFromMenu, rub, squash, tr, untranslated, waitForText, type Lang } from './support.js';

const ADMIN_EMAIL = 'operator@example.com';
const ADMIN_PASSWORD = 'Operator-Password-1';
const CUSTOMER_PASSWORD = 'Customer-Password-1';
const USAGE = { prompt_tokens: 1_000, completion_tokens: 8_500 };
/** Per journey: the credit typed (as a person in that language types it), the new gpt-4o prices and rate. */
const PLAN = {
  en: { creditText: '1000', creditMicro: 1_000_000_000, input: '5', output: '20', rate: '90' },
  ru: { creditText: '1 000,50', creditMicro: 1_000_500_000, input: '4', output: '16', rate: '92,5' },
} as const;

describe('the admin console in a browser', { timeout: 150_000 }, () => {
  let browser: Browser;
  let stack: DashboardStack;
  before(async () => {
    [browser, stack] = await Promise.all([launchBrowser(), startDashboardStack({}, { usdRubRate: '96.8' })]);
    stack.usage = USAGE;
    // The first admin, as the README tells an operator to make one: the CLI, on the server's database.
    const cli = await promisify(execFile)(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/index.ts'), 'admin', 'create', '--email', ADMIN_EMAIL, '--password', ADMIN_PASSWORD], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: stack.gw.database.url },
      timeout: 30_000,
    });
    assert.equal(JSON.parse(cli.stdout).role, 'admin');
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** A customer who signed up by themselves (no welcome credit), with one key. */
  async function customer(lang: Lang) {
    const email = `${lang}-client-${Date.now()}@example.com`;
    const signup = await apiCall(stack.gw, undefined, 'POST', '/api/auth/signup', { email, password: CUSTOMER_PASSWORD });
    assert.equal(signup.status, 201, signup.text);
    const session = await signIn(stack.gw, email, CUSTOMER_PASSWORD);
    const key = await session.call('POST', '/api/keys', { name: 'shop backend' });
    assert.equal(key.status, 201, key.text);
    const client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key.body.secret as string, maxRetries: 0, timeout: 10_000 });
    const chat = async () => {
      const answer = await client.chat.completions.create({ model: 'openai/gpt-4o', max_tokens: 9_000, messages: [{ role: 'user', content: 'Сколько стоит?' }] });
      await stack.gw.app.billing.idle();
      await stack.gw.app.flush();
      return answer;
    };
    return { email, session, chat };
  }

  /** What the customer's call costs at the catalog's gpt-4o prices and the rate in force now. */
  function chargeNow(): number {
    const prices = stack.gw.app.services.catalog.find('openai', 'gpt-4o')?.entry.pricing.prices;
    const rate = stack.gw.app.services.billingSettings.view().usd_rub_rate;
    assert.ok(prices?.inputPerMtok && prices.outputPerMtok && rate, 'gpt-4o is priced and a rate is set');
    return chatCostMicro(USAGE, { input: prices.inputPerMtok, output: prices.outputPerMtok }, rate);
  }

  for (const [lang, locale] of [['en', 'en-US'], ['ru', 'ru-RU']] as const) {
    test(`find a customer, credit, reprice, block (${locale})`, async () => {
      const plan = PLAN[lang];
      const client = await customer(lang);
      await assert.rejects(client.chat(), (error: unknown) => error instanceof OpenAI.APIError && error.status === 402, 'no money yet: 402');
      const journey = await openJourney(browser, `admin-${lang}`, locale, stack.gw.url, untranslated(lang));
      await journey.run(async () => {
        await logIn(journey, lang);
        await findCustomer(journey, lang, client.email);
        await setLimits(journey, lang);
        await credit(journey, lang, client.email, plan.creditText, plan.creditMicro);

        const before = chargeNow();
        await client.chat();
        await reprice(journey, lang, plan);
        const after = chatCostMicro(USAGE, { input: plan.input, output: plan.output }, plan.rate.replace(',', '.'));
        assert.equal(chargeNow(), after, 'the catalog and the rate are what the console saved');
        await client.chat();
        await seeTheCharges(journey, lang, client.email, [after, before], plan.creditMicro - before - after);

        await block(journey, lang, client.email);
        await assert.rejects(client.chat(), (error: unknown) => error instanceof OpenAI.PermissionDeniedError && error.status === 403, "a blocked customer's key is refused");
        const session = await apiCall(stack.gw, client.session, 'GET', '/api/session');
        assert.equal(session.body.account, null, "the blocked customer's session is gone");
        await seeTheUsersAudit(journey, lang);
        await seeTheAudit(journey, lang);
        await visitTheOtherPages(journey, lang);
      });
    });
  }

  async function logIn({ page, shot }: Journey, lang: Lang): Promise<void> {
    await page.goto('/console');
    await heading(page, lang, 'auth.loginTitle');
    await page.getByLabel(tr(lang, 'auth.email'), { exact: true }).fill(ADMIN_EMAIL);
    await page.getByLabel(tr(lang, 'auth.password'), { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: tr(lang, 'auth.login'), exact: true }).click();
    await heading(page, lang, 'console.overviewTitle');
    assert.equal(new URL(page.url()).pathname, '/console', 'back where the admin was going');
    await shot('console-overview');
  }

  async function openConsole(page: Page, lang: Lang, testId: string, titleKey: string): Promise<void> {
    await page.getByRole('navigation', { name: tr(lang, 'nav.main') }).getByTestId(testId).click();
    await heading(page, lang, titleKey);
  }

  async function findCustomer({ page, shot, phoneShot }: Journey, lang: Lang, email: string): Promise<void> {
    await openConsole(page, lang, 'nav-console-users', 'console.usersTitle');
    await page.getByRole('searchbox', { name: tr(lang, 'console.searchEmail') }).fill(email.slice(0, email.indexOf('@')));
    const rows = page.getByTestId('users-table').locator('tbody tr');
    await page.waitForFunction((wanted) => {
      const shown = [...document.querySelectorAll('[data-testid=users-table] tbody tr')];
      return shown.length === 1 && shown[0]?.getAttribute('data-email') === wanted;
    }, email);
    assert.equal(squash(await rows.first().innerText()).includes(squash(rub(0, lang))), true, 'a new customer has nothing on the balance');
    await shot('users');
    await phoneShot('users');
    await rows.first().getByRole('link', { name: email }).click();
    await page.getByRole('heading', { level: 1, name: email }).waitFor();
  }

  async function credit({ page, shot }: Journey, lang: Lang, email: string, amountText: string, micro: number): Promise<void> {
    await page.getByRole('button', { name: tr(lang, 'console.creditDebit') }).click();
    const dialog = page.getByRole('dialog', { name: tr(lang, 'console.creditTitle', { email }) });
    await dialog.getByLabel(tr(lang, 'console.amount'), { exact: true }).fill(amountText);
    const note = lang === 'ru' ? 'Оплата по счёту №42' : 'Paid invoice #42';
    await dialog.getByLabel(tr(lang, 'console.note'), { exact: true }).fill(note);
    await shot('credit');
    await dialog.getByRole('button', { name: tr(lang, 'console.doCredit'), exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await waitForText(page.getByTestId('user-balance'), rub(micro, lang));
    await page.getByRole('tab', { name: tr(lang, 'console.tab.ledger') }).click();
    const entry = page.getByTestId('ledger-row').filter({ hasText: note });
    await entry.waitFor();
    assert.equal(await entry.getAttribute('data-kind'), 'credit');
    await shot('user-ledger');
    // The history as it stands before the calls that follow: the one refused for want of money.
    await page.getByRole('tab', { name: tr(lang, 'console.tab.history') }).click();
    await page.getByTestId('history-table').getByTestId('request-cost').first().waitFor();
    assert.equal(await page.getByTestId('history-table').getByTestId('request-cost').count(), 1, 'the 402, before any call is charged');
  }

  async function reprice({ page, shot, phoneShot }: Journey, lang: Lang, plan: (typeof PLAN)[Lang]): Promise<void> {
    await openConsole(page, lang, 'nav-console-models', 'console.modelsTitle');
    const rates = page.getByTestId('rate-form');
    await rates.getByLabel(tr(lang, 'console.rate'), { exact: true }).fill(plan.rate);
    await rates.getByRole('button', { name: tr(lang, 'common.save') }).click();
    await page.getByText(tr(lang, 'console.rateSaved')).waitFor();

    // The whole list (its first page) fits 1280 px: no sideways scroll in the table.
    const table = page.getByTestId('console-models-table');
    await table.locator('tbody tr').nth(20).waitFor();
    const [wide, box] = await table.evaluate((element) => [element.scrollWidth, element.parentElement?.clientWidth ?? 0]);
    assert.ok(wide <= box, `the models table is ${wide} px wide in a ${box} px box`);
    await page.getByLabel(tr(lang, 'models.search'), { exact: true }).fill('openai/gpt-4o');
    const row = page.getByTestId('console-model-row-openai/gpt-4o');
    await row.getByRole('button', { name: `${tr(lang, 'common.edit')} openai/gpt-4o` }).click();
    const editor = page.getByRole('dialog', { name: tr(lang, 'console.editModel', { id: 'openai/gpt-4o' }) });
    await editor.getByLabel(tr(lang, 'console.price.input_per_mtok'), { exact: true }).fill(plan.input);
    await editor.getByLabel(tr(lang, 'console.price.output_per_mtok'), { exact: true }).fill(plan.output);
    await shot('model-editor');
    await editor.getByRole('button', { name: tr(lang, 'common.save') }).click();
    await editor.waitFor({ state: 'hidden' });
    const decimal = lang === 'ru' ? ',' : '.';
    await waitForText(row.locator('td').nth(1).locator('div').first(), `$${plan.input}${decimal}00`);
    await shot('models');
    await phoneShot('models');
  }

  async function seeTheCharges({ page, shot, phoneShot }: Journey, lang: Lang, email: string, costs: number[], balance: number): Promise<void> {
    // No reload: the list, the user's page and their history were all fetched before the calls, and each visit
    // must fetch them anew.
    await openConsole(page, lang, 'nav-console-users', 'console.usersTitle');
    const listed = page.getByTestId('users-table').locator(`tr[data-email="${email}"]`);
    await waitForText(listed.locator(`td[data-label="${tr(lang, 'console.balance')}"]`), rub(balance, lang));
    await listed.getByRole('link', { name: email }).click();
    await page.getByRole('heading', { level: 1, name: email }).waitFor();
    await waitForText(page.getByTestId('user-balance'), rub(balance, lang));
    await page.getByRole('tab', { name: tr(lang, 'console.tab.history') }).click();
    const cells = page.getByTestId('history-table').getByTestId('request-cost');
    await cells.nth(costs.length).waitFor();
    assert.deepEqual(
      (await cells.allInnerTexts()).map(squash),
      [...costs.map((micro) => squash(rub(micro, lang))), '—'],
      'newest first: the new price × the new rate, then the old, then the call refused for want of money (402, free)',
    );
    assert.equal(await page.getByTestId('history-table').getByTestId('http-status-word').last().innerText(), tr(lang, 'history.httpStatus.402'), 'the refusal in words');
    await shot('user-requests');
    await phoneShot('user-requests');
  }

  /** The account's rate limits (issue #14): saved through the console, shown again after a reload. */
  async function setLimits({ page, shot }: Journey, lang: Lang): Promise<void> {
    const form = page.getByTestId('user-limits-form');
    await form.getByLabel(tr(lang, 'limits.rpm'), { exact: true }).fill('1000');
    await form.getByLabel(tr(lang, 'limits.concurrency'), { exact: true }).fill('x');
    await form.getByTestId('user-limits-save').click();
    await form.getByText(tr(lang, 'limits.invalid')).waitFor();
    await form.getByLabel(tr(lang, 'limits.concurrency'), { exact: true }).fill('8');
    await form.getByTestId('user-limits-save').click();
    await form.getByTestId('user-limits-saved').waitFor();
    await shot('user-limits');
    await page.reload();
    await page.getByTestId('user-limits-form').waitFor();
    assert.deepEqual(
      await Promise.all(['rpm', 'tpm', 'concurrency'].map((name) => page.getByTestId(`user-limit-${name}`).inputValue())),
      ['1000', '', '8'],
      'the saved limits are the account’s',
    );
  }

  async function block({ page, shot }: Journey, lang: Lang, email: string): Promise<void> {
    await page.getByRole('button', { name: tr(lang, 'console.block'), exact: true }).click();
    const confirm = page.getByRole('dialog', { name: tr(lang, 'console.blockTitle') });
    await confirm.getByText(tr(lang, 'console.blockMessage', { email })).waitFor();
    await shot('block');
    await confirm.getByRole('button', { name: tr(lang, 'console.block'), exact: true }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: tr(lang, 'console.unblock'), exact: true }).waitFor();
    await page.locator('.page-header').getByText(tr(lang, 'status.blocked'), { exact: true }).waitFor();
    await shot('blocked');
  }

  const auditRows = (page: Page) => page.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-action')} ${row.getAttribute('data-target')}`));

  /** From the (blocked) customer's page to the audit log filtered to them: only rows about that user. */
  async function seeTheUsersAudit({ page }: Journey, lang: Lang): Promise<void> {
    const userId = new URL(page.url()).pathname.split('/').pop() ?? '';
    assert.match(userId, /^usr_/);
    await page.getByRole('link', { name: tr(lang, 'console.userAudit'), exact: true }).click();
    await heading(page, lang, 'console.auditTitle');
    assert.equal(await page.getByLabel(tr(lang, 'console.target'), { exact: true }).inputValue(), userId);
    await page.getByTestId('audit-row').first().waitFor();
    assert.deepEqual(await auditRows(page), [`user.block ${userId}`, `user.credit ${userId}`, `user.limits ${userId}`], 'what the admin did to this customer, newest first');
    await page.getByLabel(tr(lang, 'console.target'), { exact: true }).fill('openai/gpt-4o');
    await page.getByTestId('audit-apply').click();
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=audit-row]')];
      return rows.length > 0 && rows.every((row) => row.getAttribute('data-target') === 'openai/gpt-4o');
    });
    assert.ok((await auditRows(page)).includes('model.update openai/gpt-4o'), 'a model is a target too');
    assert.match(page.url(), /\?target=openai%2Fgpt-4o$/, 'the filter is in the URL');
  }

  async function seeTheAudit({ page, shot }: Journey, lang: Lang): Promise<void> {
    await openConsole(page, lang, 'nav-console-audit', 'console.auditTitle');
    await page.getByTestId('audit-row').first().waitFor();
    const actions = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action') ?? ''));
    for (const wanted of [/^user\.credit$/, /^user\.block$/, /settings/, /model|catalog/]) {
      assert.ok(actions.some((action) => wanted.test(action)), `an audit row for ${wanted} in ${JSON.stringify(actions)}`);
    }
    assert.ok((await page.getByTestId('audit-table').innerText()).includes(ADMIN_EMAIL), 'the admin is named as the actor');
    await shot('audit');
  }

  async function visitTheOtherPages({ page, shot, phoneShot }: Journey, lang: Lang): Promise<void> {
    await openConsole(page, lang, 'nav-console-upstreams', 'console.upstreamsTitle');
    await page.getByTestId('upstream-openai').getByText(stack.upstream.url, { exact: false }).waitFor();
    assert.ok(!(await page.content()).includes('sk-browser-upstream-key'), 'an upstream key is never shown whole');
    await shot('upstreams');
    await openConsole(page, lang, 'nav-console', 'console.overviewTitle');
    await page.getByTestId('console-total-spend').waitFor();
    await shot('console-overview-after');
    await phoneShot('console-overview');
    await openFromMenu(page, lang, 'nav.profile', 'profile.title');
  }
});
