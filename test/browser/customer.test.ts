// The customer's journey in a real browser, in Russian and in English: sign up → log in → create a key
// (its secret shown once) → call the API with it through the openai SDK → the request, its charge and the
// chart point in the cabinet → revoke the key → the next call is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { Browser, Locator, Page } from 'playwright-core';
import { chatCostMicro, launchBrowser, openJourney, startDashboardStack, type DashboardStack, type Journey } from '../helpers/browser.js';
import { heading, openFromMenu, rub, squash, tr, untranslated, utcToday, waitForText, type Lang } from './support.js';

const RATE = '96.8';
const WELCOME_RUB = 500;
const PASSWORD = 'Correct-Horse-42';
/** What the mock upstream reports for the journey's one call: gpt-4o at $2.50 / $10 per 1M → a whole-kopeck charge. */
const USAGE = { prompt_tokens: 1_000, completion_tokens: 8_500 };

describe('the customer cabinet in a browser', { timeout: 150_000 }, () => {
  let browser: Browser;
  let stack: DashboardStack;
  before(async () => {
    [browser, stack] = await Promise.all([
      launchBrowser(),
      startDashboardStack({ WELCOME_CREDIT: String(WELCOME_RUB), TOPUP_CONTACT: 'Write to billing@example.com, we answer within an hour.' }, { usdRubRate: RATE }),
    ]);
    stack.usage = USAGE;
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** gpt-4o's price from the catalog the gateway serves, times the rate: what the call must cost. */
  function expectedCharge(): number {
    const prices = stack.gw.app.services.catalog.find('openai', 'gpt-4o')?.entry.pricing.prices;
    assert.ok(prices?.inputPerMtok && prices.outputPerMtok, 'gpt-4o is priced');
    return chatCostMicro(USAGE, { input: prices.inputPerMtok, output: prices.outputPerMtok }, RATE);
  }

  for (const [lang, locale] of [['ru', 'ru-RU'], ['en', 'en-US']] as const) {
    test(`sign up, a key, a call, its charge and chart point, revoke (${locale})`, async () => {
      const journey = await openJourney(browser, `customer-${lang}`, locale, stack.gw.url, untranslated(lang));
      await journey.run(async () => {
        const email = `${lang}-customer-${Date.now()}@example.com`;
        await signUpAndLogIn(journey, lang, email);
        const { secret, name } = await createKey(journey, lang);
        await lookBeforeTheCall(journey, lang, name);
        const charge = expectedCharge();
        assert.equal(charge % 10_000, 0, 'the chosen usage costs whole kopecks');
        const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: secret, maxRetries: 0, timeout: 10_000 });
        const answer = await client.chat.completions.create({ model: 'gpt-4o', max_tokens: 9_000, messages: [{ role: 'user', content: 'Привет! Say hello.' }] });
        assert.equal(answer.choices[0]?.message.content, 'Hello from the mock upstream.');
        assert.deepEqual(answer.usage && [answer.usage.prompt_tokens, answer.usage.completion_tokens], [USAGE.prompt_tokens, USAGE.completion_tokens]);
        await stack.gw.app.billing.idle();
        await stack.gw.app.flush();

        await seeTheRequest(journey, lang, charge);
        await seeTheUsage(journey, lang, charge);
        await seeTheBalance(journey, lang, WELCOME_RUB * 1_000_000 - charge, charge);
        await revokeKey(journey, lang, name, charge);
        await visitTheOtherPages(journey, lang);
        await assert.rejects(
          client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }] }),
          (error: unknown) => error instanceof OpenAI.AuthenticationError && error.status === 401,
          'a revoked key is refused with 401',
        );
      });
    });
  }

  async function signUpAndLogIn({ page, shot, phoneShot }: Journey, lang: Lang, email: string): Promise<void> {
    await page.goto('/signup');
    await heading(page, lang, 'auth.signupTitle');
    await page.getByLabel(tr(lang, 'auth.email'), { exact: true }).fill(email);
    await page.getByLabel(tr(lang, 'auth.password'), { exact: true }).fill(PASSWORD);
    await page.getByLabel(tr(lang, 'auth.passwordRepeat'), { exact: true }).fill(PASSWORD);
    await shot('signup');
    await page.getByRole('button', { name: tr(lang, 'auth.signup'), exact: true }).click();
    await heading(page, lang, 'overview.title');
    assert.equal(new URL(page.url()).pathname, '/');

    await page.getByRole('button', { name: tr(lang, 'nav.logout') }).click();
    await heading(page, lang, 'auth.loginTitle');
    await page.getByLabel(tr(lang, 'auth.email'), { exact: true }).fill(email);
    await page.getByLabel(tr(lang, 'auth.password'), { exact: true }).fill(PASSWORD);
    await shot('login');
    await phoneShot('login');
    await page.getByRole('button', { name: tr(lang, 'auth.login'), exact: true }).click();
    await heading(page, lang, 'overview.title');
    assert.equal(squash(await page.getByTestId('balance-rub').innerText()), squash(rub(WELCOME_RUB * 1_000_000, lang)), 'the welcome credit is on the balance');
  }

  async function createKey({ page, shot }: Journey, lang: Lang): Promise<{ secret: string; name: string }> {
    const name = lang === 'ru' ? 'Бот поддержки' : 'Support bot';
    await openFromMenu(page, lang, 'nav.keys', 'keys.title');
    await page.getByText(tr(lang, 'keys.empty')).waitFor();
    await page.getByRole('button', { name: tr(lang, 'keys.create'), exact: true }).click();
    const form = page.getByRole('dialog', { name: tr(lang, 'keys.createTitle') });
    await form.getByLabel(tr(lang, 'keys.name'), { exact: true }).fill(name);
    // Rate limits (issue #14): a generous one, so the journey's call passes; empty fields stay unlimited.
    await form.getByTestId('key-limit-rpm').fill('600');
    await shot('key-form');
    const submit = form.getByRole('button', { name: tr(lang, 'keys.create'), exact: true });
    assert.ok(await inView(submit), 'the form is taller than 800 px, yet its Create button is in view without scrolling');
    await submit.click();

    const shown = page.getByRole('dialog', { name: tr(lang, 'keys.secretTitle') });
    await shown.getByText(tr(lang, 'keys.secretWarning')).waitFor();
    const secret = (await shown.getByTestId('key-secret').innerText()).trim();
    assert.match(secret, /^tg-\S{20,}$/);
    await shot('key-secret');
    await shown.getByRole('button', { name: tr(lang, 'keys.secretDone') }).click();
    await shown.waitFor({ state: 'hidden' });

    const row = page.getByRole('row').filter({ hasText: name });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'active');
    assert.equal(squash(await row.getByTestId('key-rate-limits').innerText()), squash(tr(lang, 'limits.rpmShort', { n: '600' })), 'the list shows the key’s limit');
    await assertSecretGone(page, secret);
    await page.reload();
    await heading(page, lang, 'keys.title');
    await row.waitFor();
    await assertSecretGone(page, secret);
    await shot('keys');
    return { secret, name };
  }

  /**
   * Every page that the call changes, seen just before it (seconds before the pages are opened again, no
   * reload in between): the app must fetch them anew on each visit, not show what it had cached.
   */
  async function lookBeforeTheCall({ page, shot }: Journey, lang: Lang, name: string): Promise<void> {
    const row = page.getByRole('row').filter({ hasText: name });
    assert.equal(squash(await row.getByTestId('key-spend').innerText()), squash(rub(0, lang)), 'a new key has spent nothing');
    await openFromMenu(page, lang, 'nav.history', 'history.title');
    await page.getByTestId('history-empty').waitFor();
    await openFromMenu(page, lang, 'nav.usage', 'usage.title');
    await waitForText(page.getByTestId('usage-total-spend'), rub(0, lang));
    await page.getByTestId('usage-chart-spend').getByTestId('chart-no-data').waitFor();
    assert.equal(await page.getByTestId('usage-chart-spend').locator('.u-legend').count(), 0, 'an empty period has no legend, it says so');
    await shot('usage-empty');
    await openFromMenu(page, lang, 'nav.overview', 'overview.title');
    await waitForText(page.getByTestId('balance-rub'), rub(WELCOME_RUB * 1_000_000, lang));
    await waitForText(page.getByTestId('month-spend'), rub(0, lang));
  }

  /** Whether the element is inside the window and nothing covers its centre. */
  async function inView(locator: Locator): Promise<boolean> {
    return locator.evaluate((element) => {
      const box = element.getBoundingClientRect();
      const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return box.top >= 0 && box.bottom <= window.innerHeight && hit !== null && element.contains(hit);
    });
  }

  /** Once its dialog is closed, the secret is nowhere: not on the page, not in what /api/keys answers. */
  async function assertSecretGone(page: Page, secret: string): Promise<void> {
    assert.ok(!(await page.content()).includes(secret), 'the page no longer shows the secret');
    const listed = await page.evaluate(async () => (await fetch('/api/keys')).text());
    assert.ok(!listed.includes(secret) && !listed.includes(secret.slice(-12)), 'the key list never carries the secret');
  }

  async function seeTheRequest({ page, shot, phoneShot }: Journey, lang: Lang, charge: number): Promise<void> {
    await openFromMenu(page, lang, 'nav.history', 'history.title');
    const rows = page.getByTestId('history-table').locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, 'one call, one row');
    const row = rows.first();
    assert.match(await row.innerText(), /gpt-4o/);
    assert.equal(squash(await row.getByTestId('request-cost').innerText()), squash(rub(charge, lang)));
    assert.equal(await row.getByTestId('http-status-word').innerText(), tr(lang, 'history.httpStatus.200'), 'the status in words');
    const tokensHeading = page.getByTestId('history-table').getByRole('columnheader', { name: tr(lang, 'history.tokens') });
    assert.match(await tokensHeading.innerText(), new RegExp(tr(lang, 'history.tokensSub')), 'the tokens column says which number is which');
    await shot('history');
    await phoneShot('history');

    await row.getByTestId('request-open').click();
    const detail = page.getByRole('dialog', { name: tr(lang, 'history.detailTitle') });
    const cost = detail.locator('.detail-item').filter({ has: page.getByText(tr(lang, 'history.cost'), { exact: true }) });
    assert.equal(squash(await cost.locator('dd').innerText()), squash(rub(charge, lang)));
    const rate = detail.locator('.detail-item').filter({ has: page.getByText(tr(lang, 'history.rate'), { exact: true }) });
    assert.equal(squash(await rate.locator('dd').innerText()), lang === 'ru' ? '96,80' : '96.80');
    assert.match(await detail.innerText(), /POST \S*\/chat\/completions/);
    const item = (key: string) => detail.locator('.detail-item').filter({ has: page.getByText(tr(lang, key), { exact: true }) }).locator('dd');
    assert.equal(squash(await item('history.status').innerText()), `200 · ${tr(lang, 'history.httpStatus.200')}`);
    assert.equal(squash(await item('history.usageSource').innerText()), squash(`${tr(lang, 'history.sources.reported')} ${tr(lang, 'history.sourceHints.reported')}`), 'the usage source in words, explained');
    await shot('request-detail');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });
  }

  async function seeTheUsage({ page, shot, phoneShot }: Journey, lang: Lang, charge: number): Promise<void> {
    await openFromMenu(page, lang, 'nav.usage', 'usage.title');
    await waitForText(page.getByTestId('usage-total-spend'), rub(charge, lang));
    assert.equal(await page.getByTestId('usage-total-requests').innerText(), '1');
    // The chart's numbers, as its table for screen readers gives them: today's bar is the charge, under gpt-4o.
    const table = page.getByRole('table', { name: tr(lang, 'usage.spendChart') });
    const columns = (await table.locator('thead th').allInnerTexts()).map((text) => text.trim());
    const column = columns.findIndex((label) => label.includes('gpt-4o'));
    assert.ok(column > 0, `a gpt-4o series in ${JSON.stringify(columns)}`);
    const today = table.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: utcToday(), exact: true }) });
    assert.equal(squash(await today.locator('td').nth(column - 1).innerText()), squash(rub(charge, lang)));
    assert.equal(await page.getByTestId('usage-chart-spend').locator('canvas').count() > 0, true, 'the chart is drawn');
    assert.equal(await page.getByTestId('usage-chart-spend').getByTestId('chart-no-data').count(), 0);
    const legend = squash(await page.getByTestId('usage-chart-spend').locator('.u-legend').innerText());
    assert.ok(legend.includes('gpt-4o') && !legend.includes('—'), `the legend without a cursor names the series, no dashes: "${legend}"`);
    // Over today's bar (the last, its centre half a day in from the right edge) the legend gives its day and amount.
    const plot = page.getByTestId('usage-chart-spend').locator('.u-over');
    const size = await plot.boundingBox();
    assert.ok(size);
    await plot.hover({ position: { x: size.width - 4, y: size.height / 2 } });
    await waitForText(page.getByTestId('usage-chart-spend').locator('.u-legend .u-series').last().locator('.u-value'), rub(charge, lang));
    await page.mouse.move(0, 0);
    await shot('usage');
    await phoneShot('usage');
  }

  async function seeTheBalance({ page, shot, phoneShot }: Journey, lang: Lang, balance: number, charge: number): Promise<void> {
    await openFromMenu(page, lang, 'nav.overview', 'overview.title');
    await waitForText(page.getByTestId('balance-rub'), rub(balance, lang));
    await waitForText(page.getByTestId('month-spend'), rub(charge, lang));
    await shot('overview');
    await phoneShot('overview');
  }

  async function visitTheOtherPages({ page, shot }: Journey, lang: Lang): Promise<void> {
    await openFromMenu(page, lang, 'nav.quickstart', 'quickstart.title');
    assert.ok((await page.locator('main').innerText()).includes(`${stack.gw.url}/openai/v1`), 'the quick start shows this gateway');
    await shot('quickstart');
    await openFromMenu(page, lang, 'nav.models', 'models.title');
    await page.getByText('gpt-4o', { exact: false }).first().waitFor();
    await shot('models');
    await openFromMenu(page, lang, 'nav.topup', 'topup.title');
    await page.getByText('billing@example.com', { exact: false }).waitFor();
    await shot('topup');
    await openFromMenu(page, lang, 'nav.profile', 'profile.title');
    await shot('profile');
  }

  async function revokeKey({ page, shot, phoneShot }: Journey, lang: Lang, name: string, charge: number): Promise<void> {
    await openFromMenu(page, lang, 'nav.keys', 'keys.title');
    const row = page.getByRole('row').filter({ hasText: name });
    await waitForText(row.getByTestId('key-spend'), rub(charge, lang));
    await phoneShot('keys');
    await row.getByRole('button', { name: `${tr(lang, 'keys.revoke')} ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: tr(lang, 'keys.revokeTitle') });
    await shot('key-revoke');
    await confirm.getByRole('button', { name: tr(lang, 'keys.revoke'), exact: true }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.waitForFunction((keyName) => [...document.querySelectorAll('tr[data-status]')].some((tr) => tr.textContent?.includes(keyName) && tr.getAttribute('data-status') === 'revoked'), name);
    await row.getByText(tr(lang, 'status.revoked'), { exact: true }).waitFor();
    await shot('key-revoked');
  }
});
