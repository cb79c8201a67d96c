// Micro-benchmark: renaming the top-level model of an OpenAI chat body, byte-level vs parse + stringify.
// Run: node --import tsx bench/json-rename.ts   (one core, a few seconds; prints, asserts nothing)
import { replaceTopLevelString } from '../src/lib/json-fields.js';

const UPSTREAM_MODEL = 'deepseek-chat';
const ROUNDS = 7;
const ROUND_MS = 150;

/** A chat request of about `bytes` bytes: a system prompt, alternating turns with quotes, newlines and non-ASCII text, tools. */
function chatBody(bytes: number): Buffer {
  const turn = 'Explain "backpressure" in Node streams.\nInclude an example — with código, 例子 and 😀. ';
  const messages: { role: string; content: string }[] = [{ role: 'system', content: 'You are a careful assistant.' }];
  const request = {
    model: 'deepseek/deepseek-chat',
    messages,
    tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { model: { type: 'string' } } } } }],
    metadata: { model: 'nested, never renamed' },
    temperature: 0.7,
    stream: true,
  };
  while (Buffer.byteLength(JSON.stringify(request)) < bytes) {
    messages.push({ role: messages.length % 2 ? 'user' : 'assistant', content: turn.repeat(4) });
  }
  return Buffer.from(JSON.stringify(request));
}

/** One image of about `bytes` bytes of base64 in a user message. */
function imageBody(bytes: number): Buffer {
  const data = Buffer.alloc(Math.floor((bytes * 3) / 4), 0x5a).toString('base64');
  const content = [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${data}` } }];
  return Buffer.from(JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content }], stream: false }));
}

/** Median µs per call over a few timed rounds. */
function measure(fn: () => unknown): number {
  const perCall: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    let calls = 0;
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(ROUND_MS * 1e6);
    let now = started;
    while (now < deadline) {
      fn();
      calls++;
      now = process.hrtime.bigint();
    }
    if (round >= 0) perCall.push(Number(now - started) / 1e3 / calls); // round -1 warms up
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)]!;
}

function compare(label: string, body: Buffer): void {
  const request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const renamed = replaceTopLevelString(body, 'model', UPSTREAM_MODEL);
  const reference = JSON.stringify({ ...request, model: UPSTREAM_MODEL });
  if (!renamed || JSON.stringify(JSON.parse(renamed.toString('utf8'))) !== reference) throw new Error(`${label}: results differ`);

  const full = measure(() => Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString('utf8')) as object), model: UPSTREAM_MODEL })));
  const stringifyOnly = measure(() => Buffer.from(JSON.stringify({ ...request, model: UPSTREAM_MODEL })));
  const bytes = measure(() => replaceTopLevelString(body, 'model', UPSTREAM_MODEL));
  const kib = (body.length / 1024).toFixed(0);
  console.log(
    `${label.padEnd(12)} ${kib.padStart(5)} KiB  parse+stringify ${full.toFixed(1).padStart(8)} µs  ` +
      `stringify only ${stringifyOnly.toFixed(1).padStart(8)} µs  replaceTopLevelString ${bytes.toFixed(1).padStart(7)} µs  ` +
      `(${(stringifyOnly / bytes).toFixed(1)}× faster than stringify only)`,
  );
}

compare('chat 10 KB', chatBody(10 * 1024));
compare('chat 1 MB', chatBody(1024 * 1024));
compare('image 1 MB', imageBody(1024 * 1024));
