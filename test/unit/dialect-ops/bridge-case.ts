import assert from 'node:assert/strict';
import type { ChatBridge } from '../../../src/core/dialect.js';
import { assertPaired, type Folder } from '../../helpers/fixture-folders.js';
import { decodeAnswer, type AnswerKind } from './answers.js';
import { assertRefused, caseOptions, codecContext } from './case-options.js';

/**
 * The files of a bridge case: `request.json` (the client's request of the bridged op) pairs with
 * `chat-request.json` (the chat request it becomes) or `error.json` (its 400); a chat answer
 * (`chat-response.json`, `chat-stream.sse`) with what the client receives (`response.json`, `stream.sse`).
 * The request, when given, is also the one the answer is re-shaped for (a Response echoes it).
 */
const PAIRS = [
  ['request.json', 'chat-request.json'],
  ['request.json', 'error.json'],
  ['chat-response.json', 'response.json'],
  ['chat-stream.sse', 'stream.sse'],
] as const;
const EXTRAS = new Set(['options.json']);

/** A chat answer arrives as OpenAI's own (after the chat codec's decode, when there was one). */
const CHAT_ANSWERS: readonly AnswerKind[] = [
  { kind: 'json', upstream: 'chat-response.json', expected: 'response.json', contentType: 'application/json' },
  { kind: 'sse', upstream: 'chat-stream.sse', expected: 'stream.sse', contentType: 'text/event-stream' },
];

export interface BridgeCase {
  bridge: ChatBridge;
  /** The bridge's fixture folder, which may hold the cases' default `options.json`. */
  dir: string;
}

export function checkBridgeCase(c: BridgeCase, f: Folder): void {
  assertPaired(f, PAIRS, EXTRAS);
  assert.ok(!(f.has('chat-request.json') && f.has('error.json')), 'a request is either bridged or refused');
  const options = caseOptions(c.dir, f);
  const request = f.has('request.json') ? f.json<Record<string, unknown>>('request.json') : (options.request ?? {});
  if (f.has('chat-request.json')) assert.deepEqual(c.bridge.toChat(request), f.json('chat-request.json'), 'chat request');
  if (f.has('error.json')) assertRefused(f, () => c.bridge.toChat(request));
  const ctx = codecContext(options, request);
  for (const kind of CHAT_ANSWERS) {
    if (!f.has(kind.upstream)) continue;
    const { text } = decodeAnswer(() => c.bridge.fromChat(request, kind.kind === 'sse', ctx), f.bytes(kind.upstream), kind, { startedAt: ctx.startedAt, id: options.id });
    if (kind.kind === 'sse') assert.equal(text, f.text(kind.expected), kind.expected);
    else assert.deepEqual(JSON.parse(text), f.json(kind.expected), kind.expected);
  }
}
