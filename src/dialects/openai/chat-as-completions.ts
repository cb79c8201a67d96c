import type { ChatRequest } from '../../core/chat-types.js';
import { badRequest } from '../../core/errors.js';
import type { SseEvent } from '../../lib/sse.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/** Legacy completions parameters a chat model cannot honour: refused unless set to their neutral value. */
const REFUSED: Readonly<Record<string, (value: unknown) => boolean>> = {
  suffix: (value) => value === '',
  echo: (value) => value === false,
  // Any number, 0 included, asks for the sampled tokens' log-probabilities.
  logprobs: () => false,
  best_of: (value) => value === 1,
  logit_bias: (value) => typeof value === 'object' && value !== null && Object.keys(value).length === 0,
};
const PASSED = ['max_tokens', 'temperature', 'top_p', 'n', 'stop', 'stream', 'stream_options', 'seed', 'presence_penalty', 'frequency_penalty', 'user'] as const;

/**
 * `POST /v1/completions` (and Botech's `/v1/text/generations`) for a model that has only chat: the prompt
 * becomes one user message; the answer's text comes back as `choices[].text`.
 */
export function completionsAsChat(body: JsonObject): ChatRequest {
  const prompt = body['prompt'];
  let text: string;
  if (typeof prompt === 'string') text = prompt;
  else if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') text = prompt[0];
  else throw badRequest("'prompt' must be a string (or a list of one string) for this model.", 'prompt');
  for (const [name, neutral] of Object.entries(REFUSED)) {
    const value = body[name];
    if (value !== undefined && value !== null && !neutral(value)) {
      throw badRequest(`'${name}' is not supported for this model (it is served through chat).`, name);
    }
  }
  const chat: ChatRequest = { model: String(body['model'] ?? ''), messages: [{ role: 'user', content: text }] };
  for (const name of PASSED) if (body[name] !== undefined) chat[name] = body[name] as never;
  return chat;
}

export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ text: string; index: number; logprobs: null; finish_reason: string | null }>;
  usage?: unknown;
}

/** A chat completion as a text completion. */
export function chatAsCompletion(chat: unknown, model?: string): TextCompletion {
  const c = isJsonObject(chat) ? chat : {};
  const choices = (Array.isArray(c['choices']) ? c['choices'] : []).filter(isJsonObject).map((choice, i) => {
    const message = isJsonObject(choice['message']) ? choice['message'] : {};
    return {
      text: typeof message['content'] === 'string' ? message['content'] : '',
      index: typeof choice['index'] === 'number' ? choice['index'] : i,
      logprobs: null,
      finish_reason: typeof choice['finish_reason'] === 'string' ? choice['finish_reason'] : null,
    };
  });
  return {
    id: String(c['id'] ?? '').replace(/^chatcmpl-/, 'cmpl-'),
    object: 'text_completion',
    created: typeof c['created'] === 'number' ? c['created'] : 0,
    model: model ?? String(c['model'] ?? ''),
    choices,
    ...(c['usage'] !== undefined ? { usage: c['usage'] } : {}),
  };
}

/** Chat stream chunks as text completion chunks; `[DONE]` and error payloads pass through unchanged. */
export class ChatChunksAsCompletions {
  /** `model`: the name to answer with (the client's), instead of the one in the chunks. */
  constructor(private readonly model?: string) {}

  push(event: SseEvent): string {
    if (event.data === '[DONE]') return 'data: [DONE]\n\n';
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      return '';
    }
    if (!isJsonObject(chunk) || chunk['error'] !== undefined) return `data: ${event.data}\n\n`;
    const choices = (Array.isArray(chunk['choices']) ? chunk['choices'] : []).filter(isJsonObject);
    const out = {
      id: String(chunk['id'] ?? '').replace(/^chatcmpl-/, 'cmpl-'),
      object: 'text_completion',
      created: chunk['created'],
      model: this.model ?? chunk['model'],
      choices: choices
        .map((choice, i) => {
          const delta = isJsonObject(choice['delta']) ? choice['delta'] : {};
          const text = typeof delta['content'] === 'string' ? delta['content'] : '';
          const finish = typeof choice['finish_reason'] === 'string' ? choice['finish_reason'] : null;
          return { text, index: typeof choice['index'] === 'number' ? choice['index'] : i, logprobs: null, finish_reason: finish };
        })
        .filter((choice) => choice.text !== '' || choice.finish_reason !== null),
      ...(chunk['usage'] ? { usage: chunk['usage'] } : {}),
    };
    if (out.choices.length === 0 && !out.usage) return ''; // the role-only first chunk has no text
    return `data: ${JSON.stringify(out)}\n\n`;
  }

  end(): string {
    return '';
  }
}
