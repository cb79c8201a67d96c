import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { Lang } from '../lib/money';
import en from './en.json';
import ru from './ru.json';

export const LANGUAGES: readonly Lang[] = ['ru', 'en'];
const STORAGE_KEY = 'tollgate.lang';

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { ru: { translation: ru }, en: { translation: en } },
    supportedLngs: LANGUAGES as Lang[],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    detection: {
      // A language picked in the switcher wins; otherwise the browser's preference (Russian when it prefers it).
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: STORAGE_KEY,
      // Not cached on detection: only an explicit choice is remembered, so the browser's preference keeps applying.
      caches: [],
    },
    returnNull: false,
  });

function applyDocumentLanguage(lng: string): void {
  document.documentElement.lang = lng.startsWith('ru') ? 'ru' : 'en';
}
applyDocumentLanguage(i18n.resolvedLanguage ?? 'en');
i18n.on('languageChanged', applyDocumentLanguage);

/** Switches and remembers the language (localStorage). */
export function chooseLanguage(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // private mode: the choice lasts this visit only
  }
  void i18n.changeLanguage(lang);
}

/** `t` plus the current language as the formatters take it. */
export function useLang(): { t: ReturnType<typeof useTranslation>['t']; lang: Lang } {
  const { t, i18n: instance } = useTranslation();
  const lang: Lang = (instance.resolvedLanguage ?? instance.language).startsWith('ru') ? 'ru' : 'en';
  return { t, lang };
}

export default i18n;
