import type { ChatCompletion, ChatFinishReason, ChatToolCall, ChatUsage } from '../../core/chat-types.js';
import { isJsonObject } from '../../lib/json-value.js';
import { openAIToolCallId, signatureExtra, type GeminiExtraContent } from './tool-ids.js';
import { usageFromMetadata } from './usage.js';

/**
 * Gemini `generateContent` response → OpenAI chat completion (docs/reference/translation.md §9–§11), and Gemini error
 * bodies → OpenAI error bodies (§16). Pure, never throws on odd bodies (missing `content`/`parts`, no
 * candidates) — it answers with empty content instead.
 */

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A tool call as this adapter emits it: OpenAI's, plus the thought signature side field (`tool-ids.ts`). */
export interface GeminiChatToolCall extends ChatToolCall {
  extra_content?: GeminiExtraContent;
}

/** OpenAI's logprobs object (chat-types.ts types `choices[].logprobs` as `null` only). */
export interface ChatLogprobs {
  content: Array<{ token: string; logprob: number; bytes: number[]; top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }> }>;
  refusal: null;
}

/**
 * `finishReason` → OpenAI (docs/reference/translation.md §10). `STOP` (and the "nothing special" reasons) become `tool_calls` when the
 * choice made function calls — Gemini has no tool finish reason, and clients end their agent loop on `stop`.
 */
export function finishReasonFromGemini(reason: unknown, sawToolCall: boolean): ChatFinishReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'LANGUAGE':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
      return 'content_filter';
    default:
      // STOP, MALFORMED_FUNCTION_CALL / UNEXPECTED_TOOL_CALL / TOO_MANY_TOOL_CALLS (no usable call: an
      // empty answer), OTHER, FINISH_REASON_UNSPECIFIED, NO_IMAGE, IMAGE_OTHER, unknown, missing.
      return sawToolCall ? 'tool_calls' : 'stop';
  }
}

/** `usageMetadata` → OpenAI usage (docs/reference/translation.md §11): prompt incl. cached and tool-use prompt; completion = candidates + thoughts. */
export function chatUsageFromGemini(metadata: unknown): ChatUsage {
  const u = usageFromMetadata(metadata) ?? { inputTokens: 0, outputTokens: 0 };
  const usage: ChatUsage = {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  };
  const audio = modalityCount(isJsonObject(metadata) ? metadata.promptTokensDetails : undefined, 'AUDIO');
  if (audio > 0) usage.prompt_tokens_details!.audio_tokens = audio;
  return usage;
}

function modalityCount(details: unknown, modality: string): number {
  let n = 0;
  for (const d of asArray(details)) if (isJsonObject(d) && d.modality === modality && typeof d.tokenCount === 'number') n += d.tokenCount;
  return n;
}

/** Gemini `logprobsResult` → OpenAI `logprobs` (`undefined` when there is none). */
export function logprobsFromGemini(result: unknown): ChatLogprobs | undefined {
  if (!isJsonObject(result) || !Array.isArray(result.chosenCandidates)) return undefined;
  const top = asArray(result.topCandidates);
  const entry = (c: unknown) => {
    const o = isJsonObject(c) ? c : {};
    const token = typeof o.token === 'string' ? o.token : '';
    return { token, logprob: typeof o.logProbability === 'number' ? o.logProbability : 0, bytes: [...Buffer.from(token, 'utf8')] };
  };
  return {
    content: result.chosenCandidates.map((c, i) => {
      const step = top[i];
      return { ...entry(c), top_logprobs: asArray(isJsonObject(step) ? step.candidates : undefined).map(entry) };
    }),
    refusal: null,
  };
}

/** The parts of a candidate, sorted into what an OpenAI message carries. */
export interface CandidateParts {
  text: string;
  reasoning: string;
  toolCalls: GeminiChatToolCall[];
}

/**
 * Reads `parts` (text, thought text, function calls). `firstSlot` is the index the first call gets in the
 * message (streams count across records); a signature-only part is returned as `lateSignature`.
 */
export function readParts(parts: unknown, ids: { completionId: string; choice: number; firstSlot: number }): CandidateParts & { lateSignature?: string } {
  const out: CandidateParts & { lateSignature?: string } = { text: '', reasoning: '', toolCalls: [] };
  for (const p of asArray(parts)) {
    if (!isJsonObject(p)) continue;
    const signature = typeof p.thoughtSignature === 'string' && p.thoughtSignature ? p.thoughtSignature : undefined;
    if (isJsonObject(p.functionCall)) {
      const fc = p.functionCall;
      const slot = ids.firstSlot + out.toolCalls.length;
      const call: GeminiChatToolCall = {
        id: openAIToolCallId(fc.id, ids.completionId, ids.choice, slot),
        type: 'function',
        function: { name: typeof fc.name === 'string' ? fc.name : '', arguments: JSON.stringify(isJsonObject(fc.args) ? fc.args : {}) },
      };
      if (signature) call.extra_content = signatureExtra(signature);
      out.toolCalls.push(call);
    } else if (typeof p.text === 'string' && p.text) {
      if (p.thought === true) out.reasoning += p.text;
      else out.text += p.text;
    } else if (signature && !('inlineData' in p) && !('executableCode' in p) && !('codeExecutionResult' in p)) {
      out.lateSignature = signature;
    }
    // inlineData (generated images/audio), executableCode, codeExecutionResult: not part of chat; dropped.
  }
  return out;
}

export interface GeminiToChatOptions {
  model: string;
  created: number;
  id: string;
}

