import type { DialectName } from '../core/dialect.js';
import type { Op } from '../core/ops.js';

/** An upstream is data: everything the gateway needs to know to reach and bill it. */
export interface ProviderSpec {
  id: string;
  /** Other unified model prefixes, e.g. gemini also answers to `google/`. */
  aliases: readonly string[];
  /** GEMINI → GEMINI_API_KEY, GEMINI_BASE_URL. */
  envPrefix: string;
  /** Origin plus optional prefix, without the version segment. */
  defaultBaseUrl: string;
  /** Native surface prefixes, e.g. gemini → ['/google']. */
  mounts: readonly string[];
  /** Version segments served under each mount, forwarded as they are (`/google/v1beta/x` → base + `/v1beta/x`). */
  versions: readonly string[];
  dialect: DialectName;
  ops: ReadonlySet<Op>;
  /** Bare model names starting with one of these belong to this provider on the unified API (`claude-` → anthropic). */
  modelPrefixes: readonly string[];
  /** The upstream key as this provider takes it on `path` (the upstream path, with its version). */
  authHeaders(key: string, path: string): Record<string, string>;
  /** Hosts OpenAI's Responses API itself; `/v1/responses` for other providers is bridged through chat. */
  nativeResponses?: boolean;
}

export const bearerAuth = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
