import { badRequest } from '../../core/errors.js';

/**
 * `reasoning_effort` → Anthropic `thinking: {type:"enabled", budget_tokens}` (docs/reference/translation.md §8).
 *
 * The budget comes from the effort and is shrunk to fit `max_tokens`, which — like OpenAI's
 * `max_completion_tokens` — covers thinking and answer together: thinking may use up the cap, as reasoning
 * can on OpenAI. A budget under Anthropic's minimum (1024) means no thinking.
 *
 * Thinking is also left off, rather than failing the request, when Anthropic would reject it:
 * - the tool choice forces a call (`required` / a named function): forcing is the client's contract;
 * - the last assistant turn is a prefill;
 * - the last assistant turn holds tool calls: Anthropic wants that turn's thinking blocks (with their
 *   signatures) sent back first, and the OpenAI history does not carry them.
 * `none` means no thinking; an unknown effort is a 400.
 */
export const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 1024,
  medium: 4096,
  high: 16384,
  xhigh: 32768,
  max: 65536,
};

const MIN_BUDGET = 1024;

export interface ThinkingBlockers {
  forcedTool: boolean;
  prefill: boolean;
  toolLoop: boolean;
}

export function thinkingFor(effort: unknown, maxTokens: number, blockers: ThinkingBlockers): Record<string, unknown> | undefined {
  if (effort === undefined || effort === null || effort === 'none') return undefined;
  const budget = typeof effort === 'string' && Object.hasOwn(THINKING_BUDGETS, effort) ? THINKING_BUDGETS[effort] : undefined;
  if (budget === undefined) {
    throw badRequest(`'reasoning_effort' must be one of none, ${Object.keys(THINKING_BUDGETS).join(', ')}.`, 'reasoning_effort');
  }
  if (blockers.forcedTool || blockers.prefill || blockers.toolLoop) return undefined;
  const fitted = Math.min(budget, maxTokens - 1);
  return fitted < MIN_BUDGET ? undefined : { type: 'enabled', budget_tokens: fitted };
}
