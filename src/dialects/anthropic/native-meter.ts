import type { UsageTap } from '../../core/usage-tap.js';
import { AnthropicStreamTap, anthropicJsonTap } from './usage-tap.js';

/** The usage tap for a native Anthropic call: only Messages is billed (count_tokens and models are free). */
export function anthropicNativeTap(method: string, path: string, stream: boolean): UsageTap | undefined {
  if (method !== 'POST' || path !== '/v1/messages') return undefined;
  return stream ? new AnthropicStreamTap() : anthropicJsonTap();
}

/** Message batches are billed by the provider when they run, out of this request's sight. */
export function anthropicUnmeteredWork(method: string, path: string): boolean {
  return method === 'POST' && path.startsWith('/v1/messages/batches');
}
