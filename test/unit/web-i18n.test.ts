import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'src');
const PLURAL = /_(zero|one|two|few|many|other)$/;
type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (typeof value === 'string') out.set(key, value);
    else for (const [k, v] of flatten(value, key)) out.set(k, v);
  }
  return out;
}

const load = (lang: string) => flatten(JSON.parse(readFileSync(join(WEB, 'i18n', `${lang}.json`), 'utf8')) as Tree);
const ru = load('ru');
const en = load('en');
/** Keys without their plural suffix: Russian has _few and _many where English has none. */
const base = (keys: Iterable<string>) => new Set([...keys].map((k) => k.replace(PLURAL, '')));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('the dashboard translations', () => {
  test('Russian and English have the same keys', () => {
    const ruKeys = base(ru.keys());
    const enKeys = base(en.keys());
    assert.deepEqual([...ruKeys].filter((k) => !enKeys.has(k)), [], 'in ru.json only');
    assert.deepEqual([...enKeys].filter((k) => !ruKeys.has(k)), [], 'in en.json only');
  });

  test('no value is empty', () => {
    for (const [lang, strings] of [['ru', ru], ['en', en]] as const) {
      for (const [key, value] of strings) assert.ok(value.trim() !== '', `${lang}: ${key} is empty`);
    }
  });

  test('every plural key has each form its language needs', () => {
    for (const [lang, strings] of [['ru', ru], ['en', en]] as const) {
      const forms = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      const plural = new Set([...strings.keys()].filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
      for (const key of plural) for (const form of forms) assert.ok(strings.has(`${key}_${form}`), `${lang}: ${key}_${form} is missing`);
    }
  });

  test('placeholders match between the languages', () => {
    const names = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort().join(',');
    for (const [key, value] of en) {
      const other = ru.get(key) ?? ru.get(key.replace(PLURAL, '_other'));
      if (other !== undefined) assert.equal(names(other), names(value), key);
    }
  });

  test('every key the pages use exists (static keys and the families of built keys)', () => {
    const known = base(en.keys());
    const families = new Set([...known].map((k) => k.slice(0, k.lastIndexOf('.'))));
    const files = sources(WEB);
    assert.ok(files.length > 20, `found ${files.length} source files`);
    const missing: string[] = [];
    for (const file of files) {
      for (const [, key] of readFileSync(file, 'utf8').matchAll(/\bt\(\s*['`]([^'`]+)['`]/g)) {
        const dynamic = key!.indexOf('${');
        if (dynamic >= 0) {
          if (!families.has(key!.slice(0, dynamic - 1))) missing.push(`${file}: ${key}`);
        } else if (!known.has(key!)) missing.push(`${file}: ${key}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
