import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startStack, type Stack } from '../helpers/stack.js';

const DEEP = 100_000;
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth);

/** JSON nested far deeper than any real request must be a 400 in the OpenAI shape, never a stack overflow (500). */
describe('/v1 refuses JSON nested too deep', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack();
    client = new OpenAI({ apiKey: stack.key, baseURL: `${stack.gw.url}/v1`, maxRetries: 0 });
  });
  after(() => stack.close());

  const post = async (path: string, body: string) => {
    const res = await fetch(stack.gw.url + path, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as { error: { type: string; code: string; message: string } } };
  };
  const assertTooDeep = (res: { status: number; body: { error: { type: string; code: string; message: string } } }, what: string) => {
    assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`);
    assert.equal(res.body.error.type, 'invalid_request_error', what);
    assert.match(res.body.error.message, /nested/, what);
  };

  for (const model of ['gpt-4o', 'claude-sonnet-4-20250514', 'gemini-2.5-flash']) {
    test(`chat with ${model}: a message of [ × ${DEEP}`, async () => {
      const body = `{"model":"${model}","messages":[{"role":"user","content":${deepArray(DEEP)}}]}`;
      assertTooDeep(await post('/v1/chat/completions', body), model);
    });

    test(`chat with ${model}: a tool schema nested ${DEEP} objects deep`, async () => {
      const body = `{"model":"${model}","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deepObject(DEEP)}}}]}`;
      assertTooDeep(await post('/v1/chat/completions', body), model);
    });

    test(`chat with ${model}: tool-call arguments (a JSON string) nested ${DEEP} deep, through the openai SDK`, async () => {
      const err = await client.chat.completions
        .create({
          model,
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: deepObject(DEEP) } }] },
            { role: 'tool', tool_call_id: 'call_1', content: deepArray(DEEP) },
          ],
          tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      // OpenAI-dialect providers get the arguments string as it is; translated dialects parse it and must refuse.
      if (model === 'gpt-4o') {
        assert.equal(err, undefined, String(err));
        return;
      }
      assert.ok(err instanceof OpenAI.APIError, String(err));
      assert.equal(err.status, 400, err.message);
      assert.match(err.message, /nested/);
    });

    test(`responses with ${model}: input of [ × ${DEEP}`, async () => {
      const body = `{"model":"${model}","input":[{"role":"user","content":${deepArray(DEEP)}}]}`;
      assertTooDeep(await post('/v1/responses', body), model);
    });
  }

  test('completions and embeddings too, and the openai SDK sees a BadRequestError', async () => {
    assertTooDeep(await post('/v1/completions', `{"model":"gpt-4o","prompt":${deepArray(DEEP)}}`), 'completions');
    assertTooDeep(await post('/v1/embeddings', `{"model":"text-embedding-3-small","input":${deepArray(DEEP)}}`), 'embeddings');
    const err = await client.responses.create({ model: 'claude-sonnet-4-20250514', input: JSON.parse(deepArray(200)) }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.BadRequestError, String(err));
  });

  test('nesting of 100 levels is still served', async () => {
    const body = `{"model":"claude-sonnet-4-20250514","messages":[{"role":"user","content":"hi"}],"metadata_ignored_by_test":null,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":${deepObject(100)}}}}}]}`;
    const res = await fetch(`${stack.gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body: body.replace('"metadata_ignored_by_test":null,', '') });
    assert.equal(res.status, 200, (await res.text()).slice(0, 300));
  });
});
