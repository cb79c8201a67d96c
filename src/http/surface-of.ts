import type { Surface } from '../services/index.js';

/** Which error dialect a URL's caller speaks. */
export function surfaceOf(url: string): Surface {
  if (url.startsWith('/anthropic/')) return 'anthropic';
  if (url.startsWith('/google/')) return 'gemini';
  return 'openai';
}
