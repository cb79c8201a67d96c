import assert from 'node:assert/strict';
import type { CodecInput, DialectName, EncodedCall, OpCodec } from '../../../src/core/dialect.js';
import type { Op } from '../../../src/core/ops.js';
import { DIALECTS } from '../../../src/dialects/index.js';
import { assertPaired, type Folder } from '../../helpers/fixture-folders.js';
import { ANSWER_KINDS, decodeAnswer, type AnswerKind } from './answers.js';
import { assertRefused, caseOptions, codecContext, type CaseOptions } from './case-options.js';

/**
 * The files of a codec case. `request.json` (the client's body) pairs with `upstream-request.json` (the
 * body sent upstream) or `error.json` (the 400 it gets); `form.txt` (a multipart body, see `readForm`) with
 * `upstream-form.txt`; each provider answer with what the client receives. Optional: `upstream-call.json`
 * (the parts of the call it names: method, path, query, headers, withClientHeaders, remote URLs),
 * `usage.json` (what the dialect's usage tap bills for the provider's answer), `options.json`.
 */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['request.json', 'upstream-request.json'],
  ['request.json', 'error.json'],
  ['form.txt', 'upstream-form.txt'],
  ...ANSWER_KINDS.map((kind) => [kind.upstream, kind.expected] as const),
];
const EXTRAS = new Set(['options.json', 'usage.json', 'upstream-call.json']);

/**
 * Dialects whose codecs forward the client's bytes with only the model renamed, and answer with the
 * provider's bytes with only the model renamed: their cases are compared byte for byte, JSON included.
 */
const BYTE_EXACT: ReadonlySet<DialectName> = new Set(['openai']);

/** The OpenAI path each op is called on (a case may name another with `options.endpoint`). */
const ENDPOINTS: Record<Op, string> = {
  chat: '/v1/chat/completions',
  responses: '/v1/responses',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  'images.generate': '/v1/images/generations',
  'images.edit': '/v1/images/edits',
  'audio.speech': '/v1/audio/speech',
  'audio.transcribe': '/v1/audio/transcriptions',
};

export interface CodecCase {
  dialect: DialectName;
  op: Op;
  codec: OpCodec;
  /** The op's fixture folder, which may hold the cases' default `options.json`. */
  dir: string;
}

/**
 * A multipart body kept readable: the file has LF line ends, each of which is CRLF on the wire, and its
 * first line is `--<boundary>`. File parts hold text stand-ins (the codecs never read files).
 */
export function readForm(f: Folder, file: string): { body: Buffer; boundary: string } {
  const text = f.text(file);
  assert.ok(!text.includes('\r'), `${file} is written with LF line ends`);
  const first = text.slice(0, text.indexOf('\n'));
  assert.match(first, /^--\S+$/, `${file} starts with its boundary line`);
  return { body: Buffer.from(text.replaceAll('\n', '\r\n'), 'utf8'), boundary: first.slice(2) };
}

/** The client's call as the unified API hands it to a codec; without `request.json`, the options' request. */
function clientInput(c: CodecCase, f: Folder, options: CaseOptions, stream: boolean): CodecInput {
  const endpoint = options.endpoint ?? ENDPOINTS[c.op];
  if (f.has('form.txt')) return { endpoint, request: {}, form: readForm(f, 'form.txt') };
  const bytes = f.has('request.json') ? f.bytes('request.json') : Buffer.from(JSON.stringify({ ...options.request, stream }));
  return { endpoint, request: JSON.parse(bytes.toString('utf8')) as Record<string, unknown>, bytes };
}

function sameJson(dialect: DialectName, actual: Buffer, f: Folder, file: string, what: string): void {
  if (BYTE_EXACT.has(dialect)) assert.equal(actual.toString('utf8'), f.text(file), `${what}, byte for byte`);
  else assert.deepEqual(JSON.parse(actual.toString('utf8')), f.json(file), what);
}

