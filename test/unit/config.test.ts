import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, SHIPPED_USD_RUB_RATE, loadConfig } from '../../src/config/index.js';
import { PROVIDERS } from '../../src/providers/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** An empty directory, so no stray tollgate.yaml is picked up. */
const emptyDir = tempDir();
const load = (env: Record<string, string | undefined> = {}, cwd: string = emptyDir) => loadConfig(PROVIDERS, env, cwd);

/** Asserts that loading fails with a ConfigError whose message contains every `mentions`. */
function refuses(env: Record<string, string | undefined>, mentions: string | string[], cwd: string = emptyDir): void {
  assert.throws(
    () => load(env, cwd),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      for (const text of [mentions].flat()) assert.ok(err.message.includes(text), `"${err.message}" should mention ${text}`);
      return true;
    },
    JSON.stringify(env),
  );
}

describe('loadConfig defaults', () => {
  it('uses the documented defaults with an empty environment', () => {
    const config = load({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.databaseUrl, 'sqlite:./data/tollgate.db');
    assert.equal(config.dataDir, join(emptyDir, 'data'));
    assert.equal(config.adminToken, undefined);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.upstream, { connectTimeoutMs: 10_000, headersTimeoutMs: 600_000, idleTimeoutMs: 300_000, connectionsPerOrigin: 256 });
    assert.equal(config.configFile, undefined);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.providers));
  });

  it('guards connections by default: 15 s for a request head, 15 s of body silence, 8192 sockets', () => {
    const config = load({});
    assert.deepEqual(config.connections, { headersTimeoutMs: 15_000, bodyIdleTimeoutMs: 15_000, maxConnections: 8192 });
    assert.ok(Object.isFrozen(config.connections));
  });

  it('reads the connection limits it is given', () => {
    const config = load({ HEADERS_TIMEOUT_MS: '5000', BODY_IDLE_TIMEOUT_MS: '120000', MAX_CONNECTIONS: '64' });
    assert.deepEqual(config.connections, { headersTimeoutMs: 5000, bodyIdleTimeoutMs: 120_000, maxConnections: 64 });
  });

  it('gives every provider its default base URL and no keys', () => {
    const config = load({});
    assert.deepEqual(Object.keys(config.providers).sort(), PROVIDERS.map((p) => p.id).sort());
    assert.equal(config.providers['openai']?.baseUrl, 'https://api.openai.com');
    assert.equal(config.providers['anthropic']?.baseUrl, 'https://api.anthropic.com');
    assert.equal(config.providers['gemini']?.baseUrl, 'https://generativelanguage.googleapis.com');
    assert.equal(config.providers['xai']?.baseUrl, 'https://api.x.ai');
    assert.equal(config.providers['deepseek']?.baseUrl, 'https://api.deepseek.com');
    assert.equal(config.providers['openrouter']?.baseUrl, 'https://openrouter.ai/api');
    for (const spec of PROVIDERS) assert.deepEqual(config.providers[spec.id]?.apiKeys, [], spec.id);
  });

  it('reads the values it is given', () => {
    const config = load({
      PORT: '9090',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u@db:5432/tollgate',
      LOG_LEVEL: 'debug',
      UPSTREAM_CONNECT_TIMEOUT_MS: '2500',
      UPSTREAM_HEADERS_TIMEOUT_MS: '60000',
      UPSTREAM_IDLE_TIMEOUT_MS: '1',
      UPSTREAM_CONNECTIONS: '12000',
      ADMIN_TOKEN: '0123456789abcdef',
      OPENAI_API_KEY: ' sk-env ',
    });
    assert.equal(config.port, 9090);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.databaseUrl, 'postgres://u@db:5432/tollgate');
    assert.equal(config.logLevel, 'debug');
    assert.deepEqual(config.upstream, { connectTimeoutMs: 2500, headersTimeoutMs: 60_000, idleTimeoutMs: 1, connectionsPerOrigin: 12_000 });
    assert.equal(config.adminToken, '0123456789abcdef');
    assert.deepEqual(config.providers['openai']?.apiKeys, ['sk-env']);
    assert.equal(load({ PORT: '0' }).port, 0, 'port 0 asks for an ephemeral port');
    assert.equal(load({ DATABASE_URL: 'postgresql://h/db' }).databaseUrl, 'postgresql://h/db');
    assert.equal(load({ DATABASE_URL: 'sqlite:/tmp/x.db' }).databaseUrl, 'sqlite:/tmp/x.db');
    assert.equal(load({ PORT: '', LOG_LEVEL: '  ' }).port, 8080, 'empty values mean unset');
  });

  it('keeps the SQLite file in DATA_DIR unless DATABASE_URL names one (tollgate serve --data-dir, the image\'s /data)', () => {
    assert.equal(load({}).sqliteFile, join(emptyDir, 'data', 'tollgate.db'));
    const given = load({ DATA_DIR: './state/' });
    assert.equal(given.dataDir, join(emptyDir, 'state'));
    assert.equal(given.sqliteFile, join(emptyDir, 'state', 'tollgate.db'));
    assert.equal(load({ DATA_DIR: '/srv/tg' }).databaseUrl, 'sqlite:/srv/tg/tollgate.db');
    assert.equal(load({ DATA_DIR: '/srv/tg', DATABASE_URL: 'sqlite:/tmp/x.db' }).sqliteFile, '/tmp/x.db', 'DATABASE_URL wins');
  });
});

