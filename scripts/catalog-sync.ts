// `npm run catalog:sync [-- --check] [-- --as-of YYYY-MM-DD]`: rewrites data/catalog/<provider>.json from
// @pydantic/genai-prices (a devDependency) overlaid by data/catalog/overrides/<provider>.json, and prints the
// price changes for review. `--check` writes nothing and exits 1 when a seed file is out of date.
// The gateway never runs this: it reads only the seed files, so prices change only when an admin syncs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatChange, priceDiff } from './catalog/diff.js';
import { buildSeed, formatSeed, keepRetrievedDate, unusedPackageModels, type OverrideDoc, type SeedDoc } from './catalog/merge.js';
import { PACKAGE_PROVIDER, type PackageProvider } from './catalog/package-map.js';

const PACKAGE = '@pydantic/genai-prices';

interface PricesPackage {
  findProvider(options: { providerId: string }): unknown;
}

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

function packageVersion(): string {
  const require = createRequire(import.meta.url);
  const manifest = readJson<{ version: string }>(join(require.resolve(PACKAGE).replace(/dist[\\/].*$/, ''), 'package.json'));
  return manifest?.version ?? 'unknown';
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      'as-of': { type: 'string' },
      dir: { type: 'string', default: join(process.cwd(), 'data', 'catalog') },
      unused: { type: 'boolean', default: false },
    },
  });
  const asOf = values['as-of'] ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error('--as-of must be YYYY-MM-DD');
  const dir = values.dir!;
  const pkg = (await import(PACKAGE)) as PricesPackage;
  const label = `${PACKAGE} ${packageVersion()}`;
  let stale = 0;
  for (const [provider, packageId] of Object.entries(PACKAGE_PROVIDER)) {
    const override = readJson<OverrideDoc>(join(dir, 'overrides', `${provider}.json`));
    if (!override) throw new Error(`missing ${join(dir, 'overrides', `${provider}.json`)}`);
    const data = pkg.findProvider({ providerId: packageId }) as PackageProvider | undefined;
    const seedPath = join(dir, `${provider}.json`);
    const previous = readJson<SeedDoc>(seedPath);
    const built = buildSeed(override, data, asOf, label);
    const doc = keepRetrievedDate(built.doc, previous);
    const text = formatSeed(doc);
    const changes = priceDiff(previous, doc);
    const outOfDate = !previous || text !== readFileSync(seedPath, 'utf8');
    console.log(`## ${provider}: ${doc.models.length} models${outOfDate ? (values.check ? ' — OUT OF DATE' : ' — rewritten') : ' — up to date'}`);
    for (const change of changes) console.log(formatChange(provider, change));
    if (outOfDate && changes.length === 0) console.log('  (no price change: formatting, order or other fields)');
    for (const note of built.notes) console.log(`  note ${provider}/${note.model}: ${note.text}`);
    if (data && values.unused) console.log(`  in the package, not in the catalog: ${unusedPackageModels(data, doc).join(', ')}`);
    if (outOfDate) {
      stale++;
      if (!values.check) writeFileSync(seedPath, text);
    }
  }
  if (values.check && stale > 0) {
    console.error(`${stale} seed file(s) out of date: run npm run catalog:sync and review the diff`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