function checkEncoded(c: CodecCase, f: Folder, call: EncodedCall, input: CodecInput): void {
  if (f.has('upstream-request.json')) sameJson(c.dialect, call.body, f, 'upstream-request.json', 'upstream body');
  if (f.has('upstream-form.txt')) assert.equal(call.body.toString('utf8'), readForm(f, 'upstream-form.txt').body.toString('utf8'), 'upstream form, byte for byte');
  assert.equal(call.stream, input.request['stream'] === true, 'the call streams when the client asked for a stream');
  if (f.has('upstream-call.json')) {
    const expected = f.json<Record<string, unknown>>('upstream-call.json');
    const seen: Record<string, unknown> = { ...call, remote: call.remote?.urls ?? [] };
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((key) => [key, seen[key]])), expected, 'upstream-call.json');
  }
}

/** Shapes every OpenAI chat answer has, whichever dialect made it. */
function checkChatShape(kind: AnswerKind, text: string): void {
  if (kind.kind === 'sse') {
    for (const event of text.split('\n\n').filter(Boolean)) {
      assert.ok(event.startsWith('data: ') && !event.includes('\n'), `chat chunks are one data line each: ${event.slice(0, 60)}`);
      if (event !== 'data: [DONE]') assert.doesNotThrow(() => JSON.parse(event.slice(6)), 'each chunk is JSON');
    }
  } else if (kind.kind === 'json') {
    const usage = (JSON.parse(text) as { usage?: Record<string, number & Record<string, number>> }).usage;
    if (!usage) return;
    assert.equal(usage['total_tokens'], usage['prompt_tokens']! + usage['completion_tokens']!, 'total = prompt + completion');
    assert.ok(usage['prompt_tokens']! >= (usage['prompt_tokens_details']?.['cached_tokens'] ?? 0), 'cached tokens are part of the prompt');
    assert.ok(usage['completion_tokens']! >= (usage['completion_tokens_details']?.['reasoning_tokens'] ?? 0), 'reasoning tokens are part of the completion');
  }
}

/** The usage the dialect's native meter reads from the provider's answer: what the call is billed for. */
function checkUsage(c: CodecCase, f: Folder, call: EncodedCall, upstream: Buffer): void {
  const meter = DIALECTS[c.dialect].native.meter({ method: call.method, path: call.path, fields: call.fields }, call.body);
  assert.ok(meter.tap, `the ${c.dialect} meter taps ${call.path}`);
  meter.tap.push(upstream);
  assert.deepEqual(meter.tap.end().usage ?? null, f.json('usage.json'), 'usage.json (the usage tap)');
}

function checkAnswer(c: CodecCase, f: Folder, options: CaseOptions, kind: AnswerKind): void {
  const stream = kind.kind === 'sse';
  const input = clientInput(c, f, options, stream);
  const ctx = codecContext(options, input.request);
  const call = c.codec.encode(input, ctx);
  assert.equal(call.stream, stream, `${kind.upstream} answers a call that ${stream ? 'streams' : 'does not stream'}`);
  const upstream = f.bytes(kind.upstream);
  const { body, text } = decodeAnswer(() => c.codec.decode(call, input, ctx), upstream, kind, { startedAt: ctx.startedAt, id: options.id });
  if (kind.kind === 'bin') {
    assert.ok(body.equals(f.bytes(kind.expected)), `${kind.expected}, byte for byte`);
  } else {
    if (kind.kind === 'sse') assert.equal(text, f.text(kind.expected), kind.expected);
    else sameJson(c.dialect, Buffer.from(text), f, kind.expected, kind.expected);
    if (c.op === 'chat') checkChatShape(kind, text);
  }
  if (f.has('usage.json')) checkUsage(c, f, call, upstream);
}

/** One case of one codec: the request encoded (or refused), every provider answer decoded. */
export function checkCodecCase(c: CodecCase, f: Folder): void {
  assertPaired(f, PAIRS, EXTRAS);
  assert.ok(!(f.has('upstream-request.json') && f.has('error.json')), 'a request is either encoded or refused');
  const options = caseOptions(c.dir, f);
  if (f.has('error.json')) {
    const input = clientInput(c, f, options, false);
    assertRefused(f, () => c.codec.encode(input, codecContext(options, input.request)));
  }
  if (f.has('upstream-request.json') || f.has('upstream-form.txt')) {
    const input = clientInput(c, f, options, false);
    checkEncoded(c, f, c.codec.encode(input, codecContext(options, input.request)), input);
  }
  for (const kind of ANSWER_KINDS) if (f.has(kind.upstream)) checkAnswer(c, f, options, kind);
}
