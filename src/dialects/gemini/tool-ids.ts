import { createHash } from 'node:crypto';

/**
 * Tool-call ids and thought signatures between OpenAI chat and Gemini (docs/reference/translation.md §5).
 *
 * Gemini → OpenAI (responses and streams):
 * - `functionCall.id` present and short enough (`[A-Za-z0-9_-]{1,33}`) → OpenAI id `call_g_<id>`. The
 *   `call_g_` prefix says "Gemini chose this id", so the request side sends it back as `functionCall.id`
 *   and `functionResponse.id`.
 * - otherwise → a synthesized id `call_` + 24 characters of `[A-Za-z0-9]`, derived deterministically
 *   (SHA-256) from the completion id, the choice index and the call's position in the message. ≤ 40
 *   characters, valid for OpenAI and Anthropic, unique per response, never derived from the function name.
 *   The request side sends no Gemini id for it (Gemini pairs calls and responses by order and name).
 * - `thoughtSignature` on the call's part → `tool_calls[].extra_content.google.thought_signature` (the field
 *   Google's own OpenAI-compatible endpoint uses), so a client that sends the assistant message back
 *   unchanged round-trips it.
 *
 * OpenAI → Gemini (requests): a tool call's signature is taken from `extra_content.google.thought_signature`,
 * else from the caller's lookup (a server-side `tool_call_id → signature` cache, if the service keeps one),
 * and put back on the same `functionCall` part. A model turn with function calls and no signature at all
 * (the client dropped the field, or the history came from another model) gets Google's documented dummy
 * `skip_thought_signature_validator` on its first call, so Gemini 3 accepts the history.
 */

/** Prefix of OpenAI ids that carry an id Gemini itself returned. */
export const GEMINI_ID_PREFIX = 'call_g_';
export const DUMMY_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

const GEMINI_ID = /^[A-Za-z0-9_-]{1,33}$/;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The OpenAI id of Gemini call number `slot` (0-based, per message) of choice `choice` in completion `completionId`. */
export function openAIToolCallId(geminiId: unknown, completionId: string, choice: number, slot: number): string {
  if (typeof geminiId === 'string' && GEMINI_ID.test(geminiId)) return GEMINI_ID_PREFIX + geminiId;
  const digest = createHash('sha256').update(`${completionId}\u0000${choice}\u0000${slot}`).digest();
  let out = 'call_';
  for (let i = 0; i < 24; i++) out += ALPHANUMERIC[digest[i]! % ALPHANUMERIC.length];
  return out;
}

/** The Gemini `functionCall.id` to send for an OpenAI tool-call id, when Gemini originally chose it. */
export function geminiCallId(openAIId: string): string | undefined {
  if (!openAIId.startsWith(GEMINI_ID_PREFIX)) return undefined;
  const id = openAIId.slice(GEMINI_ID_PREFIX.length);
  return GEMINI_ID.test(id) ? id : undefined;
}

/** The side field a tool call carries its signature in: `{ google: { thought_signature } }`. */
export interface GeminiExtraContent {
  google: { thought_signature: string };
}

export function signatureExtra(signature: string): GeminiExtraContent {
  return { google: { thought_signature: signature } };
}

/** The signature a client sent back on a tool call (`extra_content.google.thought_signature`), if any. */
export function signatureFromToolCall(toolCall: unknown): string | undefined {
  if (typeof toolCall !== 'object' || toolCall === null) return undefined;
  const extra = (toolCall as { extra_content?: unknown }).extra_content;
  if (typeof extra !== 'object' || extra === null) return undefined;
  const google = (extra as { google?: unknown }).google;
  if (typeof google !== 'object' || google === null) return undefined;
  const sig = (google as { thought_signature?: unknown }).thought_signature;
  return typeof sig === 'string' && sig.length > 0 ? sig : undefined;
}
