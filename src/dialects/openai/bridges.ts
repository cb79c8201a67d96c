import { JsonTranslator, SseTranslator } from '../../core/answer-translators.js';
import type { ChatBridge } from '../../core/dialect.js';
import { newId } from '../../lib/ids.js';
import { ChatChunksAsCompletions, chatAsCompletion, completionsAsChat } from './chat-as-completions.js';
import { responsesToChat } from './responses-request.js';
import { chatToResponse, type ResponseContext } from './responses-response.js';
import { planTools } from './responses-tools.js';
import { ChatChunksAsResponseEvents } from './responses-stream.js';

/**
 * `/v1/responses` on models without the Responses API: the request as chat, the chat answer or stream
 * re-shaped as a Response. Errors pass as the chat call's dialect mapped them.
 */
export const RESPONSES_VIA_CHAT: ChatBridge = {
  toChat: (request) => responsesToChat(request as Record<string, unknown>),
  fromChat(request, stream, ctx, observe) {
    const plan = planTools(request as Record<string, unknown>);
    const answer: ResponseContext = {
      model: ctx.requestedModel,
      createdAt: Math.floor(ctx.startedAt / 1000),
      id: newId('resp', ctx.startedAt),
      request: request as Record<string, unknown>,
      store: observe !== undefined && request.store !== false,
      warnings: plan.warnings,
      names: plan.names,
      observe,
    };
    return stream
      ? new SseTranslator(new ChatChunksAsResponseEvents(answer), ctx.clientErrors.body)
      : new JsonTranslator((chat) => chatToResponse(chat, answer), ctx.clientErrors.body);
  },
};

/** `/v1/completions` on chat models: the prompt as one user message, the answer as a text completion. */
export const COMPLETIONS_VIA_CHAT: ChatBridge = {
  toChat: (request) => completionsAsChat(request as Record<string, unknown>),
  fromChat(_request, stream, ctx) {
    return stream
      ? new SseTranslator(new ChatChunksAsCompletions(ctx.requestedModel), ctx.clientErrors.body)
      : new JsonTranslator((chat) => chatAsCompletion(chat, ctx.requestedModel), ctx.clientErrors.body);
  },
};
