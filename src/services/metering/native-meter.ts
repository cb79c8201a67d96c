import type { Readable } from 'node:stream';
import { badRequest } from '../../core/errors.js';
import type { RequestEstimate } from '../../core/estimate.js';
import type { NativeEndpoint } from '../../core/native-endpoint.js';
import type { UsageTap } from '../../core/usage-tap.js';
import { anthropicNativeEndpoint, anthropicNativeTap } from '../../dialects/anthropic/native-meter.js';
import { estimateAnthropicRequest } from '../../dialects/anthropic/request-estimate.js';
import { geminiNativeEndpoint, geminiNativeTap } from '../../dialects/gemini/native-meter.js';
import { estimateGeminiRequest } from '../../dialects/gemini/request-estimate.js';
import { openAINativeEndpoint, openAINativeTap } from '../../dialects/openai/native-meter.js';
import { estimateOpenAIRequest } from '../../dialects/openai/request-estimate.js';
import { UsageChunkFilter } from '../../dialects/openai/usage-chunk-filter.js';
import { openAIRequestUsage, type RequestUsage } from '../../dialects/openai/request-usage.js';
import { withIncludeUsage } from '../../dialects/openai/usage-tap.js';
import { audioDurationSeconds } from '../../lib/audio-duration.js';
import { walkJson } from '../../lib/json-strings.js';
import { readFormFields, readFormFile } from '../../lib/multipart-fields.js';
import { approximateTokens } from '../../lib/token-count.js';
import type { ProviderSpec } from '../../providers/index.js';
import type { CostBasis } from '../billing/estimate-cost.js';

export interface NativeMeter {
  /** What the endpoint is to the gateway: metered, free, billed later, or unknown (see core/native-endpoint.ts). */
  endpoint: NativeEndpoint;
  tap: UsageTap | undefined;
  /** Set when the gateway asked for the stream's usage chunk itself and must keep it from the client. */
  filter: UsageChunkFilter | undefined;
  body: Buffer | Readable | undefined;
  /** Billing read from the request, for answers that report no usage (speech, DALL·E images). */
  requestUsage?: RequestUsage | undefined;
  /** What admission holds money against; undefined for calls that cost nothing. */
  basis: CostBasis | undefined;
}

const GEMINI_EMBED = /:(?:embedContent|batchEmbedContents)$/;
const OPENAI_UPLOADS = new Set(['/v1/audio/transcriptions', '/v1/audio/translations']);
const NOTHING_TO_VISIT = (): void => undefined;

/** The endpoint a native call reaches (`path` canonical), as its dialect lists it. */
export function nativeEndpoint(provider: ProviderSpec, method: string, path: string): NativeEndpoint {
  switch (provider.dialect) {
    case 'anthropic':
      return anthropicNativeEndpoint(method, path);
    case 'gemini':
      return geminiNativeEndpoint(method, path);
    default:
      return openAINativeEndpoint(method, path);
  }
}

/**
 * How a native call is metered: which tap reads its answer, and the request body to send for it. A
 * metered JSON endpoint whose body is not well-formed JSON is refused here, before any model is looked up.
 */
export function nativeMeter(
  provider: ProviderSpec,
  method: string,
  path: string,
  stream: boolean,
  body: Buffer | Readable | undefined,
): NativeMeter {
  const endpoint = nativeEndpoint(provider, method, path);
  if (endpoint.kind !== 'metered') return { endpoint, tap: undefined, filter: undefined, body, basis: undefined };
  const json = endpoint.body === 'json' && Buffer.isBuffer(body) ? body : undefined;
  switch (provider.dialect) {
    case 'anthropic': {
      const tap = anthropicNativeTap(method, path, stream);
      return { endpoint, tap, filter: undefined, body, basis: { tokens: json ? wellFormed(estimateAnthropicRequest(path, json)) : undefined } };
    }
    case 'gemini': {
      const tap = geminiNativeTap(method, path);
      const tokens = json ? wellFormed(estimateGeminiRequest(path, json)) : undefined;
      if (tokens && GEMINI_EMBED.test(path)) {
        // Gemini's embedding answers carry no token count: the request's own count is what is billed.
        const requestUsage = { usage: { inputTokens: tokens.inputTokens, outputTokens: 0 } };
        return { endpoint, tap, filter: undefined, body, requestUsage, basis: { requestUsage } };
      }
      return { endpoint, tap, filter: undefined, body, basis: { tokens } };
    }
    default:
      return openAIMeter(endpoint, method, path, stream, body, json);
  }
}

