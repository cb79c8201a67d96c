import { JsonTranslator, SseTranslator, type ChatStreamAdapter, type FailureBody } from '../../core/answer-translators.js';
import type { ChatRequest } from '../../core/chat-types.js';
import type { EncodedCall, OpCodec } from '../../core/dialect.js';
import { GatewayError } from '../../core/errors.js';
import type { Op } from '../../core/ops.js';
import { newId } from '../../lib/ids.js';
import { chatToAnthropic } from './chat-request.js';
import { anthropicErrorToOpenAI, anthropicToChat } from './chat-response.js';
import { AnthropicChatStream } from './chat-stream.js';

const ANTHROPIC_VERSION = '2023-06-01';
/** When neither the request nor the catalog gives an output cap (Anthropic requires one). */
const DEFAULT_MAX_TOKENS = 8192;

/** Chat on Anthropic Messages; `max_tokens` (required there) defaults to the model's maximum output. */
const chat: OpCodec = {
  encode({ request }, ctx): EncodedCall {
    const translated = chatToAnthropic(request as ChatRequest, {
      upstreamModel: ctx.upstreamModel,
      defaultMaxTokens: ctx.maxOutputTokens ?? DEFAULT_MAX_TOKENS,
    });
    const stream = translated['stream'] === true;
    return {
      method: 'POST',
      path: '/v1/messages',
      query: '',
      headers: { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION },
      withClientHeaders: false,
      body: Buffer.from(JSON.stringify(translated)),
      stream,
      fields: { model: ctx.upstreamModel, stream },
    };
  },
  decode(call, { request }, ctx) {
    const created = Math.floor(ctx.startedAt / 1000);
    if (!call.stream) {
      return new JsonTranslator((message) => anthropicToChat(message, { model: ctx.requestedModel, created }), ctx.clientErrors.body, anthropicErrorToOpenAI);
    }
    const id = `chatcmpl-${newId('an', ctx.startedAt).slice(3)}`;
    const includeUsage = (request as ChatRequest).stream_options?.include_usage === true;
    const stream = new AnthropicChatStream({ model: ctx.requestedModel, created, id, includeUsage });
    return new SseTranslator(endsWithErrorWhenCut(stream, ctx.clientErrors.body), ctx.clientErrors.body, anthropicErrorToOpenAI);
  },
};

/** A stream the provider closed before its last event ends with an error for the client, never a fake finish. */
function endsWithErrorWhenCut(stream: AnthropicChatStream, failureBody: FailureBody): ChatStreamAdapter {
  return {
    push: (event) => stream.push(event),
    end: () => {
      const rest = stream.end();
      if (stream.completed() || stream.failed()) return rest; // ended by the provider, well or with its error
      const failure = new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'The provider ended the stream before it was complete.');
      return `${rest}data: ${JSON.stringify(failureBody(failure))}\n\n`;
    },
  };
}

/** Anthropic carries chat (and through the chat bridges, Responses and text completions). */
export const ANTHROPIC_CODECS: Readonly<Partial<Record<Op, OpCodec>>> = { chat };
