import assert from 'node:assert/strict';
import type { ByteTransform, ResponseHeaders } from '../../../src/core/byte-transform.js';
import { openAIToolCallId } from '../../../src/dialects/gemini/tool-ids.js';
import { newId } from '../../../src/lib/ids.js';

/** A kind of provider answer: the file a case holds it in, the file of what the client receives, its content type. */
export interface AnswerKind {
  kind: 'json' | 'sse' | 'bin';
  upstream: string;
  expected: string;
  contentType: string;
}

/** The provider answers a codec case may hold. */
export const ANSWER_KINDS: readonly AnswerKind[] = [
  { kind: 'json', upstream: 'upstream-response.json', expected: 'response.json', contentType: 'application/json' },
  { kind: 'sse', upstream: 'upstream-stream.sse', expected: 'stream.sse', contentType: 'text/event-stream' },
  { kind: 'bin', upstream: 'upstream-response.bin', expected: 'response.bin', contentType: 'audio/mpeg' },
];

/** Stream answers are fed whole and in pieces of these many bytes; whole answers whole and in small pieces. */
const PIECES: Record<AnswerKind['kind'], readonly number[]> = { json: [0, 7], sse: [0, 1, 7, 64], bin: [0, 7] };

export interface DecodedAnswer {
  headers: ResponseHeaders;
  body: Buffer;
  /** The body as text with minted ids replaced (see `unmint`); for a `bin` answer, the body as latin1. */
  text: string;
  status: number | undefined;
}

/** Runs the provider's bytes through a fresh transform as the relay does: headers first, then the pieces, then end. */
function runOnce(transform: ByteTransform, upstream: Buffer, contentType: string, size: number): Omit<DecodedAnswer, 'text'> {
  const headers = transform.headers ? transform.headers({ 'content-type': contentType, 'content-length': String(upstream.length) }) : {};
  const out: Buffer[] = [];
  const step = size || upstream.length || 1;
  for (let i = 0; i < upstream.length; i += step) out.push(transform.push(upstream.subarray(i, i + step)));
  out.push(transform.end());
  return { headers, body: Buffer.concat(out), status: transform.status?.() };
}

/** How a case reads the ids a transform mints: the call's start, and the id its expected answer shows. */
export interface MintedIds {
  startedAt: number;
  id: string | undefined;
}

/**
 * The answer a transform made of `upstream`, which must be the same however the provider's answer was cut
 * into pieces. `make` returns a new transform for each run (transforms hold state).
 */
export function decodeAnswer(make: () => ByteTransform, upstream: Buffer, kind: AnswerKind, ids: MintedIds): DecodedAnswer {
  const runs = PIECES[kind.kind].map((size) => {
    const answer = runOnce(make(), upstream, kind.contentType, size);
    const text = kind.kind === 'bin' ? answer.body.toString('latin1') : unmint(answer.body.toString('utf8'), ids.startedAt, ids.id);
    return { size, answer: { ...answer, text } };
  });
  const first = runs[0]!.answer;
  for (const { size, answer } of runs.slice(1)) {
    assert.equal(answer.text, first.text, `${kind.upstream} in pieces of ${size} bytes gives the same answer as whole`);
  }
  const type = String(first.headers['content-type'] ?? '');
  if (kind.kind === 'sse') assert.match(type, /^text\/event-stream/, 'a stream is answered as a stream');
  if (kind.kind === 'json') assert.match(type, /json/, 'a JSON answer is answered as JSON');
  if (!first.body.equals(upstream)) assert.equal(first.headers['content-length'], undefined, "a changed body does not keep the provider's length");
  assert.ok(first.status === undefined || first.status === 200, `the answer's status is 200, not ${first.status}`);
  return first;
}

/**
 * Ids a codec mints per call (`chatcmpl-…`, `resp_…`: the start time, then a per-process tag and a
 * counter) differ from run to run; a case's expected answer shows `id` in their place. What is derived
 * from the minted id follows it: Responses item ids share its suffix (`msg_<suffix>`), and Gemini's
 * synthesized tool-call ids are hashed from the completion id (`tool-ids.ts`).
 */
export function unmint(text: string, startedAt: number, id: string | undefined): string {
  const time = newId('x', startedAt).slice(2, 12);
  const minted = [...new Set([...text.matchAll(new RegExp(`(chatcmpl-|resp_)(${time}[0-9a-z]{14})`, 'g'))].map((m) => m[0]))];
  if (minted.length === 0) return text;
  assert.equal(minted.length, 1, `one id is minted per call, saw ${minted.join(', ')}`);
  const full = minted[0]!;
  const prefix = full.startsWith('resp_') ? 'resp_' : 'chatcmpl-';
  if (id === undefined || !id.startsWith(prefix)) assert.fail(`the case's options.json names the id its answer shows for ${prefix}… (got ${id})`);
  let out = text;
  for (let choice = 0; choice < 8; choice++) {
    for (let slot = 0; slot < 16; slot++) out = out.replaceAll(openAIToolCallId(undefined, full, choice, slot), openAIToolCallId(undefined, id, choice, slot));
  }
  return out.replaceAll(full.slice(prefix.length), id.slice(prefix.length));
}
