// Promo codes in a real browser: an admin creates a code in the console (Russian), a customer redeems it on the
// top-up page (Russian, then another in English) and sees the amount credited, the balance and a "promo" ledger
// row; a second try and an unknown code are refused in the page's language; the admin sees who redeemed and disables it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openJourney, startDashboardStack, type DashboardStack, type Journey } from '../helpers/browser.js';
import { apiCall } from '../helpers/dashboard.js';
import { heading, openFromMenu, rub, squash, tr, untranslated, waitForText, type Lang } from './support.js';

const ADMIN_EMAIL = 'promo-admin@example.com';
const PASSWORD = 'Promo-Password-1';

describe('promo codes in a browser', { timeout: 150_000 }, () => {
  let browser: Browser;
  let stack: DashboardStack;
  const customers: string[] = [];
  before(async () => {
    [browser, stack] = await Promise.all([launchBrowser(), startDashboardStack()]);
    await stack.gw.app.services.sessions.ensureAdmin(ADMIN_EMAIL, PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function logIn(page: Page, lang: Lang, email: string, start: string, titleKey: string): Promise<void> {
    await page.goto(start);
    await heading(page, lang, 'auth.loginTitle');
    await page.getByLabel(tr(lang, 'auth.email'), { exact: true }).fill(email);
    await page.getByLabel(tr(lang, 'auth.password'), { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: tr(lang, 'auth.login'), exact: true }).click();
    await heading(page, lang, titleKey);
  }

  test('the admin creates a two-use code (ru-RU)', async () => {
    const journey = await openJourney(browser, 'promo-admin-ru', 'ru-RU', stack.gw.url, untranslated('ru'));
    await journey.run(async () => {
      const { page, shot, phoneShot } = journey;
      await logIn(page, 'ru', ADMIN_EMAIL, '/console', 'console.overviewTitle');
      await page.getByRole('navigation', { name: tr('ru', 'nav.main') }).getByTestId('nav-console-promo').click();
      await heading(page, 'ru', 'promo.consoleTitle');
      await page.getByTestId('promo-empty').waitFor();
      await page.getByLabel(tr('ru', 'promo.code'), { exact: true }).fill('spring-2026');
      await page.getByLabel(tr('ru', 'promo.amount'), { exact: true }).fill('250,50');
      await page.getByLabel(tr('ru', 'promo.maxUses'), { exact: true }).fill('2');
      await page.getByLabel(tr('ru', 'promo.note'), { exact: true }).fill('Весенняя акция');
      await shot('promo-form');
      await page.getByRole('button', { name: tr('ru', 'promo.create'), exact: true }).click();
      await page.getByTestId('promo-created').getByText(tr('ru', 'promo.created', { code: 'SPRING-2026' })).waitFor();
      const row = page.locator('[data-testid=promo-row][data-code="SPRING-2026"]');
      await waitForText(row.getByTestId('promo-uses'), '0 / 2');
      assert.equal(await row.getByTestId('promo-status').getAttribute('data-status'), 'active');
      assert.ok(squash(await row.innerText()).includes(squash(rub(250_500_000, 'ru'))), 'the amount as typed, in rubles');
      await shot('promo-list');
      await phoneShot('promo-list');
    });
  });

  for (const [lang, locale] of [['ru', 'ru-RU'], ['en', 'en-US']] as const) {
    test(`a customer redeems it on the top-up page, once (${locale})`, async () => {
      const email = `promo-${lang}-${Date.now()}@example.com`;
      const signup = await apiCall(stack.gw, undefined, 'POST', '/api/auth/signup', { email, password: PASSWORD });
      assert.equal(signup.status, 201, signup.text);
      customers.push(email);
      const journey = await openJourney(browser, `promo-customer-${lang}`, locale, stack.gw.url, untranslated(lang));
      await journey.run(async () => {
        const { page, shot, phoneShot } = journey;
        await logIn(page, lang, email, '/', 'overview.title');
        await openFromMenu(page, lang, 'nav.topup', 'topup.title');
        const before = await page.getByTestId('topup-balance').innerText();
        const box = page.getByTestId('promo-redeem');
        await box.getByLabel(tr(lang, 'promo.codeLabel'), { exact: true }).fill('NO-SUCH-CODE');
        await box.getByRole('button', { name: tr(lang, 'promo.redeem'), exact: true }).click();
        await waitForText(box.getByTestId('promo-error'), tr(lang, 'promo.errors.unknown'));
        await box.getByLabel(tr(lang, 'promo.codeLabel'), { exact: true }).fill('Spring-2026');
        await box.getByRole('button', { name: tr(lang, 'promo.redeem'), exact: true }).click();
        await waitForText(box.getByTestId('promo-success'), tr(lang, 'promo.credited', { amount: rub(250_500_000, lang) }));
        await page.waitForFunction((old) => document.querySelector('[data-testid=topup-balance]')?.textContent !== old, before);
        const ledger = page.getByRole('row').filter({ hasText: tr(lang, 'ledger.kinds.promo') });
        await ledger.first().waitFor();
        assert.ok(squash(await ledger.first().innerText()).includes(squash(rub(250_500_000, lang))));
        await shot('topup-promo');
        await phoneShot('topup-promo');
        await box.getByLabel(tr(lang, 'promo.codeLabel'), { exact: true }).fill('spring-2026');
        await box.getByRole('button', { name: tr(lang, 'promo.redeem'), exact: true }).click();
        await waitForText(box.getByTestId('promo-error'), tr(lang, 'promo.errors.already'));
        assert.equal(await page.getByRole('row').filter({ hasText: tr(lang, 'ledger.kinds.promo') }).count(), 1, 'credited once');
      });
    });
  }

  test('the admin sees who redeemed, and disables the code (en-US)', async () => {
    const journey = await openJourney(browser, 'promo-admin-en', 'en-US', stack.gw.url);
    await journey.run(async () => {
      const { page, shot } = journey;
      await logIn(page, 'en', ADMIN_EMAIL, '/console/promo', 'promo.consoleTitle');
      const row = page.locator('[data-testid=promo-row][data-code="SPRING-2026"]');
      await waitForText(row.getByTestId('promo-uses'), '2 / 2');
      assert.equal(await row.getByTestId('promo-status').getAttribute('data-status'), 'used_up');
      await row.getByRole('button', { name: tr('en', 'promo.redemptions'), exact: true }).click();
      const dialog = page.getByRole('dialog', { name: tr('en', 'promo.redemptionsOf', { code: 'SPRING-2026' }) });
      await dialog.getByTestId('promo-redemption').nth(1).waitFor();
      const shown = await dialog.getByTestId('promo-redemption').allInnerTexts();
      assert.deepEqual(customers.map((email) => shown.some((text) => text.includes(email))), [true, true]);
      await shot('promo-redemptions');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await row.getByRole('button', { name: tr('en', 'promo.disable'), exact: true }).click();
      await page.waitForFunction(() => document.querySelector('[data-code="SPRING-2026"] [data-testid=promo-status]')?.getAttribute('data-status') === 'disabled');
      const audit = await stack.gw.app.services.audit.list({ action: 'promo.disable' });
      assert.equal(audit.data[0]?.actor, ADMIN_EMAIL);
      await shot('promo-disabled');
    });
  });
});
