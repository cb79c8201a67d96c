import type { DialectModule } from '../../core/dialect.js';
import { ANTHROPIC_CODECS } from './codecs.js';
import { anthropicErrorBody, anthropicStreamErrorEvent } from './errors.js';
import { anthropicNativeRules } from './native-meter.js';

/** Anthropic's Messages API. */
export const anthropicDialect: DialectModule = {
  name: 'anthropic',
  native: anthropicNativeRules,
  errors: { body: anthropicErrorBody, streamEvent: anthropicStreamErrorEvent },
  ops: ANTHROPIC_CODECS,
};
