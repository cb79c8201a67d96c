import { anthropic } from './anthropic.js';
import { gemini } from './gemini.js';
import { openai } from './openai.js';
import { deepseek, openrouter, xai } from './openai-compatible.js';
import type { ProviderSpec } from './spec.js';

export type { NativeSide, ProviderSpec } from './spec.js';
export { nativeSideOf } from './spec.js';
export { customOpenAICompatible } from './openai-compatible.js';

/** THE list of built-in upstreams. */
export const PROVIDERS: readonly ProviderSpec[] = [openai, anthropic, gemini, xai, deepseek, openrouter];
