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
  /** Parts of the native surface that speak another dialect (Gemini's OpenAI-compatible `/v1beta/openai/*`). */
  nativeSubSurfaces?: readonly NativeSubSurface[];
  /**
   * Prices every chat and text completion itself: asked with `usage: {include: true}`, the answer's
   * `usage.cost` (USD) is what the call cost, and is billed (OpenRouter's usage accounting).
   */
  reportsCost?: boolean;
}

export const bearerAuth = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/**
 * `prefix` (an upstream path prefix, version included) speaks `dialect`: its calls are metered, and the
 * gateway's own errors shaped, as that dialect's calls to `meteredAs` + the rest of the path would be.
 */
export interface NativeSubSurface {
  prefix: string;
  dialect: DialectName;
  meteredAs: string;
}

/** Which dialect a native call speaks, and the path its dialect meters it as. */
export interface NativeSide {
  dialect: DialectName;
  path: string;
}

/** The dialect of a native call on `spec`'s surface (`path` canonical, with its version). */
export function nativeSideOf(spec: ProviderSpec, path: string): NativeSide {
  const subs = spec.nativeSubSurfaces;
  if (subs) {
    for (const sub of subs) {
      if (path.startsWith(sub.prefix) && path.charCodeAt(sub.prefix.length) === 47 /* / */) {
        return { dialect: sub.dialect, path: sub.meteredAs + path.slice(sub.prefix.length) };
      }
    }
  }
  return { dialect: spec.dialect, path };
}
