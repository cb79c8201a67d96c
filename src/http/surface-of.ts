import type { ProviderRegistry } from '../providers/registry.js';
import type { Surface } from '../services/index.js';

/**
 * Which error dialect a URL's caller speaks: a provider's native mount speaks its provider's dialect
 * (`/anthropic/…` Anthropic's, `/google/…` Gemini's); everything else speaks OpenAI's.
 */
export function surfaceResolver(providers: ProviderRegistry): (url: string) => Surface {
  const byMount = new Map<string, Surface>(providers.mounts().map(([mount, spec]) => [mount, spec.dialect]));
  return (url) => {
    const second = url.indexOf('/', 1);
    return (second > 0 && byMount.get(url.slice(0, second))) || 'openai';
  };
}
