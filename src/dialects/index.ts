// The one door to the dialects: services and providers look dialects up here and import nothing else of them.
import type { ChatBridge, DialectModule, DialectName, OpCodec } from '../core/dialect.js';
import type { Op } from '../core/ops.js';
import { anthropicDialect } from './anthropic/index.js';
import { geminiDialect } from './gemini/index.js';
import { COMPLETIONS_VIA_CHAT, RESPONSES_VIA_CHAT, openAIDialect } from './openai/index.js';

export type { AnswerWarning, BridgeObserver, BridgedAnswer, ChatBridge, CodecContext, CodecInput, DialectModule, DialectName, EncodedCall, FetchedMedia, NativeMeter, OpCodec } from '../core/dialect.js';

export const DIALECTS: Readonly<Record<DialectName, DialectModule>> = Object.freeze({
  openai: openAIDialect,
  anthropic: anthropicDialect,
  gemini: geminiDialect,
});

/** OpenAI operations any chat model can answer by way of chat, when its dialect has no codec of its own for them. */
export const CHAT_BRIDGES: Readonly<Partial<Record<Op, ChatBridge>>> = Object.freeze({
  responses: RESPONSES_VIA_CHAT,
  completions: COMPLETIONS_VIA_CHAT,
});

/** The dialect's own codec for `op`, if it has one. */
export function codecOf(dialect: DialectName, op: Op): OpCodec | undefined {
  return DIALECTS[dialect].ops[op];
}

/** Whether a provider of this dialect can serve `op` on the unified API: by its own codec, or by chat through a bridge. */
export function dialectServes(dialect: DialectName, op: Op): boolean {
  return codecOf(dialect, op) !== undefined || (CHAT_BRIDGES[op] !== undefined && codecOf(dialect, 'chat') !== undefined);
}
