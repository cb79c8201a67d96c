import type { ChatUsage } from '../../core/chat-types.js';
import { usageFromWire } from './usage.js';

/**
 * `ChatUsage` plus OpenAI's newer `prompt_tokens_details.cache_write_tokens`, which `core/chat-types.ts`
 * does not declare yet.
 */
export type AnthropicChatUsage = ChatUsage & {
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
};

/**
 * An Anthropic wire usage object as OpenAI usage (docs/reference/translation.md §11): cache reads and writes are part of
 * `prompt_tokens` exactly once (Anthropic's `input_tokens` excludes both), `cached_tokens` = reads,
 * `cache_write_tokens` only when there were writes. `reasoning_tokens` only when Anthropic reported
 * `output_tokens_details.thinking_tokens`: otherwise it is unknown, not 0.
 */
export function chatUsageFromWire(wire: unknown): AnthropicChatUsage {
  const usage = usageFromWire(wire) ?? { inputTokens: 0, outputTokens: 0 };
  const out: AnthropicChatUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
  };
  if (usage.cacheWriteTokens) out.prompt_tokens_details = { ...out.prompt_tokens_details, cache_write_tokens: usage.cacheWriteTokens };
  if (usage.reasoningTokens) out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return out;
}
