// What an operator deploys (issue #14): the npm package and the Docker image. No image can be built here
// (no registry for base images), so the Dockerfile is checked as far as it goes without Docker: its stages,
// user, environment, healthcheck and command, every path it copies (from the build context, or from the
// build stage after the same `npm run build`), and its runtime layout assembled from those COPY lines,
// started with its CMD and asked by its HEALTHCHECK. One scratch build serves both: the Dockerfile's build
// stage (its COPY lines, then its `npm run build`, node_modules linked in place of `npm ci`; ~30 s), then
// `npm pack` of that build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/index.js';
import { PROVIDERS } from '../../src/providers/index.js';
import { ROOT } from '../helpers/process.js';
import { buildAndPack, dockerIgnores, freePort, readDockerfile, readText, serveFrom, type Packed } from '../helpers/package-build.js';

const ADMIN_TOKEN = 'package-test-admin-token';
/** Imported by dist/src only on a path the built server never takes: the SQLite writer under tsx (.ts sources). */
const DEV_ONLY = new Set(['tsx']);

async function status(url: string): Promise<number> {
  return (await fetch(url, { signal: AbortSignal.timeout(3000) })).status;
}

/** The dashboard's built page is served (not the "not built" placeholder): dist/web found from the package. */
async function servesDashboard(base: string): Promise<void> {
  const page = await (await fetch(`${base}/`, { headers: { accept: 'text/html' } })).text();
  assert.doesNotMatch(page, /not built/);
  assert.match(page, /<script type="module"[^>]* src="\/assets\/index-[^"]+\.js"/);
}

