import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodecContext } from '../../../src/core/dialect.js';
import { GatewayError } from '../../../src/core/errors.js';
import { DIALECTS } from '../../../src/dialects/index.js';
import type { Folder } from '../../helpers/fixture-folders.js';

/**
 * What a case's `options.json` may say; an `options.json` next to the cases (in the op's folder) gives
 * defaults for all of them, and a case's own overrides those.
 */
export interface CaseOptions {
  /** CodecContext parts. `requestedModel` defaults to the model `request.json` names. */
  upstreamModel?: string;
  requestedModel?: string;
  startedAt?: number;
  maxOutputTokens?: number;
  /** The id the expected answer shows where the codec mints one per call (see `unmint`). */
  id?: string;
  /** The OpenAI path the client called, for an op with several (`/v1/audio/translations`). */
  endpoint?: string;
  /**
   * The client's request an answer is decoded for when the case has no `request.json` (the op's default
   * merged with the case's; `stream` is set by the kind of answer). Decoding reads only a few fields of it.
   */
  request?: Record<string, unknown>;
}

/** 2026-01-01T00:00:00Z: answers show `created` 1767225600. */
const STARTED_AT = 1767225600000;
const KNOWN = new Set(['upstreamModel', 'requestedModel', 'startedAt', 'maxOutputTokens', 'id', 'endpoint', 'request']);

function readOptions(path: string): CaseOptions {
  if (!existsSync(path)) return {};
  const options = JSON.parse(readFileSync(path, 'utf8')) as CaseOptions;
  for (const key of Object.keys(options)) assert.ok(KNOWN.has(key), `${path}: unknown option ${key}`);
  return options;
}

/** The op's defaults, then the case's own options; `request` objects are merged. */
export function caseOptions(opDir: string, f: Folder): CaseOptions {
  const defaults = readOptions(join(opDir, 'options.json'));
  const own = readOptions(join(f.path, 'options.json'));
  const request = defaults.request || own.request ? { ...defaults.request, ...own.request } : undefined;
  if (own.request) assert.ok(!f.has('request.json'), 'options.request is for cases without request.json');
  return { ...defaults, ...own, ...(request ? { request } : {}) };
}

export function codecContext(options: CaseOptions, request: Readonly<Record<string, unknown>>): CodecContext {
  const requestedModel = typeof request['model'] === 'string' ? request['model'] : options.requestedModel;
  const upstreamModel = options.upstreamModel ?? requestedModel;
  assert.ok(requestedModel !== undefined && upstreamModel !== undefined, 'the case names its model (request.json or options.json)');
  return {
    upstreamModel,
    requestedModel,
    startedAt: options.startedAt ?? STARTED_AT,
    maxOutputTokens: options.maxOutputTokens,
    clientErrors: DIALECTS.openai.errors, // on /v1 the client speaks OpenAI, as in services/unified/codec-calls.ts
  };
}

/** `error.json` names the 400 a request gets: its status, code, param (and message, where given). */
export function assertRefused(f: Folder, run: () => unknown): void {
  const expected = f.json<Record<string, unknown>>('error.json');
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof GatewayError, `a GatewayError, not ${String(err)}`);
    const seen = err as unknown as Record<string, unknown>;
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((key) => [key, seen[key]])), expected, 'error.json');
    return true;
  });
}
