import { nativeSideOf } from '../providers/index.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Surface } from '../services/index.js';

/**
 * Which error dialect a URL's caller speaks: a provider's native mount speaks its provider's dialect
 * (`/anthropic/…` Anthropic's, `/google/…` Gemini's, but `/google/v1beta/openai/…` OpenAI's); everything
 * else speaks OpenAI's.
 */
export function surfaceResolver(providers: ProviderRegistry): (url: string) => Surface {
  const byMount = new Map(providers.mounts());
  return (url) => {
    const second = url.indexOf('/', 1);
    const spec = second > 0 ? byMount.get(url.slice(0, second)) : undefined;
    if (!spec) return 'openai';
    if (!spec.nativeSubSurfaces) return spec.dialect;
    const query = url.indexOf('?');
    return nativeSideOf(spec, (query < 0 ? url : url.slice(0, query)).slice(second)).dialect;
  };
}
