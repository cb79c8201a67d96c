import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDecimal, parseJsonNumber } from '../../src/core/decimal.js';
import { openAINativeRules } from '../../src/dialects/openai/native-rules.js';
import { reportedCostUsd, withUsageAccounting } from '../../src/dialects/openai/usage-cost.js';
import { openRouterModels, perMillion } from '../../src/services/catalog/openrouter-list.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('OpenRouter prices and usage accounting, exactly', () => {
  test('JSON numbers become exact decimals, exponents included; nothing else does', () => {
    const cases: Array<[string, string | undefined]> = [
      ['0.0001284', '0.0001284'],
      ['5.4e-7', '0.00000054'],
      ['1.25E+2', '125'],
      ['3e0', '3'],
      ['0', '0'],
      ['-2.5', '-2.5'],
      ['1e-40', undefined],
      ['0x10', undefined],
      ['1.', undefined],
      ['', undefined],
    ];
    for (const [text, expected] of cases) {
      const value = parseJsonNumber(text);
      assert.equal(value && formatDecimal(value), expected, text);
    }
  });

  test('per-token prices become per-1M-token prices without a float (0.1 + 0.2 stays exact)', () => {
    assert.equal(perMillion('0.0000004'), '0.4');
    assert.equal(perMillion('0.000002'), '2');
    assert.equal(perMillion('0.00000030000000000004'), '0.30000000000004');
    assert.equal(perMillion('0'), '0');
    assert.equal(perMillion('-1'), undefined);
    assert.equal(perMillion(0.0000004), undefined);
    assert.equal(perMillion('abc'), undefined);
  });

  test('the models list: ops from modalities, context and max output, a model with half a price is unpriced', () => {
    const { models, skipped } = openRouterModels({
      data: [
        { id: 'a/text', context_length: 1000, architecture: { output_modalities: ['text'] }, pricing: { prompt: '0.000001', completion: '0.000003', request: '0.002' }, top_provider: { max_completion_tokens: 500 } },
        { id: 'a/half', architecture: { output_modalities: ['text'] }, pricing: { prompt: '0.000001' } },
        { id: 'a/embed', architecture: { output_modalities: ['embeddings'] }, pricing: { prompt: '0.0000001', completion: '0' } },
        { id: 'a/image', architecture: { output_modalities: ['image'] }, pricing: { prompt: '0', completion: '0' } },
        { id: 'not allowed spaces', pricing: {} },
        { id: 'a/text', pricing: {} },
        { id: 'openai-shaped' },
      ],
    });
    assert.equal(skipped, 4);
    const [text, half, embed] = models;
    assert.deepEqual(text!.wire, { id: 'a/text', ops: ['chat', 'completions', 'responses'], prices: { input_per_mtok: '1', output_per_mtok: '3', per_request: '0.002' }, context_window: 1000, max_output_tokens: 500 });
    assert.deepEqual(half!.entry.pricing.prices, {});
    assert.deepEqual(embed!.entry.ops, ['embeddings']);
    assert.throws(() => openRouterModels({ error: 'nope' }), /data/);
  });

  test('usage.cost is read from the bytes; a BYOK call adds the upstream inference cost', () => {
    assert.equal(reportedCostUsd(json({ id: 'x', usage: { prompt_tokens: 3, cost: 0.0000123 } })), '0.0000123');
    assert.equal(reportedCostUsd(Buffer.from('{"usage":{"cost":1.5e-7,"is_byok":false}}')), '0.00000015');
    assert.equal(reportedCostUsd(json({ usage: { cost: 0.00001, is_byok: true, cost_details: { upstream_inference_cost: 0.0002 } } })), '0.00021');
    assert.equal(reportedCostUsd(json({ usage: { cost: 0.00001, is_byok: false, cost_details: { upstream_inference_cost: 0.0002 } } })), '0.00001');
    assert.equal(reportedCostUsd(json({ usage: { prompt_tokens: 3 } })), undefined);
    assert.equal(reportedCostUsd(json({ usage: { cost: -1 } })), undefined);
    assert.equal(reportedCostUsd(json({ usage: { cost: '0.1' } })), undefined);
    assert.equal(reportedCostUsd(json({ usage: null })), undefined);
  });

  test('usage accounting is asked for only when the client did not set usage itself', () => {
    assert.equal(withUsageAccounting(Buffer.from(' {"model":"m"}')).toString(), ' {"usage":{"include":true},"model":"m"}');
    const own = Buffer.from('{"model":"m","usage":{"include":false}}');
    assert.equal(withUsageAccounting(own), own);
    const broken = Buffer.from('{"model":');
    assert.equal(withUsageAccounting(broken), broken);
  });

  test('the OpenAI meter asks a cost-reporting provider for its price, JSON and streams; other providers are left as they were', () => {
    const call = (body: Record<string, unknown>, reportsCost: boolean) => {
      const bytes = json(body);
      const shape = { method: 'POST', path: '/v1/chat/completions', fields: { model: body['model'], stream: body['stream'] }, reportsCost };
      return openAINativeRules.meter(shape, bytes);
    };
    const plain = call({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, true);
    assert.deepEqual(JSON.parse(plain.body!.toString()).usage, { include: true });
    assert.equal(plain.filter, undefined);
    assert.equal(call({ model: 'm', messages: [] }, false).body, undefined);
    const stream = call({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }, true);
    const sent = JSON.parse(stream.body!.toString());
    assert.deepEqual([sent.usage, sent.stream_options], [{ include: true }, { include_usage: true }]);
    assert.ok(stream.filter, 'the usage chunk the gateway asked for is kept from the client');
    const own = call({ model: 'm', stream: true, usage: { include: true }, messages: [] }, true);
    assert.deepEqual([own.body, own.filter], [undefined, undefined], 'the client asked for accounting itself: its usage chunk reaches it');
    const asked = call({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [] }, true);
    assert.equal(asked.filter, undefined);
    assert.deepEqual(JSON.parse(asked.body!.toString()).usage, { include: true });
  });
});
