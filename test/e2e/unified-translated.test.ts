import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { TINY_PNG_B64 } from '../mocks/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const MODELS = ['anthropic/claude-sonnet-4-20250514', 'gemini/gemini-2.5-flash'] as const;
const weather: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'weather', description: 'Weather in a city', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] } },
};

describe('unified /v1 chat over Anthropic and Gemini, with the openai SDK', () => {
  let stack: Stack;
  let client: OpenAI;
  let imageServer: http.Server;
  let imageUrl: string;
  let imageFetches = 0;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES, IMAGE_FETCH_ALLOW_PRIVATE: 'true' });
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: stack.key, maxRetries: 0 });
    imageServer = http.createServer((req, res) => {
      imageFetches++;
      const png = Buffer.from(TINY_PNG_B64, 'base64');
      const send = () => {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        res.end(png);
      };
      if (req.url?.startsWith('/slow')) setTimeout(send, 600);
      else send();
    });
    await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
    imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/cat.png`;
  });
  after(async () => {
    await stack.close();
    await new Promise((resolve) => imageServer.close(resolve));
  });

  for (const model of MODELS) {
    describe(model, () => {
      test('text: an OpenAI chat completion with the client\'s model name and usage', async () => {
        const res = await client.chat.completions.create({
          model,
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'hello there translated world' },
          ],
        });
        assert.equal(res.object, 'chat.completion');
        assert.equal(res.model, model);
        assert.match(res.choices[0]!.message.content ?? '', /hello there translated world/);
        assert.equal(res.choices[0]!.finish_reason, 'stop');
        assert.ok(res.usage!.prompt_tokens > 0 && res.usage!.completion_tokens > 0);
        assert.equal(res.usage!.total_tokens, res.usage!.prompt_tokens + res.usage!.completion_tokens);
      });

      test('stream: role first, content deltas, finish, usage chunk when asked, [DONE]', async () => {
        const stream = await client.chat.completions.create({
          model,
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'stream these words please' }],
        });
        let text = '';
        let role: string | undefined;
        let finish: string | null | undefined;
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const chunk of stream) {
          assert.equal(chunk.model, model);
          role ??= chunk.choices[0]?.delta.role;
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
          if (chunk.usage) usage = chunk.usage;
        }
        assert.equal(role, 'assistant');
        assert.match(text, /stream these words please/);
        assert.equal(finish, 'stop');
        assert.ok(usage && usage.completion_tokens > 0);
      });

      test('tools: a call comes back as tool_calls, and the result goes back in the next turn', async () => {
        const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Oslo' }];
        const first = await client.chat.completions.create({ model, messages, tools: [weather] });
        const call = first.choices[0]!.message.tool_calls?.[0];
        assert.equal(first.choices[0]!.finish_reason, 'tool_calls');
        assert.ok(call && call.type === 'function');
        assert.equal(call.function.name, 'weather');
        assert.deepEqual(JSON.parse(call.function.arguments), { input: 'Oslo' });
        messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '4C and rain' });
        const second = await client.chat.completions.create({ model, messages, tools: [weather] });
        assert.equal(second.choices[0]!.finish_reason, 'stop');
        assert.ok(second.choices[0]!.message.content);
      });

      test('tools in a stream: tool-call deltas by index that the SDK assembles', async () => {
        const stream = client.chat.completions.stream({ model, messages: [{ role: 'user', content: 'Rome' }], tools: [weather] });
        const final = await stream.finalChatCompletion();
        const call = final.choices[0]!.message.tool_calls?.[0];
        assert.ok(call && call.type === 'function');
        assert.equal(call.function.name, 'weather');
        assert.deepEqual(JSON.parse(call.function.arguments), { input: 'Rome' });
      });

      test('vision: a data URL image reaches the provider inline', async () => {
        const res = await client.chat.completions.create({
          model,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_B64}` } }] }],
        });
        assert.ok(res.choices[0]!.message.content);
        const upstream = (model.startsWith('anthropic') ? stack.anthropic : stack.gemini).lastRequest()!.body.toString();
        assert.ok(upstream.includes(TINY_PNG_B64), 'the image bytes were sent');
      });

      test('JSON mode is asked of the provider', async () => {
        await client.chat.completions.create({ model, response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'give json' }] });
        const upstream = JSON.parse((model.startsWith('anthropic') ? stack.anthropic : stack.gemini).lastRequest()!.body.toString());
        if (model.startsWith('gemini')) assert.equal(upstream.generationConfig.responseMimeType, 'application/json');
        else assert.match(JSON.stringify(upstream.system), /JSON/);
      });

      test('upstream errors come back in OpenAI\'s shape with a sensible status', async () => {
        (model.startsWith('anthropic') ? stack.anthropic : stack.gemini).failNext({ status: model.startsWith('anthropic') ? 529 : 503 });
        await assert.rejects(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
          assert.ok(err instanceof OpenAI.APIError);
          assert.equal(err.status, 503);
          assert.equal(typeof (err.error as { message?: string }).message, 'string');
          return true;
        });
      });

      test('billed from the provider\'s usage, like a native call', async () => {
        const { key, userId } = await stack.gw.newKey({ credit: '100' });
        const billed = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
        await billed.chat.completions.create({ model, messages: [{ role: 'user', content: 'charge me' }] });
        await stack.gw.app.billing.idle();
        await stack.gw.app.flush();
        const charges = await stack.gw.app.store.db.kysely.selectFrom('ledger_entries').selectAll().where('user_id', '=', userId).where('kind', '=', 'charge').execute();
        assert.equal(charges.length, 1);
        assert.ok(charges[0]!.amount_micro < 0);
        const row = await stack.gw.app.store.db.kysely.selectFrom('requests').selectAll().where('id', '=', charges[0]!.request_id!).executeTakeFirstOrThrow();
        assert.equal(row.usage_source, 'reported');
        assert.equal(row.cost_micro, -charges[0]!.amount_micro);
      });
    });
  }

  test('Gemini: images by URL are fetched only for admitted calls (a key without money gets its 402 first)', async () => {
    const { key } = await stack.gw.newKey({ credit: '0' });
    const broke = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const before = imageFetches;
    await assert.rejects(
      broke.chat.completions.create({ model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl } }] }] }),
      { status: 402 },
    );
    assert.equal(imageFetches, before);
  });

  test('Gemini: a client that hangs up while its images download stops the downloads; nothing is sent or charged', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    const impatient = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const slow = [1, 2, 3].map((i) => ({ type: 'image_url' as const, image_url: { url: imageUrl.replace('/cat.png', `/slow-${i}.png`) } }));
    const before = { images: imageFetches, gemini: stack.gemini.requests.length };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(impatient.chat.completions.create({ model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: slow }] }, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(imageFetches - before.images, 1, 'the second and third images were never requested');
    assert.equal(stack.gemini.requests.length, before.gemini);
    await stack.gw.app.billing.idle();
    const user = await stack.gw.app.store.db.kysely.selectFrom('users').select(['balance_micro', 'held_micro']).where('id', '=', userId).executeTakeFirstOrThrow();
    assert.deepEqual(user, { balance_micro: 100_000_000, held_micro: 0 });
  });

  test('Gemini: an image by URL is fetched by the gateway and sent inline; private addresses are refused by default', async () => {
    await client.chat.completions.create({
      model: 'gemini/gemini-2.5-flash',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: imageUrl } }] }],
    });
    const sent = JSON.parse(stack.gemini.lastRequest()!.body.toString());
    const parts = sent.contents[0].parts as Array<{ inlineData?: { mimeType: string; data: string } }>;
    assert.ok(parts.some((p) => p.inlineData?.mimeType === 'image/png' && p.inlineData.data === TINY_PNG_B64));

    const { startGateway } = await import('../helpers/gateway.js');
    const strict = await startGateway({ CATALOG_DIR: FIXTURES, GEMINI_API_KEY: 'g-key', GEMINI_BASE_URL: stack.gemini.url });
    try {
      const { key } = await strict.newKey({ credit: '100' });
      const strictClient = new OpenAI({ baseURL: `${strict.url}/v1`, apiKey: key, maxRetries: 0 });
      await assert.rejects(
        strictClient.chat.completions.create({ model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl } }] }] }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.APIError);
          assert.equal(err.status, 400);
          assert.match(err.message, /private or local address/);
          return true;
        },
      );
    } finally {
      await strict.close();
    }
  });
});

