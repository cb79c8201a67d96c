// Online top-ups in a real browser, against the mock YooKassa: a customer picks 500 ₽, pays on the mock's
// payment page and comes back to /topup?order=… where the outcome shows, the balance grows by 500 ₽ without a
// reload, the order is listed as paid (receipt e-mail) and the ledger has a topup row; a canceled payment
// shows why it failed. In Russian (the notification arrives) and English (the notification is lost: the
// return page's polling settles it). Then the admin's Payments console: notifications log, refund, reconcile.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startMockYooKassa, type MockYooKassa } from '../mocks/yookassa-mock.js';
import { launchBrowser, openJourney, startDashboardStack, type DashboardStack, type Journey } from '../helpers/browser.js';
import { apiCall, signIn } from '../helpers/dashboard.js';
import { newOrder, settled, yookassaEnv } from '../helpers/payments.js';
import { heading, openFromMenu, rub, squash, tr, untranslated, waitForText, type Lang } from './support.js';

const ADMIN_EMAIL = 'payments-admin@example.com';
const PASSWORD = 'Topup-Password-1';
const RUB = 1_000_000;

describe('online top-ups in a browser', { timeout: 180_000 }, () => {
  let browser: Browser;
  let stack: DashboardStack;
  let mock: MockYooKassa;
  let webhookUrl: string;
  const paidOrders: Array<{ email: string; id: string }> = [];

  before(async () => {
    mock = await startMockYooKassa();
    // The payment page returns the customer to the gateway's own origin (no PUBLIC_URL); the mock notifies
    // from 127.0.0.1 straight, not through a proxy.
    const env = yookassaEnv(mock, { YOOKASSA_WEBHOOK_IPS: '127.0.0.1', YOOKASSA_RECEIPTS: 'on' });
    delete env['PUBLIC_URL'];
    delete env['TRUST_PROXY'];
    [browser, stack] = await Promise.all([launchBrowser(), startDashboardStack(env)]);
    webhookUrl = `${stack.gw.url}/api/payments/yookassa/webhook`;
    await stack.gw.app.services.sessions.ensureAdmin(ADMIN_EMAIL, PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await mock?.close();
  });

  /** A journey that may also open the mock's payment page (every other origin stays blocked). */
  async function paymentJourney(name: string, lang: Lang): Promise<Journey> {
    const journey = await openJourney(browser, name, lang === 'ru' ? 'ru-RU' : 'en-US', stack.gw.url, untranslated(lang));
    const mockOrigin = new URL(mock.apiUrl).origin;
    await journey.context.route((url) => url.origin === mockOrigin, (route) => route.continue()); // the last route registered wins
    return journey;
  }

  async function logIn(page: Page, lang: Lang, email: string, start: string, titleKey: string): Promise<void> {
    await page.goto(start);
    await heading(page, lang, 'auth.loginTitle');
    await page.getByLabel(tr(lang, 'auth.email'), { exact: true }).fill(email);
    await page.getByLabel(tr(lang, 'auth.password'), { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: tr(lang, 'auth.login'), exact: true }).click();
    await heading(page, lang, titleKey);
  }

  /** From the top-up page to the mock's payment page for the amount shown; returns the order id. */
  async function payOnMock(page: Page, lang: Lang, amountMicro: number, action: 'yookassa-pay' | 'yookassa-cancel', shot?: Journey['shot']): Promise<string> {
    await page.getByRole('button', { name: tr(lang, 'payments.pay'), exact: true }).click();
    return finishOnMock(page, lang, amountMicro, action, shot);
  }

  async function finishOnMock(page: Page, lang: Lang, amountMicro: number, action: 'yookassa-pay' | 'yookassa-cancel', shot?: Journey['shot']): Promise<string> {
    await page.waitForURL((url) => url.href.startsWith(new URL(mock.apiUrl).origin + '/checkout/'));
    assert.equal(squash(await page.getByTestId('yookassa-amount').innerText()), squash(rub(amountMicro, 'ru')));
    if (shot) await shot('yookassa-page');
    await page.getByTestId(action).click();
    await page.waitForURL((url) => url.origin === stack.gw.url && url.pathname === '/topup' && url.searchParams.has('order'));
    await heading(page, lang, 'topup.title');
    return new URL(page.url()).searchParams.get('order')!;
  }

  for (const lang of ['ru', 'en'] as const) {
    const lost = lang === 'en';
    test(`a customer tops up 500 ₽ and sees it credited${lost ? ', the notification lost' : ''}; a canceled payment says why (${lang})`, async () => {
      const email = `topup-${lang}-${Date.now()}@example.com`;
      const signup = await apiCall(stack.gw, undefined, 'POST', '/api/auth/signup', { email, password: PASSWORD });
      assert.equal(signup.status, 201, signup.text);
      mock.webhookUrl = lost ? undefined : webhookUrl;
      const journey = await paymentJourney(`topup-${lang}`, lang);
      await journey.run(async () => {
        const { page, shot, phoneShot } = journey;
        await logIn(page, lang, email, '/', 'overview.title');
        await openFromMenu(page, lang, 'nav.topup', 'topup.title');
        await waitForText(page.getByTestId('topup-balance'), rub(0, lang));
        await page.getByTestId('topup-orders-empty').waitFor();

        // The amount is checked before any order: below the minimum, too many decimals.
        const amount = page.getByLabel(tr(lang, 'payments.amountLabel'), { exact: true });
        await amount.fill('50');
        await page.getByRole('button', { name: tr(lang, 'payments.pay'), exact: true }).click();
        const fieldError = page.getByTestId('topup-form').locator('.field-error');
        await waitForText(fieldError, tr(lang, 'payments.amountErrors.min', { min: lang === 'ru' ? '100 ₽' : '₽100' }));
        await amount.fill('100,555');
        await waitForText(fieldError, tr(lang, 'payments.amountErrors.decimals'));
        assert.equal(mock.payments().length, paidOrders.length * 2, 'no payment created for a refused amount');

        await page.getByTestId('topup-preset-500').click();
        assert.equal(await amount.inputValue(), '500');
        assert.equal(await page.getByTestId('topup-preset-500').getAttribute('aria-pressed'), 'true');
        await shot('topup-form');
        await phoneShot('topup-form');

        // A lost notification: the balance is first read before the return page's poll settles the order,
        // so the new balance can only come from the page refreshing it by itself.
        let balanceRead!: (availableMicro: number) => void;
        const firstBalance = new Promise<number>((resolve) => (balanceRead = resolve));
        if (lost) {
          page.on('response', (response) => {
            if (new URL(response.url()).pathname !== '/api/balance' || !new URL(page.url()).searchParams.has('order')) return;
            void response.json().then((body: { available_micro: number }) => balanceRead(body.available_micro));
          });
          await page.route(/\/api\/payments\/ord_/, async (route) => {
            await firstBalance;
            await route.continue();
          });
        }
        const id = await payOnMock(page, lang, 500 * RUB, 'yookassa-pay', shot);
        await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
        if (lost) assert.equal(await firstBalance, 0, 'the return page first read the balance before the order settled');
        const result = page.locator('[data-testid=topup-result][data-status=succeeded]');
        await waitForText(result.getByTestId('topup-result-text'), tr(lang, 'payments.result.succeeded', { amount: rub(500 * RUB, lang) }));
        await waitForText(page.getByTestId('topup-balance'), rub(500 * RUB, lang));
        await waitForText(result.getByTestId('topup-result-balance'), tr(lang, 'payments.result.newBalance', { balance: rub(500 * RUB, lang) }));
        assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'the balance changed without a reload');
        const row = page.locator(`[data-testid=topup-order][data-order-id="${id}"]`);
        await page.locator(`[data-testid=topup-order][data-order-id="${id}"][data-status=succeeded]`).waitFor();
        await waitForText(row.getByTestId('topup-receipt'), tr(lang, 'payments.receiptSent', { email }));
        assert.ok(squash(await row.innerText()).includes(squash(rub(500 * RUB, lang))));
        const ledger = page.locator('[data-testid=ledger-row][data-kind=topup]');
        await ledger.first().waitFor();
        assert.equal(await ledger.count(), 1);
        assert.ok(squash(await ledger.first().innerText()).includes(squash(`+${rub(500 * RUB, lang)}`)), await ledger.first().innerText());
        assert.ok(squash(await ledger.first().innerText()).includes(tr(lang, 'ledger.kinds.topup')));
        await shot('topup-success');
        await phoneShot('topup-success');
        if (lost) await page.unroute(/\/api\/payments\/ord_/);
        paidOrders.push({ email, id });

        // Leave the payment page unpaid: the order waits, with a way back to it; then cancel there: the reason
        // in the page's words, nothing credited.
        await amount.fill('750');
        await page.getByRole('button', { name: tr(lang, 'payments.pay'), exact: true }).click();
        await page.waitForURL((url) => url.origin !== stack.gw.url);
        await page.goto('/topup');
        await heading(page, lang, 'topup.title');
        const waiting = page.locator('[data-testid=topup-order][data-status=pending]');
        await waitForText(waiting.getByTestId('order-status'), tr(lang, 'payments.status.pending'));
        await waiting.getByRole('link', { name: tr(lang, 'payments.continue'), exact: true }).click();
        const canceled = await finishOnMock(page, lang, 750 * RUB, 'yookassa-cancel');
        const failure = page.locator('[data-testid=topup-result][data-status=canceled]');
        await waitForText(failure.getByTestId('topup-result-text'), tr(lang, 'payments.result.canceled'));
        await waitForText(failure.getByTestId('topup-result-reason'), tr(lang, 'payments.reasons.expired_on_confirmation'));
        await page.locator(`[data-testid=topup-order][data-order-id="${canceled}"][data-status=canceled]`).waitFor();
        await waitForText(page.getByTestId('topup-balance'), rub(500 * RUB, lang));
        assert.equal(await page.locator('[data-testid=ledger-row][data-kind=topup]').count(), 1, 'a canceled payment credits nothing');
        await shot('topup-canceled');
        await phoneShot('topup-canceled');
        await failure.getByRole('link', { name: tr(lang, 'payments.result.tryAgain'), exact: true }).click();
        await page.getByTestId('topup-result').waitFor({ state: 'detached' });
        assert.equal(new URL(page.url()).search, '');

        // An order that is not this account's (the other customer's, in the second run) is not shown.
        const foreign = paidOrders.find((order) => order.email !== email)?.id ?? 'ord_nothere';
        await page.goto(`/topup?order=${foreign}`);
        await waitForText(page.locator('[data-testid=topup-result][data-status=not_found]'), tr(lang, 'payments.result.notFound'));
      });
    });
  }

  test('the admin sees the orders and their notifications, refunds part of one and reconciles (ru)', async () => {
    assert.equal(paidOrders.length, 2, 'the customer journeys ran first');
    mock.webhookUrl = webhookUrl;
    // An order paid at YooKassa whose notification never came: reconciliation finds it.
    const late = await signIn(stack.gw, paidOrders[0]!.email, PASSWORD);
    const { paymentId } = await newOrder(late, mock, '1000');
    await mock.pay(paymentId, { notify: false });
    const journey = await paymentJourney('payments-admin', 'ru');
    await journey.run(async () => {
      const { page, shot, phoneShot } = journey;
      await logIn(page, 'ru', ADMIN_EMAIL, '/console', 'console.overviewTitle');
      await page.getByRole('navigation', { name: tr('ru', 'nav.main') }).getByTestId('nav-console-payments').click();
      await heading(page, 'ru', 'payments.consoleTitle');
      await page.getByTestId('payment-row').nth(4).waitFor();
      assert.equal(await page.getByTestId('payment-row').count(), 5);
      await page.getByLabel(tr('ru', 'payments.statusLabel'), { exact: true }).selectOption('succeeded');
      await page.getByRole('button', { name: tr('ru', 'history.apply'), exact: true }).click();
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=payment-row]')].every((row) => row.getAttribute('data-status') === 'succeeded') && document.querySelectorAll('[data-testid=payment-row]').length === 2);
      await shot('payments-list');
      await phoneShot('payments-list');
      // One customer's orders: their paid one and their canceled one.
      const owner = (await page.locator(`[data-testid=payment-row][data-order-id="${paidOrders[1]!.id}"] a`).innerText()).trim();
      await page.getByLabel(tr('ru', 'payments.statusLabel'), { exact: true }).selectOption('');
      await page.getByLabel(tr('ru', 'payments.userId'), { exact: true }).fill(owner);
      await page.getByRole('button', { name: tr('ru', 'history.apply'), exact: true }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=payment-row]').length === 2);
      assert.deepEqual((await page.getByTestId('payment-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')))).sort(), ['canceled', 'succeeded']);
      await page.getByLabel(tr('ru', 'payments.userId'), { exact: true }).fill('');
      await page.getByLabel(tr('ru', 'payments.statusLabel'), { exact: true }).selectOption('succeeded');
      await page.getByRole('button', { name: tr('ru', 'history.apply'), exact: true }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=payment-row]').length === 2 && document.querySelectorAll('[data-testid=payment-row][data-status=succeeded]').length === 2);

      // The Russian customer's order: paid through the notification, from 127.0.0.1.
      const { id } = paidOrders[0]!;
      await page.locator(`[data-testid=payment-row][data-order-id="${id}"]`).getByRole('button', { name: tr('ru', 'payments.details'), exact: true }).click();
      const drawer = page.getByRole('dialog', { name: tr('ru', 'payments.detailTitle', { id }) });
      const event = drawer.locator('[data-testid=payment-event][data-event="payment.succeeded"]');
      await event.waitFor();
      assert.match(squash(await event.innerText()), /127\.0\.0\.1 .*credited/);
      await event.scrollIntoViewIfNeeded();
      await shot('payment-events');
      await page.getByTestId('payment-fields').scrollIntoViewIfNeeded();
      await drawer.getByTestId('payment-no-refunds').waitFor();
      await drawer.getByLabel(tr('ru', 'payments.refundAmount'), { exact: true }).fill('600');
      await drawer.getByRole('button', { name: tr('ru', 'payments.refund'), exact: true }).click();
      await waitForText(drawer.locator('.field-error'), tr('ru', 'payments.refundInvalid', { left: rub(500 * RUB, 'ru') }));
      await drawer.getByLabel(tr('ru', 'payments.refundAmount'), { exact: true }).fill('200');
      await drawer.getByRole('button', { name: tr('ru', 'payments.refund'), exact: true }).click();
      const confirm = page.getByRole('dialog', { name: tr('ru', 'payments.refundConfirmTitle') });
      await waitForText(confirm.locator('.dialog-content'), tr('ru', 'payments.refundConfirm', { amount: rub(200 * RUB, 'ru') }));
      await confirm.getByRole('button', { name: tr('ru', 'payments.refund'), exact: true }).click();
      await confirm.waitFor({ state: 'hidden' });
      const done = drawer.getByTestId('payment-refund-done');
      await done.waitFor();
      assert.ok(squash(await done.innerText()).includes(squash(rub(200 * RUB, 'ru'))), await done.innerText());
      await drawer.getByTestId('payment-refund-row').waitFor();
      await waitForText(drawer.locator('.field-hint'), tr('ru', 'payments.refundAmountHint', { left: rub(300 * RUB, 'ru') }));
      await shot('payment-refunded');
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });

      await page.getByRole('button', { name: tr('ru', 'payments.reconcile'), exact: true }).click();
      const report = page.getByTestId('payments-reconcile-report');
      await report.waitFor();
      assert.match(squash(await report.innerText()), /проверено 1, зачислено 1,/);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=payment-row][data-status=succeeded]').length === 3);
      await shot('payments-reconciled');
    });
    await settled(stack.gw);
    const customer = await signIn(stack.gw, paidOrders[0]!.email, PASSWORD);
    const balance = await customer.call('GET', '/api/balance');
    assert.equal(balance.body.balance_micro, (500 - 200 + 1000) * RUB, 'refunded 200 ₽ of 500 ₽, then 1000 ₽ reconciled');
  });
});
