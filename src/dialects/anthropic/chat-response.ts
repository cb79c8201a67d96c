import type { ChatCompletion, ChatToolCall } from '../../core/chat-types.js';
import { GatewayError } from '../../core/errors.js';
import { isJsonObject } from '../../lib/json-value.js';
import { chatUsageFromWire } from './chat-usage.js';
import { finishReason } from './finish-reason.js';

export { anthropicErrorToOpenAI } from './chat-errors.js';

/**
 * An Anthropic `Message` as an OpenAI chat completion (docs/reference/translation.md §9).
 *
 * - `id` is Anthropic's `msg_…` id prefixed `chatcmpl-`, so a completion can be traced to the upstream call.
 * - `model` is `options.model`, the name the client asked for (not Anthropic's model id).
 * - `content`: the text blocks joined; `null` when there is no text but there are tool calls, `""` when
 *   there is neither.
 * - `tool_calls`: one per `tool_use` block, Anthropic's `toolu_…` id kept, `arguments` = JSON of `input`.
 * - `reasoning_content` (non-standard, the de-facto extension): the `thinking` blocks' text joined, only
 *   when there is some. Signatures and `redacted_thinking` are not exposed, so thinking is not round-tripped.
 * - Server-tool and unknown blocks are skipped.
 */
export function anthropicToChat(message: unknown, options: { model: string; created: number }): ChatCompletion {
  if (!isJsonObject(message) || (message.content !== undefined && !Array.isArray(message.content))) {
    throw new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'Anthropic answered with a body that is not a Message.');
  }
  const text: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ChatToolCall[] = [];
  for (const block of (message.content as unknown[] | undefined) ?? []) {
    if (!isJsonObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text.push(block.text);
    else if (block.type === 'thinking' && typeof block.thinking === 'string') reasoning.push(block.thinking);
    else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const joined = text.join('');
  const content = joined === '' && toolCalls.length > 0 ? null : joined;
  const reply: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content, refusal: null };
  if (toolCalls.length > 0) reply.tool_calls = toolCalls;
  const thoughts = reasoning.join('');
  if (thoughts !== '') reply.reasoning_content = thoughts;
  const id = typeof message.id === 'string' && message.id !== '' ? message.id : 'msg_unknown';
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: options.created,
    model: options.model,
    choices: [{ index: 0, message: reply, finish_reason: finishReason(message.stop_reason, toolCalls.length > 0), logprobs: null }],
    usage: chatUsageFromWire(message.usage),
  };
}
