import type { DialectModule } from '../../core/dialect.js';
import { OPENAI_CODECS } from './codecs.js';
import { openAIErrorBody, openAIStreamErrorEvent } from './errors.js';
import { openAINativeRules } from './native-rules.js';

export { COMPLETIONS_VIA_CHAT, RESPONSES_VIA_CHAT } from './bridges.js';

/** OpenAI's API, and every provider that speaks it (xAI, DeepSeek, OpenRouter, custom hosts). */
export const openAIDialect: DialectModule = {
  name: 'openai',
  native: openAINativeRules,
  errors: { body: openAIErrorBody, streamEvent: openAIStreamErrorEvent },
  ops: OPENAI_CODECS,
};
