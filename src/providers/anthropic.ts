import type { Op } from '../core/ops.js';
import type { ProviderSpec } from './spec.js';

export const anthropic: ProviderSpec = {
  id: 'anthropic',
  aliases: [],
  envPrefix: 'ANTHROPIC',
  defaultBaseUrl: 'https://api.anthropic.com',
  mounts: ['/anthropic'],
  versions: ['v1'],
  dialect: 'anthropic',
  ops: new Set<Op>(['chat', 'responses']),
  modelPrefixes: ['claude-'],
  authHeaders: (key) => ({ 'x-api-key': key }),
};
