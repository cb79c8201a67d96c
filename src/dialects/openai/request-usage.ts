import type { RequestUsage } from '../../core/estimate.js';
import { readTopLevelFields } from '../../lib/json-fields.js';

export type { RequestUsage } from '../../core/estimate.js';

/**
 * What the request itself says will be billed, for endpoints whose answers report no usage:
 * text-to-speech by input characters, DALL·E images by count, size and quality.
 */
export function openAIRequestUsage(path: string, body: Buffer): RequestUsage | undefined {
  if (path === '/v1/audio/speech') {
    const { input } = readTopLevelFields(body, ['input']);
    if (typeof input !== 'string') return undefined;
    return { usage: { inputTokens: 0, outputTokens: 0, units: { character: [...input].length } } };
  }
  if (path === '/v1/images/generations') {
    const { n, size, quality } = readTopLevelFields(body, ['n', 'size', 'quality']);
    const count = typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 1;
    const variant = `${typeof size === 'string' ? size : '1024x1024'}/${typeof quality === 'string' ? quality : 'standard'}`;
    return { usage: { inputTokens: 0, outputTokens: 0, units: { image: count } }, imageVariant: variant };
  }
  return undefined;
}
