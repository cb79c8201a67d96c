// What the journeys share: the web app's own strings (so every step also checks the page is in the right
// language), ruble amounts as the page prints them, and moving between pages through the menu.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from '../helpers/process.js';

export type Lang = 'ru' | 'en';
type Strings = { [key: string]: string | Strings };

const STRINGS: Record<Lang, Strings> = {
  ru: JSON.parse(readFileSync(join(ROOT, 'web/src/i18n/ru.json'), 'utf8')) as Strings,
  en: JSON.parse(readFileSync(join(ROOT, 'web/src/i18n/en.json'), 'utf8')) as Strings,
};

/** The web app's text for `key` ("keys.create") in `lang`, with `{{name}}` filled from `values`. */
export function tr(lang: Lang, key: string, values: Record<string, string> = {}): string {
  let node: string | Strings | undefined = STRINGS[lang];
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  if (typeof node !== 'string') throw new Error(`no ${lang} string ${key} in web/src/i18n/${lang}.json`);
  return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? `{{${name}}}`);
}

function leaves(node: Strings): string[] {
  return Object.values(node).flatMap((value) => (typeof value === 'string' ? [value] : leaves(value)));
}

/** The English strings that have a different Russian text: one of them on a Russian page was left untranslated. */
const ENGLISH_ONLY = (() => {
  const russian = new Set(leaves(STRINGS.ru));
  // Placeholders are filled in, so only whole texts without them can be looked for.
  return new Set(leaves(STRINGS.en).filter((text) => !russian.has(text) && !text.includes('{{') && /[a-z]{3}/.test(text)));
})();

/** For `openJourney`'s `inspect`: the English texts shown whole in some element of a Russian page. */
export function untranslated(lang: Lang): (page: Page) => Promise<string[]> {
  if (lang !== 'ru') return async () => [];
  return async (page) => {
    const texts = await page.evaluate(() => {
      const shown = new Set<string>();
      for (const element of document.body.querySelectorAll('*')) {
        const own = [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent ?? '').join('').trim();
        if (own) shown.add(own);
        for (const attribute of ['aria-label', 'placeholder', 'title']) {
          const value = element.getAttribute(attribute)?.trim();
          if (value) shown.add(value);
        }
      }
      return [...shown];
    });
    return texts.filter((text) => ENGLISH_ONLY.has(text)).map((text) => `untranslated on a Russian page: "${text}"`);
  };
}

/**
 * Micro-rubles as the page prints a kopeck-exact amount: "1 234,50 ₽" (ru, no-break spaces) or "₽1,234.50" (en).
 * The journeys pick usages whose charges are whole kopecks, so both the 2-decimal and the precise format show this.
 */
export function rub(micro: number, lang: Lang): string {
  assert.equal(micro % 10_000, 0, `${micro} micro-rubles is not a whole number of kopecks`);
  const negative = micro < 0;
  const kopecks = Math.abs(micro) / 10_000;
  const whole = Math.floor(kopecks / 100).toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-US');
  const number = `${whole}${lang === 'ru' ? ',' : '.'}${String(kopecks % 100).padStart(2, '0')}`;
  const signed = lang === 'ru' ? `${number}\u00a0₽` : `₽${number}`;
  return negative ? `-${signed}` : signed;
}

/** The visible text with every kind of space made a plain one, for comparing with `rub()` loosely. */
export function squash(text: string): string {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
}

/** Follows the main menu's link to a page and waits for its heading. */
export async function openFromMenu(page: Page, lang: Lang, navKey: string, titleKey: string): Promise<void> {
  const menu = page.getByRole('navigation', { name: tr(lang, 'nav.main') });
  await menu.getByRole('link', { name: tr(lang, navKey), exact: true }).click();
  await heading(page, lang, titleKey);
}

/** Waits for the page's h1 to be `titleKey`'s text, and checks the document says it is in `lang`. */
export async function heading(page: Page, lang: Lang, titleKey: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: tr(lang, titleKey), exact: true }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), lang, 'the document language follows the browser');
}

/** Today as the usage series names it (UTC days). */
export function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Waits up to 5 s for the element's text to be `expected` (spaces compared loosely): the app refetches after a change. */
export async function waitForText(locator: Locator, expected: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  let text = squash(await locator.innerText());
  while (text !== squash(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    text = squash(await locator.innerText());
  }
  assert.equal(text, squash(expected));
}
