import type { Usage } from './usage.js';

/**
 * What admission needs to hold an upper bound of a request's cost before forwarding it: the input
 * tokens counted from the request body and the request's own output cap. Pricing (tokens × prices,
 * the model's maximum output when the request sets none, clamping to the context window) is done
 * by billing. Produced per dialect by `dialects/<x>/request-estimate.ts`.
 */
export interface RequestEstimate {
  /** Upper bound of the prompt's input tokens (text counted; images, audio and files by allowance). */
  inputTokens: number;
  /** The request's own cap on output tokens per answer, when it set one (0 for embeddings). */
  maxOutputTokens?: number;
  /** Answers asked for (`n`, `candidateCount`); 1 when not set. */
  choices: number;
  /** Set when the body is not one well-formed JSON value: the call is refused before anything else. */
  malformed?: true;
  /**
   * Set when the prompt references content whose size the body does not show (files by id or URL, stored
   * conversations, caches): its count is a heuristic, so the input the provider reports is bounded more loosely.
   */
  referenced?: true;
}

/** `estimate`, marked malformed when the walk of its body did not complete, and when it counted referenced content. */
export function shaped(estimate: RequestEstimate, wellFormed: boolean, referenced = false): RequestEstimate {
  if (wellFormed && !referenced) return estimate;
  return { ...estimate, ...(wellFormed ? {} : { malformed: true as const }), ...(referenced ? { referenced: true as const } : {}) };
}

/** What the request itself says will be billed, for endpoints whose answers report no usage. */
export interface RequestUsage {
  usage: Usage;
  /** For per-image prices: `<size>/<quality>` as the catalog keys them. */
  imageVariant?: string;
  /**
   * The same call counted in tokens, for a model the catalog prices by tokens rather than by `usage`'s
   * units (gpt-4o-mini-tts: text input + audio output tokens, where tts-1 bills characters). Its answer
   * reports no usage, so this is an upper-bound estimate from the request; billed as usage_source `estimated`.
   */
  tokenUsage?: Usage;
}

/** What a metered request is known to cost before it is sent. */
export interface CostBasis {
  /** Token-billed calls: the prompt's bound and the output cap the request set. */
  tokens?: RequestEstimate | undefined;
  /** Calls billed by what the request itself asks for (speech characters, DALL·E images). */
  requestUsage?: RequestUsage | undefined;
  /** Uploaded audio (transcriptions): its size bounds its duration, unless its header told the duration. */
  uploadBytes?: number | undefined;
  audioSeconds?: number | undefined;
}
