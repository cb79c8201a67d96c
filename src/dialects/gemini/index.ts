import type { DialectModule } from '../../core/dialect.js';
import { GEMINI_CODECS } from './codecs.js';
import { geminiErrorBody, geminiStreamErrorEvent } from './errors.js';
import { geminiNativeRules } from './native-meter.js';

/** Google's Gemini API (generateContent and embeddings). */
export const geminiDialect: DialectModule = {
  name: 'gemini',
  native: geminiNativeRules,
  errors: { body: geminiErrorBody, streamEvent: geminiStreamErrorEvent },
  ops: GEMINI_CODECS,
};
