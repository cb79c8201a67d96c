import type { Readable } from 'node:stream';
import type { UsageTap } from '../../core/usage-tap.js';
import { anthropicNativeTap } from '../../dialects/anthropic/native-meter.js';
import { geminiNativeTap } from '../../dialects/gemini/native-meter.js';
import { openAINativeTap } from '../../dialects/openai/native-meter.js';
import { UsageChunkFilter } from '../../dialects/openai/usage-chunk-filter.js';
import { openAIRequestUsage, type RequestUsage } from '../../dialects/openai/request-usage.js';
import { withIncludeUsage } from '../../dialects/openai/usage-tap.js';
import type { ProviderSpec } from '../../providers/index.js';

export interface NativeMeter {
  tap: UsageTap | undefined;
  /** Set when the gateway asked for the stream's usage chunk itself and must keep it from the client. */
  filter: UsageChunkFilter | undefined;
  body: Buffer | Readable | undefined;
  /** Billing read from the request, for answers that report no usage (speech, DALL·E images). */
  requestUsage?: RequestUsage | undefined;
}

/** How a native call is metered: which tap reads its answer, and the request body to send for it. */
export function nativeMeter(
  provider: ProviderSpec,
  method: string,
  path: string,
  query: string,
  stream: boolean,
  body: Buffer | Readable | undefined,
): NativeMeter {
  switch (provider.dialect) {
    case 'anthropic':
      return { tap: anthropicNativeTap(method, path, stream), filter: undefined, body };
    case 'gemini':
      return { tap: geminiNativeTap(method, path, query), filter: undefined, body };
    default: {
      const tap = openAINativeTap(method, path, stream);
      const requestUsage = method === 'POST' && Buffer.isBuffer(body) ? openAIRequestUsage(path, body) : undefined;
      if (requestUsage) return { tap, filter: undefined, body, requestUsage };
      if (!tap || !stream || !Buffer.isBuffer(body) || (path !== '/v1/chat/completions' && path !== '/v1/completions')) {
        return { tap, filter: undefined, body };
      }
      // Streams carry usage only when asked: ask upstream, and hide the extra chunk from the client.
      const rewritten = withIncludeUsage(body);
      return { tap, filter: rewritten.added ? new UsageChunkFilter() : undefined, body: rewritten.body };
    }
  }
}
