import { badRequest } from '../../core/errors.js';

/**
 * The fate of every OpenAI Chat Completions parameter that Anthropic has no equivalent for
 * (docs/reference/translation.md §15). Mapped parameters are handled in `chat-request.ts`; parameters not named anywhere
 * (vendor extensions, future fields) are ignored.
 */

/** Dropped silently: none of them changes what a correct answer looks like. */
export const ANTHROPIC_IGNORED_PARAMS = [
  'seed', // best-effort determinism even on OpenAI; Anthropic has no seed
  'store', // OpenAI-side storage of completions
  'metadata', // OpenAI dashboard tags; Anthropic's metadata holds only user_id (from user / safety_identifier)
  'service_tier', // OpenAI price tiers; they do not name Anthropic's auto / standard_only
  'prompt_cache_key', // OpenAI cache routing hint; Anthropic caching is explicit (cache_control)
  'prompt_cache_retention', // idem
  'prompt_cache_options', // idem
  'prediction', // predicted outputs: a latency optimisation only
  'verbosity', // a length hint
  'stream_options', // include_usage is honoured by the gateway's stream translator; include_obfuscation pads nothing here
] as const;

/**
 * Refused with a 400 naming the parameter, unless set to its neutral value (null, false, 0, empty,
 * `n: 1`, `modalities: ["text"]`) — SDKs and frameworks often send those defaults explicitly.
 */
export const ANTHROPIC_REFUSED_PARAMS = [
  'n', // one choice per request; fanning out N requests would bill N× silently
  'logprobs', // Anthropic returns no token log-probabilities
  'top_logprobs', // idem
  'logit_bias', // no token-level biasing
  'presence_penalty', // no repetition penalties
  'frequency_penalty', // idem
  'modalities', // no audio output
  'audio', // idem
  'web_search_options', // would need Anthropic's web_search server tool and its billing; not offered
  'functions', // deprecated function calling: send tools
  'function_call', // idem: send tool_choice
  'moderation', // moderated completions are an OpenAI service
] as const;

function isNeutral(name: string, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (name === 'n') return value === 1;
  // `web_search_options: {}` asks for web search with default settings.
  if (name === 'web_search_options') return false;
  if (value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0 || (name === 'modalities' && value.every((m) => m === 'text'));
  return typeof value === 'object' && Object.keys(value).length === 0;
}

export function refuseUnsupportedParams(req: Record<string, unknown>): void {
  for (const name of ANTHROPIC_REFUSED_PARAMS) {
    if (isNeutral(name, req[name])) continue;
    const what = name === 'n' ? "'n' other than 1 is" : `'${name}' is`;
    throw badRequest(`${what} not supported for Anthropic models.`, name);
  }
}
