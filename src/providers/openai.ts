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
  modelPrefixes: ['gpt-', 'o1', 'o3', 'o4', 'chatgpt-', 'gpt-image-', 'dall-e-', 'tts-', 'whisper-', 'text-embedding-', 'omni-moderation', 'davinci-', 'babbage-', 'computer-use-', 'codex-'],
  authHeaders: bearerAuth,
  nativeResponses: true,
};
