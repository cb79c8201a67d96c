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
