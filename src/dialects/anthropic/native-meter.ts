import type { NativeRules } from '../../core/dialect.js';
import { badRequest } from '../../core/errors.js';
import { FREE_ENDPOINT, LATER_BILLED_ENDPOINT, METERED_JSON, UNKNOWN_ENDPOINT, type NativeEndpoint } from '../../core/native-endpoint.js';
import type { UsageTap } from '../../core/usage-tap.js';
import { estimateAnthropicRequest } from './request-estimate.js';
import { AnthropicStreamTap, anthropicJsonTap } from './usage-tap.js';

const FREE_GET = /^\/v1\/models(?:\/[^/]+)?$/;

/**
 * What a native Anthropic endpoint is (`path` canonical): Messages is billed; token counting and the
 * model list are free; message batches are billed when they run. Everything else (files, skills, the
 * organization's admin API) is unknown.
 */
export function anthropicNativeEndpoint(method: string, path: string): NativeEndpoint {
  if (method === 'POST') {
    if (path === '/v1/messages') return METERED_JSON;
    if (path === '/v1/messages/count_tokens') return FREE_ENDPOINT;
    if (path === '/v1/messages/batches' || path.startsWith('/v1/messages/batches/')) return LATER_BILLED_ENDPOINT;
    return UNKNOWN_ENDPOINT;
  }
  if (method === 'GET' && FREE_GET.test(path)) return FREE_ENDPOINT;
  return UNKNOWN_ENDPOINT;
}

/** The usage tap for a native Anthropic call: only Messages reports usage. */
export function anthropicNativeTap(method: string, path: string, stream: boolean): UsageTap | undefined {
  if (method !== 'POST' || path !== '/v1/messages') return undefined;
  return stream ? new AnthropicStreamTap() : anthropicJsonTap();
}

/** The native surface of Anthropic: Messages metered by its estimate and its usage. */
export const anthropicNativeRules: NativeRules = {
  endpoint: anthropicNativeEndpoint,
  meter({ method, path, fields }, body) {
    const endpoint = anthropicNativeEndpoint(method, path);
    if (endpoint.kind !== 'metered') return { endpoint, tap: undefined, filter: undefined, body: undefined, basis: undefined };
    const tap = anthropicNativeTap(method, path, fields['stream'] === true);
    const estimate = body ? estimateAnthropicRequest(path, body) : undefined;
    if (estimate?.malformed) throw badRequest('The request body is not valid JSON.');
    return { endpoint, tap, filter: undefined, body: undefined, basis: { tokens: estimate } };
  },
  model: ({ fields }) => (typeof fields['model'] === 'string' ? fields['model'].slice(0, 200) : null),
  keyRejected: () => false, // a refused key is a 401, which the relay already rests
  keyInQuery: false,
};
