import type { Usage } from '../../core/usage.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/**
 * Anthropic Messages usage (docs/reference/anthropic.md §5, §6, §10). Pure, never throws.
 *
 * Anthropic's `input_tokens` EXCLUDES cache reads and cache writes, so the canonical
 * `inputTokens = input_tokens + cache_creation_input_tokens + cache_read_input_tokens`, with
 * `cachedInputTokens` = reads and `cacheWriteTokens` = writes (5m + 1h). `output_tokens` already
 * includes thinking. Zero-valued optional fields are omitted.
 */

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.trunc(v) : undefined;
}

/** The raw wire `usage` object of a Message (or of `message_start.message`). */
export type AnthropicWireUsage = Record<string, unknown>;

/** Cache writes by TTL; `Usage` keeps only their sum, pricing may need the split (1h costs more). */
export interface AnthropicCacheWrites {
  ephemeral5m: number;
  ephemeral1h: number;
}

/** Non-stream: `body.usage` of a Message. Also accepts `message_start.message`. */
export function usageFromMessage(body: unknown): Usage | undefined {
  if (!isJsonObject(body)) return undefined;
  return usageFromWire(body.usage);
}

/** Canonical usage from a raw Anthropic usage object (`undefined` when it has no token counts). */
export function usageFromWire(u: unknown): Usage | undefined {
  if (!isJsonObject(u)) return undefined;
  const uncached = count(u.input_tokens);
  const output = count(u.output_tokens);
  const read = count(u.cache_read_input_tokens) ?? 0;
  const written = cacheWriteTotal(u);
  if (uncached === undefined && output === undefined && read === 0 && written === 0) return undefined;
  const usage: Usage = { inputTokens: (uncached ?? 0) + read + written, outputTokens: output ?? 0 };
  if (read > 0) usage.cachedInputTokens = read;
  if (written > 0) usage.cacheWriteTokens = written;
  const oneHour = Math.min(cacheWritesFromWire(u).ephemeral1h, written);
  if (oneHour > 0) usage.cacheWrite1hTokens = oneHour;
  const thinking = isJsonObject(u.output_tokens_details) ? count(u.output_tokens_details.thinking_tokens) : undefined;
  if (thinking !== undefined && thinking > 0) usage.reasoningTokens = Math.min(thinking, usage.outputTokens);
  return usage;
}

/** `cache_creation_input_tokens`, or the sum of the TTL split when only the split is present. */
function cacheWriteTotal(u: JsonObject): number {
  const total = count(u.cache_creation_input_tokens);
  if (total !== undefined) return total;
  const split = cacheWritesFromWire(u);
  return split.ephemeral5m + split.ephemeral1h;
}

/**
 * The 5m/1h split of cache writes, summing to `cache_creation_input_tokens` when that is present:
 * the 1h part as reported, the rest 5m (the default TTL) — so a missing split is all 5m.
 */
export function cacheWritesFromWire(u: unknown): AnthropicCacheWrites {
  if (!isJsonObject(u)) return { ephemeral5m: 0, ephemeral1h: 0 };
  const split = isJsonObject(u.cache_creation) ? u.cache_creation : {};
  const h1 = count(split.ephemeral_1h_input_tokens) ?? 0;
  const m5 = count(split.ephemeral_5m_input_tokens) ?? 0;
  const total = count(u.cache_creation_input_tokens);
  if (total === undefined) return { ephemeral5m: m5, ephemeral1h: h1 };
  const oneHour = Math.min(h1, total);
  return { ephemeral5m: total - oneHour, ephemeral1h: oneHour };
}

/**
 * Stream overlay: every non-null field of a `message_delta.usage` replaces the same field of the
 * running usage. Counts are cumulative — never add them.
 */
export function overlayWireUsage(base: AnthropicWireUsage | undefined, delta: unknown): AnthropicWireUsage | undefined {
  if (!isJsonObject(delta)) return base;
  const merged: AnthropicWireUsage = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(delta)) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}
