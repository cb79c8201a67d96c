import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startDashboard, type Dashboard } from '../helpers/session-browser.js';

interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** The least SMTP server nodemailer talks to: no TLS, no auth; every message it takes is kept. */
function fakeSmtp(): Promise<{ server: Server; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = createServer((socket: Socket) => {
    let mail: Mail = { from: '', to: [], data: '' };
    let inData = false;
    let buffer = '';
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            mails.push(mail);
            mail = { from: '', to: [], data: '' };
            socket.write('250 queued\r\n');
          } else mail.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake\r\n');
        else if (verb === 'MAIL') (mail.from = line), socket.write('250 ok\r\n');
        else if (verb === 'RCPT') mail.to.push(line), socket.write('250 ok\r\n');
        else if (verb === 'DATA') (inData = true), socket.write('354 go on\r\n');
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, mails })));
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('forgot password with SMTP_URL', () => {
  let smtp: Awaited<ReturnType<typeof fakeSmtp>>;
  let dash: Dashboard;
  before(async () => {
    smtp = await fakeSmtp();
    dash = await startDashboard({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, SMTP_FROM: 'Tollgate <no-reply@example.com>', PUBLIC_URL: 'https://llm.example.com' });
  });
  after(async () => {
    await dash.close();
    smtp.server.close();
  });

  it('mails a one-time link on PUBLIC_URL that sets the password; unknown emails get the same 202 and no mail', async () => {
    const email = `mail-${process.pid}@example.com`;
    await dash.browser().signup(email);
    assert.equal((await dash.browser().call('GET', '/api/session')).body.password_reset_mail, true);
    const unknown = await dash.browser().call('POST', '/api/auth/password-reset/request', { email: 'nobody@example.com' });
    assert.equal(unknown.status, 202);
    const known = await dash.browser().call('POST', '/api/auth/password-reset/request', { email: email.toUpperCase() });
    assert.equal(known.status, 202);
    const mail = await until(() => smtp.mails[0], 'the reset mail');
    assert.match(mail.from, /no-reply@example\.com/);
    assert.deepEqual(mail.to.map((r) => /<([^>]+)>/.exec(r)?.[1]), [email]);
    const link = /https:\/\/llm\.example\.com\/reset\?token=([\w-]{43})/.exec(mail.data.replace(/=\n/g, '').replace(/=3D/g, '='));
    assert.ok(link, `a link in:\n${mail.data}`);
    const browser = dash.browser();
    assert.equal((await browser.call('POST', '/api/auth/password-reset/confirm', { token: link[1]!, password: 'mailed new password' })).status, 204);
    assert.equal((await dash.browser().login(email, 'mailed new password')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(smtp.mails.length, 1, 'no mail for the unknown email');
    assert.ok(!dash.logs.join('').includes(link[1]!), 'the token never reaches the log');
  });

  it('mails one address at most 3 times an hour', async () => {
    const email = `flood-${process.pid}@example.com`;
    await dash.browser().signup(email);
    const before = smtp.mails.length;
    for (let i = 0; i < 5; i++) assert.equal((await dash.browser().call('POST', '/api/auth/password-reset/request', { email })).status, 202);
    await until(() => (smtp.mails.length >= before + 3 ? true : undefined), 'three mails');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(smtp.mails.length, before + 3);
  });
});