describe('loadConfig refusals name the variable', () => {
  it('refuses a bad PORT', () => {
    for (const port of ['abc', '-1', '65536', '80.5', '8080x', '1e3']) refuses({ PORT: port }, 'PORT');
  });

  it('refuses bad timeouts', () => {
    for (const name of ['UPSTREAM_CONNECT_TIMEOUT_MS', 'UPSTREAM_HEADERS_TIMEOUT_MS', 'UPSTREAM_IDLE_TIMEOUT_MS']) {
      for (const value of ['0', 'soon', '-5', '3600001', '1.5']) refuses({ [name]: value }, name);
    }
  });

  it('refuses bad connection limits', () => {
    for (const value of ['0', '99', '300001', 'soon', '1.5', '-5']) refuses({ HEADERS_TIMEOUT_MS: value }, 'HEADERS_TIMEOUT_MS');
    for (const value of ['0', '99', '3600001', '15s']) refuses({ BODY_IDLE_TIMEOUT_MS: value }, 'BODY_IDLE_TIMEOUT_MS');
    for (const value of ['0', '1000001', 'many', '-1']) refuses({ MAX_CONNECTIONS: value }, 'MAX_CONNECTIONS');
  });

  it('refuses a DATABASE_URL that is neither sqlite nor postgres', () => {
    for (const url of ['mysql://h/db', './data/tollgate.db', 'http://db', 'sqlite3:x.db', 'postgres:/x']) refuses({ DATABASE_URL: url }, 'DATABASE_URL');
  });

  it('refuses an unknown LOG_LEVEL', () => {
    for (const level of ['verbose', 'INFO', 'warning']) refuses({ LOG_LEVEL: level }, 'LOG_LEVEL');
    assert.equal(load({ LOG_LEVEL: 'silent' }).logLevel, 'silent');
  });

  it('refuses an ADMIN_TOKEN shorter than 16 characters', () => {
    refuses({ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN');
    refuses({ ADMIN_TOKEN: '0123456789abcde' }, 'ADMIN_TOKEN');
    assert.equal(load({ ADMIN_TOKEN: '0123456789abcdef' }).adminToken, '0123456789abcdef');
  });
});

describe('provider base URLs', () => {
  it('refuses a version segment', () => {
    refuses({ OPENAI_BASE_URL: 'https://api.openai.com/v1' }, 'OPENAI_BASE_URL');
    refuses({ OPENAI_BASE_URL: 'https://api.openai.com/v1/' }, 'OPENAI_BASE_URL');
    refuses({ OPENAI_BASE_URL: 'http://localhost:4000/proxy/v1' }, 'OPENAI_BASE_URL');
    refuses({ GEMINI_BASE_URL: 'https://generativelanguage.googleapis.com/v1beta' }, 'GEMINI_BASE_URL');
    refuses({ ANTHROPIC_BASE_URL: 'https://api.anthropic.com/v1' }, 'ANTHROPIC_BASE_URL');
  });

  it('refuses a query, a fragment, credentials and non-http URLs', () => {
    refuses({ OPENAI_BASE_URL: 'https://api.openai.com?api-version=1' }, 'OPENAI_BASE_URL');
    refuses({ OPENAI_BASE_URL: 'https://api.openai.com/#x' }, 'OPENAI_BASE_URL');
    refuses({ XAI_BASE_URL: 'https://user:pw@api.x.ai' }, 'XAI_BASE_URL');
    refuses({ DEEPSEEK_BASE_URL: 'ftp://api.deepseek.com' }, 'DEEPSEEK_BASE_URL');
    refuses({ OPENROUTER_BASE_URL: 'not a url' }, 'OPENROUTER_BASE_URL');
  });

  it('normalises a trailing slash and keeps a path prefix', () => {
    assert.equal(load({ OPENAI_BASE_URL: 'https://api.openai.com/' }).providers['openai']?.baseUrl, 'https://api.openai.com');
    assert.equal(load({ OPENAI_BASE_URL: 'http://127.0.0.1:4000/openai/' }).providers['openai']?.baseUrl, 'http://127.0.0.1:4000/openai');
    assert.equal(load({ OPENROUTER_BASE_URL: 'https://openrouter.ai/api//' }).providers['openrouter']?.baseUrl, 'https://openrouter.ai/api');
    const config = load({ ANTHROPIC_BASE_URL: 'http://localhost:9999' });
    assert.equal(config.providers['anthropic']?.baseUrl, 'http://localhost:9999');
    assert.equal(config.providers['openai']?.baseUrl, 'https://api.openai.com', 'other providers keep their default');
  });
});

describe('tollgate.yaml / tollgate.json', () => {
  it('merges providers.openai.api_keys from tollgate.yaml after the env key, without duplicates', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'tollgate.yaml'),
      ['providers:', '  openai:', '    api_keys:', '      - sk-file-1', '      - sk-env', '      - sk-file-2', '  anthropic:', '    api_key: sk-ant-file', ''].join('\n'),
    );
    const config = load({ OPENAI_API_KEY: 'sk-env' }, dir);
    assert.equal(config.configFile, join(dir, 'tollgate.yaml'));
    assert.deepEqual(config.providers['openai']?.apiKeys, ['sk-env', 'sk-file-1', 'sk-file-2']);
    assert.deepEqual(config.providers['anthropic']?.apiKeys, ['sk-ant-file']);
    assert.deepEqual(config.providers['gemini']?.apiKeys, []);
    assert.deepEqual(load({}, dir).providers['openai']?.apiKeys, ['sk-file-1', 'sk-env', 'sk-file-2']);
  });

  it('reads tollgate.json, including base_url, and lets the env base URL win', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'tollgate.json'),
      JSON.stringify({ providers: { openai: { api_keys: ['sk-a', 'sk-b'], base_url: 'http://127.0.0.1:7000/oai/' } } }),
    );
    const config = load({ OPENAI_API_KEY: 'sk-env' }, dir);
    assert.equal(config.configFile, join(dir, 'tollgate.json'));
    assert.deepEqual(config.providers['openai']?.apiKeys, ['sk-env', 'sk-a', 'sk-b']);
    assert.equal(config.providers['openai']?.baseUrl, 'http://127.0.0.1:7000/oai');
    assert.equal(load({ OPENAI_BASE_URL: 'http://other:1' }, dir).providers['openai']?.baseUrl, 'http://other:1');
  });

  it('refuses a version segment in a file base_url, naming where it came from', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tollgate.yaml'), 'providers:\n  openai:\n    base_url: https://api.openai.com/v1\n');
    refuses({}, ['providers.openai.base_url'], dir);
  });

  it('refuses an unknown provider in the file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tollgate.yaml'), 'providers:\n  opneai:\n    api_keys: [sk-x]\n');
    refuses({}, ['opneai', 'unknown provider'], dir);
    const jsonDir = tempDir();
    writeFileSync(join(jsonDir, 'tollgate.json'), '{"providers":{"mistral":{"api_keys":["k"]}}}');
    refuses({}, 'mistral', jsonDir);
  });

  it('refuses malformed files and api_keys that are not a list of strings', () => {
    const bad = tempDir();
    writeFileSync(join(bad, 'tollgate.json'), '{"providers": ');
    refuses({}, 'tollgate.json', bad);
    const notList = tempDir();
    writeFileSync(join(notList, 'tollgate.yaml'), 'providers:\n  openai:\n    api_keys: [1, ""]\n');
    refuses({}, 'providers.openai.api_keys', notList);
  });

  it('reads an explicit TOLLGATE_CONFIG and refuses a missing one, naming it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'elsewhere.yaml'), 'providers:\n  xai:\n    api_keys: [xai-1]\n');
    assert.deepEqual(load({ TOLLGATE_CONFIG: 'elsewhere.yaml' }, dir).providers['xai']?.apiKeys, ['xai-1']);
    refuses({ TOLLGATE_CONFIG: 'missing.yaml' }, 'TOLLGATE_CONFIG', dir);
  });

  it('declares custom OpenAI-compatible upstreams with their models; refuses half-declared ones', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'tollgate.yaml'),
      ['providers:', '  local-vllm:', '    type: openai-compatible', '    base_url: http://127.0.0.1:8000', '    models: [llama-3.1-8b]', ''].join('\n'),
    );
    const config = load({}, dir);
    assert.deepEqual(config.customProviders, [{ id: 'local-vllm', models: ['llama-3.1-8b'] }]);
    assert.deepEqual(config.providers['local-vllm'], { baseUrl: 'http://127.0.0.1:8000', apiKeys: [''] });
    const cases: Array<[string, string]> = [
      ['  mine:\n    type: openai-compatible\n    models: [m]\n', 'base_url is required'],
      ['  mine:\n    type: openai-compatible\n    base_url: http://h\n', 'models must list'],
      ['  mine:\n    type: anthropic\n    base_url: http://h\n    models: [m]\n', 'type must be'],
      ['  openai:\n    type: openai-compatible\n    base_url: http://h\n    models: [m]\n', 'built-in provider'],
      ['  openai:\n    models: [m]\n', 'only read for type'],
      ['  My_Host:\n    type: openai-compatible\n    base_url: http://h\n    models: [m]\n', 'lowercase'],
      ['  google:\n    type: openai-compatible\n    base_url: http://h\n    models: [m]\n', 'another name of a built-in provider'],
    ];
    for (const [text, mention] of cases) {
      const bad = tempDir();
      writeFileSync(join(bad, 'tollgate.yaml'), `providers:\n${text}`);
      refuses({}, mention, bad);
    }
  });
});

