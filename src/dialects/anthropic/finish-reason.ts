import type { ChatFinishReason } from '../../core/chat-types.js';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason` (docs/reference/translation.md §10): `max_tokens` and
 * `model_context_window_exceeded` → `length`, `refusal` → `content_filter`; everything else
 * (`end_turn`, `stop_sequence`, `tool_use`, `pause_turn` — a paused server-tool loop —, unknown reasons)
 * → `tool_calls` when the answer carries client tool calls, else `stop`. So `tool_use` with nothing to
 * run is `stop` (a client told `tool_calls` with none would loop), and calls are never hidden behind `stop`.
 */
export function finishReason(stopReason: unknown, hasToolCalls: boolean): ChatFinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}