function openAIMeter(
  endpoint: NativeEndpoint,
  method: string,
  path: string,
  stream: boolean,
  body: Buffer | Readable | undefined,
  json: Buffer | undefined,
): NativeMeter {
  const tap = openAINativeTap(method, path, stream);
  if (OPENAI_UPLOADS.has(path)) {
    const upload = Buffer.isBuffer(body) ? body : undefined;
    const file = upload ? formFile(upload) : undefined;
    const seconds = file ? audioDurationSeconds(file) : undefined;
    if (seconds === undefined) return { endpoint, tap, filter: undefined, body, basis: { uploadBytes: upload?.length ?? 0 } };
    // Billed by this duration only when the answer does not state its own (text, srt and vtt formats).
    const requestUsage = { usage: { inputTokens: 0, outputTokens: 0, units: { audio_second: Math.max(1, Math.ceil(seconds)) } } };
    return { endpoint, tap, filter: undefined, body, requestUsage, basis: { uploadBytes: upload!.length, audioSeconds: seconds } };
  }
  const estimate = json ? estimateOpenAIRequest(path, json) : undefined;
  // Speech and image generations are not walked by the estimate: their bodies are checked on their own.
  if (json && (estimate ? estimate.malformed : !walkJson(json, NOTHING_TO_VISIT).complete)) throw malformedJson();
  const formBody = endpoint.kind === 'metered' && endpoint.body === 'multipart' && Buffer.isBuffer(body) ? body : undefined;
  const requestUsage = json ? openAIRequestUsage(path, json) : formBody ? formImageUsage(path, formBody) : undefined;
  if (requestUsage) {
    // The token bound backs up a per-image or per-character price the model does not have.
    const size = (json ?? formBody)!.length;
    return { endpoint, tap, filter: undefined, body, requestUsage, basis: { requestUsage, tokens: { inputTokens: approximateTokens(size), choices: 1 } } };
  }
  const basis = { tokens: estimate };
  if (!tap || !stream || !json || (path !== '/v1/chat/completions' && path !== '/v1/completions')) {
    return { endpoint, tap, filter: undefined, body, basis };
  }
  // Streams carry usage only when asked: ask upstream, and hide the extra chunk from the client.
  const rewritten = withIncludeUsage(json);
  return { endpoint, tap, filter: rewritten.added ? new UsageChunkFilter() : undefined, body: rewritten.body, basis };
}

function wellFormed(estimate: RequestEstimate | undefined): RequestEstimate | undefined {
  if (estimate?.malformed) throw malformedJson();
  return estimate;
}

function malformedJson() {
  return badRequest('The request body is not valid JSON.');
}

/** The boundary of a multipart body: its first line is `--<boundary>`. */
function bodyBoundary(body: Buffer): string | undefined {
  const lineEnd = body.indexOf('\r\n');
  if (lineEnd < 3 || lineEnd > 80 || body[0] !== 0x2d || body[1] !== 0x2d) return undefined;
  return body.toString('latin1', 2, lineEnd);
}

/** The uploaded `file` of a multipart body. */
function formFile(body: Buffer): Buffer | undefined {
  const boundary = bodyBoundary(body);
  return boundary === undefined ? undefined : readFormFile(body, boundary, 'file');
}

/** Image edits and variations (multipart): billed per image by count, size and quality, as generations are. */
function formImageUsage(path: string, body: Buffer): RequestUsage | undefined {
  if (path !== '/v1/images/edits' && path !== '/v1/images/variations') return undefined;
  const boundary = bodyBoundary(body);
  if (boundary === undefined) return undefined;
  const { n, size, quality } = readFormFields(body, boundary, ['n', 'size', 'quality']);
  const count = n !== undefined && /^\d{1,2}$/.test(n) && Number(n) > 0 ? Number(n) : 1;
  return { usage: { inputTokens: 0, outputTokens: 0, units: { image: count } }, imageVariant: `${size ?? '1024x1024'}/${quality ?? 'standard'}` };
}
