// Mock provider upstreams for gateway tests. See README-style notes in fake.ts for the
// deterministic content/usage rules.
import { anthropicProvider } from './anthropic-mock.js';
import { geminiProvider } from './gemini-mock.js';
import { startMockServer, type Provider } from './mock-server.js';
import { openaiProvider } from './openai-mock.js';
import type { MockFlavor, MockOptions, MockUpstream } from './types.js';

export type { Fault, MockFlavor, MockOptions, MockUpstream, RecordedRequest } from './types.js';
export { FAKE_CREATED, FAKE_DIMS, GEMINI_THOUGHTS, fakeEmbedding, fakeUsage, generate, textOf, words } from './fake.js';
export { fakeAudio, TINY_PNG_B64 } from './openai-extras.js';
export { MOCK_THOUGHT_SIGNATURE } from './gemini-generate.js';
export { parseMultipart } from './multipart.js';

const PROVIDERS: Record<MockFlavor, Provider> = {
  openai: openaiProvider,
  anthropic: anthropicProvider,
  gemini: geminiProvider,
};

export function startMock(flavor: MockFlavor, opts?: MockOptions): Promise<MockUpstream> {
  return startMockServer(PROVIDERS[flavor], opts satisfies MockOptions | undefined);
}