describe('unified /v1 streams that fail', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: stack.key, maxRetries: 0 });
  });
  after(() => stack.close());

  for (const model of MODELS) {
    test(`${model}: a mid-stream provider error or a cut stream reaches the client as an error, not a finish`, async () => {
      const mock = model.startsWith('anthropic') ? stack.anthropic : stack.gemini;
      for (const fault of [{ errorEventAfterChunks: 2 }, { dropAfterChunks: 2 }]) {
        mock.failNext(fault);
        const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'one two three four five six' }] });
        let finish: string | null | undefined;
        await assert.rejects(async () => {
          for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
        }, `${JSON.stringify(fault)} raises in the SDK`);
        assert.equal(finish ?? null, null, 'no fake finish_reason');
      }
    });
  }
});

describe('unified /v1/completions and /v1/text/generations', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: stack.key, maxRetries: 0 });
    await stack.gw.admin('PUT', '/admin/models/openai/gpt-3.5-turbo-instruct', { ops: ['completions'], prices: { input_per_mtok: '1.50', output_per_mtok: '2.00' } });
  });
  after(() => stack.close());

  for (const model of ['openai/gpt-4o', ...MODELS]) {
    test(`${model}: a prompt is answered as a text completion, whole and streamed`, async () => {
      const res = await client.completions.create({ model, prompt: 'complete this line please', max_tokens: 50 });
      assert.equal(res.object, 'text_completion');
      assert.equal(res.model, model);
      assert.match(res.choices[0]!.text, /complete this line please/);
      assert.equal(res.choices[0]!.finish_reason, 'stop');
      assert.ok(res.usage!.completion_tokens > 0);
      const stream = await client.completions.create({ model, prompt: 'stream this line', max_tokens: 50, stream: true });
      let text = '';
      for await (const chunk of stream) {
        assert.equal(chunk.object, 'text_completion');
        text += chunk.choices[0]?.text ?? '';
      }
      assert.match(text, /stream this line/);
    });
  }

  test('a model with its own completions endpoint gets the request as it is (the mock has no such endpoint: its 404 comes back)', async () => {
    await assert.rejects(client.completions.create({ model: 'openai/gpt-3.5-turbo-instruct', prompt: 'native completion', max_tokens: 20 }), { status: 404 });
    const sent = stack.openai.lastRequest()!;
    assert.match(sent.url, /\/v1\/completions$/);
    assert.equal(JSON.parse(sent.body.toString()).prompt, 'native completion');
    assert.equal(JSON.parse(sent.body.toString()).model, 'gpt-3.5-turbo-instruct');
  });

  test('Botech\'s /v1/text/generations answers the same way; unsupported legacy parameters are refused', async () => {
    const res = await fetch(`${stack.gw.url}/v1/text/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-20250514', prompt: 'one line title', max_tokens: 64 }),
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.object, 'text_completion');
    assert.match(body.choices[0].text, /one line title/);
    await assert.rejects(client.completions.create({ model: 'anthropic/claude-sonnet-4-20250514', prompt: 'x', echo: true }), { status: 400 });
  });
});
