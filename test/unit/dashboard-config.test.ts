import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { PROVIDERS } from '../../src/providers/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-dashboard-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const load = (env: Record<string, string> = {}) => loadConfig(PROVIDERS, env, dir);

function refuses(env: Record<string, string>, mentions: string): void {
  assert.throws(
    () => load(env),
    (err: unknown) => err instanceof ConfigError && err.message.includes(mentions),
    `${JSON.stringify(env)} should be refused naming ${mentions}`,
  );
}

describe('dashboard config', () => {
  it('defaults: open sign-up, no welcome credit, 14-day sessions, auto Secure, no SMTP, no proxy trusted', () => {
    const config = load();
    assert.deepEqual(
      { ...config.dashboard },
      { signup: 'open', welcomeCreditMicro: 0, sessionTtlMs: 336 * 3_600_000, cookieSecure: 'auto', publicUrl: undefined, smtp: undefined, topupContact: undefined },
    );
    assert.deepEqual(config.trustProxy, []);
  });

  it('reads every key, WELCOME_CREDIT exactly in micro-rubles', () => {
    const config = load({
      SIGNUP: 'closed',
      WELCOME_CREDIT: '49.900001',
      SESSION_TTL_HOURS: '2',
      SESSION_COOKIE_SECURE: 'on',
      PUBLIC_URL: 'https://llm.example.com/',
      SMTP_URL: 'smtps://u:p@smtp.example.com:465',
      SMTP_FROM: 'Tollgate <no-reply@example.com>',
      TOPUP_CONTACT: 'Write to billing@example.com',
      TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1',
    });
    assert.equal(config.dashboard.signup, 'closed');
    assert.equal(config.dashboard.welcomeCreditMicro, 49_900_001);
    assert.equal(config.dashboard.sessionTtlMs, 2 * 3_600_000);
    assert.equal(config.dashboard.cookieSecure, 'on');
    assert.equal(config.dashboard.publicUrl, 'https://llm.example.com');
    assert.deepEqual(config.dashboard.smtp, { url: 'smtps://u:p@smtp.example.com:465', from: 'Tollgate <no-reply@example.com>' });
    assert.equal(config.dashboard.topupContact, 'Write to billing@example.com');
    assert.deepEqual(config.trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1']);
    assert.equal(load({ WELCOME_CREDIT: '100' }).dashboard.welcomeCreditMicro, 100_000_000);
  });

  it('refuses bad values, naming the variable', () => {
    refuses({ SIGNUP: 'invite' }, 'SIGNUP');
    refuses({ WELCOME_CREDIT: '-5' }, 'WELCOME_CREDIT');
    refuses({ WELCOME_CREDIT: '1.0000001' }, 'WELCOME_CREDIT');
    refuses({ WELCOME_CREDIT: '1e3' }, 'WELCOME_CREDIT');
    refuses({ SESSION_TTL_HOURS: '0' }, 'SESSION_TTL_HOURS');
    refuses({ SESSION_COOKIE_SECURE: 'yes' }, 'SESSION_COOKIE_SECURE');
    refuses({ PUBLIC_URL: 'llm.example.com' }, 'PUBLIC_URL');
    refuses({ SMTP_URL: 'http://smtp.example.com' }, 'SMTP_URL');
    refuses({ SMTP_URL: 'smtp://smtp.example.com' }, 'SMTP_FROM');
    refuses({ TRUST_PROXY: 'proxy.internal' }, 'TRUST_PROXY');
  });
});
