import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelEchoFilter } from '../../src/dialects/openai/model-echo.js';

test('SSE: every event answers with the requested model, whatever the chunking', () => {
  const events =
    'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024-08-06","choices":[{"delta":{"content":"say \\"model\\":\\"x\\""}}]}\n\n' +
    'data: {"id":"c1","model" : "gpt-4o-2024-08-06","choices":[]}\n\n' +
    'data: [DONE]\n\n';
  const expected = events.replaceAll('"gpt-4o-2024-08-06"', '"openai/gpt-4o"');
  for (const size of [1, 3, 7, 64, events.length]) {
    const filter = new ModelEchoFilter('openai/gpt-4o', 'sse');
    let out = '';
    for (let at = 0; at < events.length; at += size) out += filter.push(Buffer.from(events.slice(at, at + size))).toString();
    out += filter.end().toString();
    assert.equal(out, expected, `chunks of ${size}`);
  }
});

test('JSON: the body is rewritten whole; text that mentions "model" is untouched', () => {
  const body = '{"id":"x","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"message":{"content":"a \\"model\\": \\"y\\""}}]}';
  const filter = new ModelEchoFilter('gpt-4o', 'json');
  const out = filter.push(Buffer.from(body.slice(0, 20))).toString() + filter.push(Buffer.from(body.slice(20))).toString() + filter.end().toString();
  assert.equal(out, body.replace('"gpt-4o-2024-08-06"', '"gpt-4o"'));
  assert.deepEqual(JSON.parse(out).choices[0].message.content, 'a "model": "y"');
});

test('only the top-level "model" key is rewritten: not a value "model", not a nested key', () => {
  const body = '{"role":"model","usage":{"details":{"model":"inner"}},"model":"up","x":["model"]}';
  const filter = new ModelEchoFilter('mine', 'json');
  filter.push(Buffer.from(body));
  assert.equal(filter.end().toString(), '{"role":"model","usage":{"details":{"model":"inner"}},"model":"mine","x":["model"]}');
});


test('Responses events: the model one level down (response.model) is rewritten, deeper ones and strings are not', () => {
  const filter = new ModelEchoFilter('openai/gpt-4o', 'sse', 2);
  const created = 'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","instructions":"say \\"model\\": x","model":"gpt-4o-2024-08-06","output":[]}}\n\n';
  const delta = 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"\\"model\\":\\"x\\"","item":{"meta":{"model":"keep"}}}\n\n';
  const out = Buffer.concat([filter.push(Buffer.from(created + delta)), filter.end()]).toString();
  assert.ok(out.includes('"model":"openai/gpt-4o"'));
  assert.ok(!out.includes('gpt-4o-2024-08-06'));
  assert.ok(out.includes('"meta":{"model":"keep"}'), 'depth 3 untouched');
  assert.ok(out.includes('say \\"model\\": x'));
});