describe('the deployable package', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-package-'));
  let packed: Packed;
  before(() => {
    packed = buildAndPack(dir, readText(join(ROOT, 'Dockerfile')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('npm pack ships the built server, the CLI, the dashboard, the seed catalog and the notices, and no sources', () => {
    const files = new Set(packed.files);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/src/main.js', 'dist/src/cli/index.js', 'dist/web/index.html']) {
      assert.ok(files.has(f), `${f} is in the package`);
    }
    const catalog = readdirSync(join(ROOT, 'data/catalog')).filter((f) => f.endsWith('.json'));
    assert.ok(catalog.length >= 5);
    for (const f of catalog) assert.ok(files.has(`data/catalog/${f}`), `data/catalog/${f} is in the package`);
    const strays = packed.files.filter((f) => /^(src|test|web|node_modules|scripts|bench|docs|data\/catalog\/overrides)\//.test(f) || /\.(ts|map)$/.test(f));
    assert.deepEqual(strays, [], 'no sources, tests, source maps or installed modules');
    assert.ok(packed.files.some((f) => f.startsWith('dist/web/assets/')), 'the dashboard assets');
    const manifest = JSON.parse(readText(join(packed.repo, 'package.json'))) as Record<string, unknown>;
    assert.equal(manifest['private'], undefined, 'a private package cannot be published');
    assert.equal(manifest['license'], 'Apache-2.0');
    assert.equal((manifest['scripts'] as Record<string, string>)['prepack'], 'npm run build', 'npm pack builds first');
    assert.match(readText(join(ROOT, 'LICENSE')), /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
  });

  it('everything the built server imports is a production dependency (what npm prune --omit=dev keeps)', () => {
    const manifest = JSON.parse(readText(join(ROOT, 'package.json'))) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readText(join(ROOT, 'package-lock.json'))) as { packages: Record<string, { dev?: boolean }> };
    const imported = new Set<string>();
    const walk = (folder: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.js')) {
          for (const m of readText(path).matchAll(/(?:from |import\(|\)\(|\.resolve\()'([^'.][^']*)'/g)) {
            const id = m[1]!;
            if (!id.startsWith('node:')) imported.add(id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/'));
          }
        }
      }
    };
    walk(join(packed.repo, 'dist/src'));
    for (const known of ['fastify', 'better-sqlite3', 'pg', 'kysely', 'yaml']) assert.ok(imported.has(known), `the scan finds ${known}`);
    for (const id of [...imported].filter((i) => !DEV_ONLY.has(i))) {
      assert.ok(manifest.dependencies[id], `${id} (imported by dist/src) is in dependencies, not devDependencies`);
      assert.notEqual(lock.packages[`node_modules/${id}`]?.dev, true, `${id} is not dev-only in package-lock.json`);
    }
  });

  it('the installed package serves from any folder: its data dir by --data-dir, else ./data of that folder', async () => {
    const install = join(dir, 'install');
    mkdirSync(install);
    const tar = spawnSync('tar', ['-xzf', packed.tarball, '-C', install], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);
    const pkg = join(install, 'package');
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules')); // the registry is not reachable here
    const cli = join(pkg, 'dist/src/cli/index.js');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const env = { PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN };

    const flagged = await serveFrom([process.execPath, cli, 'serve', '--data-dir', './state'], elsewhere, env);
    try {
      assert.equal(await status(`${flagged.url}/health`), 200);
      await servesDashboard(flagged.url);
    } finally {
      await flagged.stop();
    }
    assert.ok(existsSync(join(elsewhere, 'state', 'tollgate.db')), `the SQLite file is in the given data dir:\n${flagged.output()}`);
    assert.equal(existsSync(join(elsewhere, 'data')), false, 'nothing written to ./data when a data dir is given');
    assert.equal(existsSync(join(pkg, 'data', 'tollgate.db')), false, 'nothing written into the package');

    const plain = await serveFrom([process.execPath, cli, 'serve'], elsewhere, env);
    try {
      assert.equal(await status(`${plain.url}/health`), 200);
    } finally {
      await plain.stop();
    }
    assert.ok(existsSync(join(elsewhere, 'data', 'tollgate.db')), 'without a flag: ./data of the folder it runs in');
  });

  it('compose.yaml: two nodes of one image with their own NODE_ID on the PostgreSQL and Redis services, after a healthy database', () => {
    // What `docker compose` does with ${VAR:?…} / ${VAR:-default}, given the two variables it demands.
    const given: Record<string, string> = { ADMIN_TOKEN: 'compose-admin-token-0123', POSTGRES_PASSWORD: 'pw' };
    // Compose interpolates the parsed values (so `${X:-}` is an empty string, not YAML's null).
    const interpolate = (value: unknown): unknown => {
      if (typeof value === 'string') {
        return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
          if (given[name] !== undefined) return given[name]!;
          assert.notEqual(kind, '?', `compose.yaml demands ${name}`);
          return rest ?? '';
        });
      }
      if (Array.isArray(value)) return value.map(interpolate);
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
      return value;
    };
    const compose = interpolate(parse(readText(join(ROOT, 'compose.yaml')), { merge: true })) as {
      services: Record<string, { image?: string; build?: string; environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown; volumes?: string[] }>;
      volumes: Record<string, unknown>;
    };
    const nodes = Object.entries(compose.services).filter(([, s]) => s.build === '.');
    assert.equal(nodes.length, 2, 'two tollgate services built from this Dockerfile');
    assert.equal(new Set(nodes.map(([, s]) => s.image)).size, 1, 'one image');
    assert.deepEqual(new Set(nodes.map(([, s]) => s.environment?.['NODE_ID'])).size, 2, 'each node its own NODE_ID');
    const postgres = compose.services['postgres']!;
    assert.match(String(postgres.image), /^postgres:16/);
    assert.ok(postgres.healthcheck, 'the database has a healthcheck');
    assert.ok(postgres.volumes?.some((v) => compose.volumes[v.split(':')[0]!] !== undefined), 'its data on a named volume');
    assert.match(String(compose.services['redis']?.image), /^redis:7/);
    for (const [name, node] of nodes) {
      const env = node.environment!;
      assert.equal(node.depends_on?.['postgres']?.condition, 'service_healthy', `${name} waits for a healthy database`);
      assert.equal(new URL(env['DATABASE_URL']!).host, 'postgres:5432', `${name} on the postgres service`);
      assert.equal(new URL(env['REDIS_URL']!).hostname, 'redis', `${name} on the redis service`);
      // The environment a node gets loads (empty optional variables are unset, the admin token long enough).
      const config = loadConfig(PROVIDERS, { ...env, HOST: '0.0.0.0' }, dir);
      assert.equal(config.adminToken, given['ADMIN_TOKEN']);
      assert.equal(config.sqliteFile, undefined, 'not SQLite: several nodes share PostgreSQL');
    }
  });

  describe('the Dockerfile', () => {
    const text = readText(join(ROOT, 'Dockerfile'));
    const { stages, instructions } = readDockerfile(text);
    const of = (stage: number, op: string) => instructions.filter((i) => i.stage === stage && i.op === op);
    const runtime = stages.length - 1;

    it('builds on node:22-slim with npm ci, npm run build and npm prune --omit=dev, and runs as node', () => {
      assert.deepEqual(stages, ['node:22-slim AS build', 'node:22-slim'], 'two stages on Node 22 LTS slim');
      const runs = of(0, 'RUN').map((i) => i.args);
      const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((cmd) => runs.findIndex((r) => r.startsWith(cmd)));
      assert.ok(order.every((at, k) => at >= 0 && (k === 0 || at > order[k - 1]!)), `build stage runs npm ci → npm run build → npm prune, got ${JSON.stringify(runs)}`);
      assert.deepEqual(of(runtime, 'USER').map((i) => i.args), ['node'], 'the server runs as the unprivileged node user');
      const userAt = instructions.findIndex((i) => i.stage === runtime && i.op === 'USER');
      assert.ok(instructions.findIndex((i) => i.stage === runtime && i.op === 'CMD') > userAt, 'CMD comes after USER');
      assert.deepEqual(JSON.parse(of(runtime, 'CMD')[0]!.args), ['node', 'dist/src/main.js']);
      assert.deepEqual(of(runtime, 'EXPOSE').map((i) => i.args), ['8080']);
      const env = of(runtime, 'ENV').map((i) => i.args).join(' ');
      for (const pair of ['HOST=0.0.0.0', 'DATA_DIR=/data', 'DATABASE_URL=sqlite:/data/tollgate.db', 'PORT=8080']) assert.ok(env.includes(pair), `ENV ${pair}`);
      assert.match(of(runtime, 'HEALTHCHECK')[0]?.args ?? '', /CMD \["node", "-e", .*\/health/, 'a healthcheck with node (slim has no curl)');
      assert.equal(of(runtime, 'RUN').some((i) => /npm (ci|install)/.test(i.args)), false, 'the runtime stage installs nothing');
    });

    it('every path it copies exists: from the context (not left out by .dockerignore) or from the build stage after the build', () => {
      const ignore = readText(join(ROOT, '.dockerignore'));
      for (const leftOut of ['node_modules', 'web/node_modules', 'dist/src/main.js', 'data/tollgate.db', 'test/e2e/package.test.ts', '.git']) {
        assert.ok(dockerIgnores(ignore, leftOut), `.dockerignore leaves out ${leftOut}`);
      }
      const copies = instructions.filter((i) => i.op === 'COPY');
      assert.ok(copies.length >= 8);
      for (const copy of copies) {
        const words = copy.args.split(' ');
        const fromBuild = words[0] === '--from=build';
        const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
        for (const source of sources) {
          const base = fromBuild ? packed.repo : ROOT;
          const relative = fromBuild ? source.replace(/^\/app\//, '') : source.replace(/^\.\//, '');
          const folder = relative.includes('*') ? dirname(relative) : relative;
          assert.ok(existsSync(join(base, folder)), `COPY ${copy.args}: ${source} exists ${fromBuild ? 'after the build' : 'in the context'}`);
          if (!fromBuild) assert.equal(dockerIgnores(ignore, folder), false, `.dockerignore keeps ${folder}`);
          if (relative.includes('*')) assert.ok(readdirSync(join(base, folder)).some((f) => f.endsWith(relative.split('*').pop()!)), `${source} matches files`);
        }
      }
    });

    it('its runtime layout, assembled from its COPY lines, starts with its CMD and passes its HEALTHCHECK', async () => {
      const app = join(dir, 'image', 'app');
      mkdirSync(app, { recursive: true });
      for (const copy of of(runtime, 'COPY')) {
        const words = copy.args.split(' ').filter((w) => !w.startsWith('--'));
        const target = join(app, words.pop()!);
        for (const source of words) {
          const fromBuild = copy.args.startsWith('--from=build');
          const path = fromBuild ? join(packed.repo, source.replace(/^\/app\//, '')) : join(ROOT, source);
          if (source.endsWith('node_modules')) symlinkSync(join(ROOT, 'node_modules'), target); // not pruned here: the import check above covers it
          else if (source.includes('*')) {
            mkdirSync(target, { recursive: true });
            const suffix = source.split('*').pop()!;
            for (const f of readdirSync(dirname(path)).filter((n) => n.endsWith(suffix))) cpSync(join(dirname(path), f), join(target, f));
          } else cpSync(path, target, { recursive: true });
        }
      }
      const data = join(dir, 'image', 'data');
      const port = String(await freePort());
      // The image's environment, with /data and the port moved into this test's scratch folder.
      const env = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: port, DATA_DIR: data, DATABASE_URL: `sqlite:${data}/tollgate.db`, ADMIN_TOKEN };
      const cmd = JSON.parse(of(runtime, 'CMD')[0]!.args) as string[];
      const health = JSON.parse(/CMD (\[.*\])$/.exec(of(runtime, 'HEALTHCHECK')[0]!.args)![1]!) as string[];
      const check = () => spawnSync(health[0] === 'node' ? process.execPath : health[0]!, health.slice(1), { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 10_000 }).status;
      const server = await serveFrom([cmd[0] === 'node' ? process.execPath : cmd[0]!, ...cmd.slice(1)], app, env);
      try {
        assert.equal(check(), 0, `the HEALTHCHECK passes while the server runs:\n${server.output()}`);
        await servesDashboard(server.url);
      } finally {
        await server.stop();
      }
      assert.ok(existsSync(join(data, 'tollgate.db')), 'the database is in DATA_DIR (the /data volume)');
      assert.equal(check(), 1, 'the HEALTHCHECK fails once nothing answers');
    });
  });
});
