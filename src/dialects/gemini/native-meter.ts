import type { UsageTap } from '../../core/usage-tap.js';
import { GeminiStreamTap, geminiJsonTap } from './usage-tap.js';

/** The usage tap for a native Gemini call; the method is in the path (`models/x:generateContent`). */
export function geminiNativeTap(method: string, path: string, query: string): UsageTap | undefined {
  if (method !== 'POST') return undefined;
  if (path.endsWith(':generateContent')) return geminiJsonTap();
  if (path.endsWith(':streamGenerateContent')) {
    return new GeminiStreamTap({ framing: /(^|&)alt=sse(&|$)/.test(query) ? 'sse' : 'json-array' });
  }
  return undefined;
}

/** Batch jobs, long-running generation (video), Imagen predictions and context caches bill outside this request. */
export function geminiUnmeteredWork(method: string, path: string): boolean {
  if (method !== 'POST') return false;
  return /:(?:batchGenerateContent|asyncBatchEmbedContent|predictLongRunning|predict)$/.test(path) || /\/cachedContents(?:$|\/)/.test(path);
}