export function geminiToChat(response: unknown, options: GeminiToChatOptions): ChatCompletion {
  const r = isJsonObject(response) ? response : {};
  const candidates = asArray(r.candidates).filter(isJsonObject);
  const choices: ChatCompletion['choices'] = [];
  candidates.forEach((c, position) => {
    const index = typeof c.index === 'number' ? c.index : position;
    const read = readParts(isJsonObject(c.content) ? c.content.parts : undefined, { completionId: options.id, choice: index, firstSlot: 0 });
    // A signature that came on a part of its own goes to the turn's first call, where Gemini checks it.
    const firstCall = read.toolCalls[0];
    if (read.lateSignature && firstCall && !firstCall.extra_content) firstCall.extra_content = signatureExtra(read.lateSignature);
    const message: ChatCompletion['choices'][number]['message'] = {
      role: 'assistant',
      content: read.text || (read.toolCalls.length > 0 ? null : ''),
      refusal: null,
    };
    if (read.reasoning) message.reasoning_content = read.reasoning;
    if (read.toolCalls.length > 0) message.tool_calls = read.toolCalls;
    const logprobs = logprobsFromGemini(c.logprobsResult);
    choices.push({
      index,
      message,
      finish_reason: finishReasonFromGemini(c.finishReason, read.toolCalls.length > 0),
      // chat-types.ts has no logprobs type yet; the wire shape is OpenAI's (ChatLogprobs).
      logprobs: (logprobs ?? null) as null,
    });
  });
  if (choices.length === 0) {
    // Prompt blocked (promptFeedback.blockReason) → content_filter; no candidates for another reason → stop.
    const blocked = isJsonObject(r.promptFeedback) && typeof r.promptFeedback.blockReason === 'string';
    choices.push({
      index: 0,
      message: { role: 'assistant', content: '', refusal: null },
      finish_reason: blocked ? 'content_filter' : 'stop',
      logprobs: null,
    });
  }
  choices.sort((a, b) => a.index - b.index);
  return {
    id: options.id,
    object: 'chat.completion',
    created: options.created,
    model: options.model,
    choices,
    usage: chatUsageFromGemini(r.usageMetadata),
  };
}

// ---- errors --------------------------------------------------------------------------------------

export interface OpenAIErrorResult {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
  /** From `RetryInfo.retryDelay` (e.g. "31s"): forward as `retry-after`. */
  retryAfterSeconds?: number;
}

/**
 * A Gemini error (HTTP status + body `{error:{code, message, status, details}}`, also `[{error}]` from a
 * no-`alt` stream, or the raw text) → the OpenAI error shape (docs/reference/translation.md §16). Also used for errors
 * arriving inside a 200 stream (`status` 200: the body's `error.code` decides).
 *
 * | Gemini | OpenAI |
 * |---|---|
 * | 400 `INVALID_ARGUMENT` + `API_KEY_INVALID` | 401 `invalid_request_error` / `invalid_api_key` |
 * | 400 `INVALID_ARGUMENT`, `FAILED_PRECONDITION`, `OUT_OF_RANGE` | 400 `invalid_request_error` |
 * | 401 `UNAUTHENTICATED` | 401 `invalid_request_error` / `invalid_api_key` |
 * | 402 prepaid credit exhausted | 429 `insufficient_quota` (OpenAI's "out of credit": don't retry) |
 * | 403 `PERMISSION_DENIED` | 403 `permission_error` |
 * | 404 `NOT_FOUND` | 404 `invalid_request_error` |
 * | 429 `RESOURCE_EXHAUSTED` | 429 `rate_limit_error` (+ retry-after) |
 * | 500 / 503 / 504, other ≥ 500 | same status, `server_error` |
 * | anything else / no status | the status if ≥ 400, else 502 |
 * `code` is Gemini's `status` string (e.g. `RESOURCE_EXHAUSTED`) unless a more specific OpenAI code applies.
 */
export function geminiErrorToOpenAI(status: number, body: unknown): OpenAIErrorResult {
  let b = body;
  if (typeof b === 'string' || Buffer.isBuffer(b)) {
    try {
      b = JSON.parse(b.toString());
    } catch {
      // not JSON: keep the text as the message below
    }
  }
  if (Array.isArray(b)) b = b.find((x) => isJsonObject(x) && isJsonObject(x.error));
  const e = isJsonObject(b) && isJsonObject(b.error) ? b.error : {};
  const grpc = typeof e.status === 'string' ? e.status : null;
  const code = status >= 400 ? status : typeof e.code === 'number' && e.code >= 400 ? e.code : 502;
  const rawText = typeof body === 'string' ? body.slice(0, 500) : '';
  const message = typeof e.message === 'string' && e.message ? e.message : rawText || `Gemini returned HTTP ${code}`;
  const details = asArray(e.details).filter(isJsonObject);
  const keyInvalid = details.some((d) => d.reason === 'API_KEY_INVALID') || /API key not valid/i.test(message);

  let out: OpenAIErrorResult;
  const make = (s: number, type: string, c: string | null): OpenAIErrorResult => ({ status: s, body: { error: { message, type, param: null, code: c } } });
  if ((code === 400 && keyInvalid) || code === 401) out = make(401, 'invalid_request_error', 'invalid_api_key');
  else if (code === 402) out = make(429, 'insufficient_quota', 'insufficient_quota');
  else if (code === 403) out = make(403, 'permission_error', grpc ?? 'PERMISSION_DENIED');
  else if (code === 429) out = make(429, 'rate_limit_error', grpc ?? 'RESOURCE_EXHAUSTED');
  else if (code >= 500) out = make(code, 'server_error', grpc);
  else out = make(code, 'invalid_request_error', grpc);

  for (const d of details) {
    const delay = typeof d.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay) : null;
    if (delay) out.retryAfterSeconds = Math.ceil(Number(delay[1]));
  }
  return out;
}
