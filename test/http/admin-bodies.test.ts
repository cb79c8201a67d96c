import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

/** Clients and proxies send `content-type: application/json` with nothing after it; that is no body, not a 400. */
describe('admin routes without a body, sent as JSON', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  const emptyJson = (method: string, path: string) =>
    rawRequest(gw.url, method, path, { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, '');

  test('DELETE /admin/keys/{id} with an empty JSON body revokes the key', async () => {
    const { keyId, key } = await gw.newKey();
    const res = await emptyJson('DELETE', `/admin/keys/${keyId}`);
    assert.equal(res.status, 200, res.body);
    assert.equal(JSON.parse(res.body).status, 'revoked');
    assert.equal((await gw.admin('GET', `/admin/keys/${keyId}`)).body.status, 'revoked');
    const call = await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(call.status, 401);
    await call.text();
  });

  test('an optional-body POST (key creation) with an empty JSON body means {}', async () => {
    const user = await gw.admin('POST', '/admin/users', { email: `empty-body-${Date.now()}@example.com` });
    const res = await emptyJson('POST', `/admin/users/${user.body.id}/keys`);
    assert.equal(res.status, 201, res.body);
    assert.ok(JSON.parse(res.body).key);
  });

  test('GET routes with an empty JSON body answer as without one', async () => {
    const user = await gw.admin('POST', '/admin/users', { email: `empty-get-${Date.now()}@example.com` });
    for (const path of ['/admin/users', `/admin/users/${user.body.id}`, `/admin/users/${user.body.id}/keys`, '/admin/settings']) {
      const res = await emptyJson('GET', path);
      assert.equal(res.status, 200, `${path}: ${res.body}`);
    }
  });

  test('a route that needs a body still refuses an empty one in the OpenAI shape, naming the problem', async () => {
    const res = await emptyJson('POST', '/admin/users');
    assert.equal(res.status, 400);
    const { error } = JSON.parse(res.body);
    assert.equal(error.code, 'invalid_request');
    assert.match(error.message, /JSON object/);
  });

  test('prototype poisoning is still refused', async () => {
    const user = await gw.admin('POST', '/admin/users', { email: `poison-${Date.now()}@example.com` });
    const res = await rawRequest(gw.url, 'POST', `/admin/users/${user.body.id}/keys`, { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, '{"__proto__":{"allow_balance":true}}');
    assert.equal(res.status, 400, res.body);
    assert.equal(JSON.parse(res.body).error.type, 'invalid_request_error');
  });

  test('an unknown route sent with an empty JSON body is a 404, not a complaint about the body', async () => {
    for (const path of ['/admin/nothing', '/v1/files/file_1', '/nothing']) {
      const res = await emptyJson('DELETE', path);
      assert.equal(res.status, 404, `${path}: ${res.body}`);
      assert.equal(JSON.parse(res.body).error.code, 'not_found');
    }
    // A stored response the key does not have (DELETE /v1/responses/{id} is a route since #11).
    const { key } = await gw.newKey();
    const res = await rawRequest(gw.url, 'DELETE', '/v1/responses/resp_1', { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, '');
    assert.equal(res.status, 404, res.body);
    assert.equal(JSON.parse(res.body).error.code, 'not_found');
  });

  test('/v1 and account routes take GET with an empty JSON body too', async () => {
    const { key } = await gw.newKey({ key: { allow_balance: true } });
    for (const path of ['/v1', '/v1/models', '/v1/me', '/v1/balance', '/v1/usage', '/v1/requests', '/proxyapi/balance']) {
      const res = await rawRequest(gw.url, 'GET', path, { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, '');
      assert.equal(res.status, 200, `${path}: ${res.body}`);
    }
  });
});
