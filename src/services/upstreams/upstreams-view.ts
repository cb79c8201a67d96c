import type { Clock } from '../../lib/clock.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { KeyFailureKind, KeyPool } from '../../upstream/key-pool.js';

export interface UpstreamKeyView {
  /** `…abcd`: the key's last 4 characters, never the whole key. */
  label: string;
  /** ISO time the key rests until (out of rotation after a refusal or a throttle); null when in rotation. */
  resting_until: string | null;
  last_error: KeyFailureKind | null;
  last_error_at: string | null;
}

export interface UpstreamView {
  provider: string;
  base_url: string;
  dialect: string;
  /** The native surface prefixes, e.g. `/openai`. */
  mounts: string[];
  /** False when the provider has no key: its calls are refused (a custom host configured without a key is called keyless). */
  configured: boolean;
  keys: UpstreamKeyView[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * The providers as this node calls them: base URL, dialect, mounts and each key's health. Health is this
 * node's own (key pools live in memory per node), which is what an operator debugging a refusal needs.
 */
export class UpstreamsView {
  constructor(
    private readonly providers: ProviderRegistry,
    private readonly keyPools: ReadonlyMap<string, KeyPool>,
    private readonly baseUrls: ReadonlyMap<string, string>,
    private readonly clock: Clock,
  ) {}

  list(): UpstreamView[] {
    const now = this.clock.now();
    return this.providers.all.map((spec) => {
      const pool = this.keyPools.get(spec.id);
      const keys = pool?.health(now) ?? [];
      return {
        provider: spec.id,
        base_url: this.baseUrls.get(spec.id) ?? spec.defaultBaseUrl,
        dialect: spec.dialect,
        mounts: [...spec.mounts],
        configured: pool !== undefined && pool.size() > 0,
        keys: keys.map((k) => ({ label: k.label, resting_until: iso(k.restingUntil), last_error: k.lastError, last_error_at: iso(k.lastErrorAt) })),
      };
    });
  }
}
