import { OPS } from '../core/ops.js';
import { bearerAuth, type ProviderSpec } from './spec.js';

export const openai: ProviderSpec = {
  id: 'openai',
  aliases: [],
  envPrefix: 'OPENAI',
  defaultBaseUrl: 'https://api.openai.com',
  mounts: ['/openai'],
  versions: ['v1'],
  dialect: 'openai',
  ops: new Set(OPS),
  authHeaders: bearerAuth,
};
