import type { NativeCallShape, NativeMeter, NativeRules } from '../../core/dialect.js';
import { badRequest } from '../../core/errors.js';
import type { NativeEndpoint } from '../../core/native-endpoint.js';
import { audioDurationSeconds } from '../../lib/audio-duration.js';
import { readTopLevelFields } from '../../lib/json-fields.js';
import { walkJson } from '../../lib/json-strings.js';
import { approximateTokens } from '../../lib/token-count.js';
import { formFile, formImageUsage } from './form-usage.js';
import { openAINativeEndpoint, openAINativeTap } from './native-meter.js';
import { estimateOpenAIRequest } from './request-estimate.js';
import { openAIRequestUsage } from './request-usage.js';
import { UsageChunkFilter } from './usage-chunk-filter.js';
import { withUsageAccounting } from './usage-cost.js';
import { withIncludeUsage } from './usage-tap.js';

const UPLOADS = new Set(['/v1/audio/transcriptions', '/v1/audio/translations']);
const NOTHING_TO_VISIT = (): void => undefined;

/** The native surface of OpenAI-dialect providers (OpenAI, xAI, DeepSeek, OpenRouter, custom hosts). */
export const openAINativeRules: NativeRules = {
  endpoint: openAINativeEndpoint,
  meter: openAIMeter,
  model: ({ fields }) => (typeof fields['model'] === 'string' ? fields['model'].slice(0, 200) : null),
  keyRejected: () => false, // a refused key is a 401, which the relay already rests
  keyInQuery: false,
};

/**
 * A call of a provider that prices each call itself and says so in the answer when asked (OpenRouter's
 * usage accounting, `ProviderSpec.reportsCost`, set on the shape by the relay): the meter asks for that
 * price and the taps keep it, to be billed.
 */
export interface PricedCallShape extends NativeCallShape {
  reportsCost?: boolean;
}

function openAIMeter(call: PricedCallShape, body: Buffer | undefined): NativeMeter {
  const { method, path } = call;
  const endpoint = openAINativeEndpoint(method, path);
  if (endpoint.kind !== 'metered') return { endpoint, tap: undefined, filter: undefined, body: undefined, basis: undefined };
  const stream = call.fields['stream'] === true;
  const tap = openAINativeTap(method, path, stream, call.reportsCost === true);
  if (UPLOADS.has(path)) return uploadMeter(endpoint, tap, body);
  const json = endpoint.body === 'json' ? body : undefined;
  const estimate = json ? estimateOpenAIRequest(path, json) : undefined;
  // Speech and image generations are not walked by the estimate: their bodies are checked on their own.
  if (json && (estimate ? estimate.malformed : !walkJson(json, NOTHING_TO_VISIT).complete)) throw badRequest('The request body is not valid JSON.');
  const formBody = endpoint.body === 'multipart' ? body : undefined;
  const requestUsage = json ? openAIRequestUsage(path, json) : formBody ? formImageUsage(path, formBody) : undefined;
  if (requestUsage) {
    // The token bound backs up a per-image or per-character price the model does not have.
    const size = (json ?? formBody)!.length;
    return { endpoint, tap, filter: undefined, body: undefined, requestUsage, basis: { requestUsage, tokens: { inputTokens: approximateTokens(size), choices: 1 } } };
  }
  const basis = { tokens: estimate };
  if (!tap || !json || (path !== '/v1/chat/completions' && path !== '/v1/completions')) {
    return { endpoint, tap, filter: undefined, body: undefined, basis };
  }
  // A provider that prices each call (OpenRouter) says the price when asked: ask, unless the client chose.
  const priced = call.reportsCost ? withUsageAccounting(json) : json;
  const asked = priced === json ? undefined : priced;
  if (!stream) return { endpoint, tap, filter: undefined, body: asked, basis };
  // A client that asked OpenRouter for usage accounting itself gets the usage chunk: nothing to add or hide.
  if (call.reportsCost && !asked && clientAskedAccounting(json)) return { endpoint, tap, filter: undefined, body: undefined, basis };
  // Streams carry usage only when asked: ask upstream, and hide the extra chunk from the client.
  const rewritten = withIncludeUsage(priced);
  return rewritten.added
    ? { endpoint, tap, filter: new UsageChunkFilter(), body: rewritten.body, basis }
    : { endpoint, tap, filter: undefined, body: asked, basis };
}

function clientAskedAccounting(body: Buffer): boolean {
  const { usage } = readTopLevelFields(body, ['usage']);
  return typeof usage === 'object' && usage !== null && (usage as Record<string, unknown>)['include'] === true;
}

/** Transcriptions: billed by the upload's duration when its header tells it, else bounded by its size. */
function uploadMeter(endpoint: NativeEndpoint, tap: NativeMeter['tap'], upload: Buffer | undefined): NativeMeter {
  const file = upload ? formFile(upload) : undefined;
  const seconds = file ? audioDurationSeconds(file) : undefined;
  if (seconds === undefined) return { endpoint, tap, filter: undefined, body: undefined, basis: { uploadBytes: upload?.length ?? 0 } };
  // Billed by this duration only when the answer does not state its own (text, srt and vtt formats).
  const requestUsage = { usage: { inputTokens: 0, outputTokens: 0, units: { audio_second: Math.max(1, Math.ceil(seconds)) } } };
  return { endpoint, tap, filter: undefined, body: undefined, requestUsage, basis: { uploadBytes: upload!.length, audioSeconds: seconds } };
}