describe('USD_RUB_RATE', () => {
  const load = (rate?: string) => loadConfig(PROVIDERS, { DATABASE_URL: 'sqlite::memory:', ...(rate === undefined ? {} : { USD_RUB_RATE: rate }) });

  it('defaults to the shipped, dated rate; takes the operator\'s; "none" or empty means no rate', () => {
    assert.deepEqual(load().usdRubRate, { rate: SHIPPED_USD_RUB_RATE.rate, source: 'shipped' });
    assert.match(SHIPPED_USD_RUB_RATE.asOf, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(load(' 92.5 ').usdRubRate, { rate: '92.5', source: 'env' });
    assert.equal(load('none').usdRubRate, undefined);
    assert.equal(load('').usdRubRate, undefined);
  });

  it('refuses a rate that is not a positive decimal of at most 6 places', () => {
    for (const bad of ['-1', '0', '0.000', '1.1234567', 'abc', '1e3', '92,5']) assert.throws(() => load(bad), ConfigError, bad);
  });
});

describe('OPENROUTER_MODELS_REFRESH', () => {
  it('is 6 hours by default, a period with its unit, or off', () => {
    assert.equal(load().openrouterModelsRefreshMs, 6 * 3_600_000);
    assert.equal(load({ OPENROUTER_MODELS_REFRESH: '30m' }).openrouterModelsRefreshMs, 1_800_000);
    assert.equal(load({ OPENROUTER_MODELS_REFRESH: '90s' }).openrouterModelsRefreshMs, 90_000);
    assert.equal(load({ OPENROUTER_MODELS_REFRESH: 'off' }).openrouterModelsRefreshMs, undefined);
  });

  it('refuses a period without a unit, under a minute or over a week', () => {
    for (const bad of ['6', '10s', '169h', '1.5h', 'soon']) refuses({ OPENROUTER_MODELS_REFRESH: bad }, 'OPENROUTER_MODELS_REFRESH');
  });
});
