import type { Readable } from 'node:stream';
import type { UsageTap } from '../../core/usage-tap.js';
import { anthropicNativeTap, anthropicUnmeteredWork } from '../../dialects/anthropic/native-meter.js';
import { estimateAnthropicRequest } from '../../dialects/anthropic/request-estimate.js';
import { geminiNativeTap, geminiUnmeteredWork } from '../../dialects/gemini/native-meter.js';
import { estimateGeminiRequest } from '../../dialects/gemini/request-estimate.js';
import { openAINativeTap, openAIUnmeteredWork } from '../../dialects/openai/native-meter.js';
import { estimateOpenAIRequest } from '../../dialects/openai/request-estimate.js';
import { UsageChunkFilter } from '../../dialects/openai/usage-chunk-filter.js';
import { openAIRequestUsage, type RequestUsage } from '../../dialects/openai/request-usage.js';
import { withIncludeUsage } from '../../dialects/openai/usage-tap.js';
import { audioDurationSeconds } from '../../lib/audio-duration.js';
import { readFormFields, readFormFile } from '../../lib/multipart-fields.js';
import { approximateTokens } from '../../lib/token-count.js';
import type { ProviderSpec } from '../../providers/index.js';
import type { CostBasis } from '../billing/estimate-cost.js';

export interface NativeMeter {
  tap: UsageTap | undefined;
  /** Set when the gateway asked for the stream's usage chunk itself and must keep it from the client. */
  filter: UsageChunkFilter | undefined;
  body: Buffer | Readable | undefined;
  /** Billing read from the request, for answers that report no usage (speech, DALL·E images). */
  requestUsage?: RequestUsage | undefined;
  /** What admission holds money against; undefined for calls that cost nothing. */
  basis: CostBasis | undefined;
  /** The call starts work the provider bills later, which this gateway cannot meter. */
  unmetered?: boolean;
}

const GEMINI_EMBED = /:(?:embedContent|batchEmbedContents)$/;
const OPENAI_UPLOADS = new Set(['/v1/audio/transcriptions', '/v1/audio/translations']);

/** How a native call is metered: which tap reads its answer, and the request body to send for it. */
export function nativeMeter(
  provider: ProviderSpec,
  method: string,
  path: string,
  query: string,
  stream: boolean,
  body: Buffer | Readable | undefined,
): NativeMeter {
  const json = method === 'POST' && Buffer.isBuffer(body) ? body : undefined;
  switch (provider.dialect) {
    case 'anthropic': {
      if (anthropicUnmeteredWork(method, path)) return { tap: undefined, filter: undefined, body, basis: undefined, unmetered: true };
      const tap = anthropicNativeTap(method, path, stream);
      return { tap, filter: undefined, body, basis: tap ? { tokens: json ? estimateAnthropicRequest(path, json) : undefined } : undefined };
    }
    case 'gemini': {
      if (geminiUnmeteredWork(method, path)) return { tap: undefined, filter: undefined, body, basis: undefined, unmetered: true };
      const tap = geminiNativeTap(method, path, query);
      const tokens = json ? estimateGeminiRequest(path, json) : undefined;
      if (tokens && GEMINI_EMBED.test(path)) {
        // Gemini's embedding answers carry no token count: the request's own count is what is billed.
        const requestUsage = { usage: { inputTokens: tokens.inputTokens, outputTokens: 0 } };
        return { tap, filter: undefined, body, requestUsage, basis: { requestUsage } };
      }
      return { tap, filter: undefined, body, basis: tap ? { tokens } : undefined };
    }
    default: {
      if (openAIUnmeteredWork(method, path)) return { tap: undefined, filter: undefined, body, basis: undefined, unmetered: true };
      const tap = openAINativeTap(method, path, stream);
      if (method === 'POST' && OPENAI_UPLOADS.has(path)) {
        const upload = Buffer.isBuffer(body) ? body : undefined;
        const file = upload ? formFile(upload) : undefined;
        const seconds = file ? audioDurationSeconds(file) : undefined;
        if (seconds === undefined) return { tap, filter: undefined, body, basis: { uploadBytes: upload?.length ?? 0 } };
        // Billed by this duration only when the answer does not state its own (text, srt and vtt formats).
        const requestUsage = { usage: { inputTokens: 0, outputTokens: 0, units: { audio_second: Math.max(1, Math.ceil(seconds)) } } };
        return { tap, filter: undefined, body, requestUsage, basis: { uploadBytes: upload!.length, audioSeconds: seconds } };
      }
      const requestUsage = json ? openAIRequestUsage(path, json) ?? formImageUsage(path, json) : undefined;
      if (requestUsage) {
        // The token bound backs up a per-image or per-character price the model does not have.
        const tokens = { inputTokens: approximateTokens(json!.length), choices: 1 };
        return { tap, filter: undefined, body, requestUsage, basis: { requestUsage, tokens } };
      }
      const basis = tap ? { tokens: json ? estimateOpenAIRequest(path, json) : undefined } : undefined;
      if (!tap || !stream || !json || (path !== '/v1/chat/completions' && path !== '/v1/completions')) {
        return { tap, filter: undefined, body, basis };
      }
      // Streams carry usage only when asked: ask upstream, and hide the extra chunk from the client.
      const rewritten = withIncludeUsage(json);
      return { tap, filter: rewritten.added ? new UsageChunkFilter() : undefined, body: rewritten.body, basis };
    }
  }
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
