import { startMock, type MockUpstream } from '../mocks/index.js';
import type { TestDatabase } from './databases.js';
import { startGateway, type TestGateway } from './gateway.js';

export const UPSTREAM_KEYS = {
  openai: 'sk-upstream-openai-SECRET-0001',
  anthropic: 'sk-ant-upstream-SECRET-0002',
  gemini: 'AIza-upstream-gemini-SECRET-0003',
  xai: 'xai-upstream-SECRET-0004',
  deepseek: 'sk-upstream-deepseek-SECRET-0005',
  openrouter: 'sk-or-upstream-SECRET-0006',
} as const;

export interface Stack {
  gw: TestGateway;
  openai: MockUpstream;
  anthropic: MockUpstream;
  gemini: MockUpstream;
  /** A client key of a funded user. */
  key: string;
  close(): Promise<void>;
}

/** Mock upstreams for every provider (xAI, DeepSeek and OpenRouter share the OpenAI-dialect mock) and a gateway in front. */
export async function startStack(env: Record<string, string> = {}, database?: TestDatabase): Promise<Stack> {
  const [openai, anthropic, gemini] = await Promise.all([startMock('openai'), startMock('anthropic'), startMock('gemini')]);
  const gw = await startGateway(
    {
      OPENAI_API_KEY: UPSTREAM_KEYS.openai,
      OPENAI_BASE_URL: openai.url,
      ANTHROPIC_API_KEY: UPSTREAM_KEYS.anthropic,
      ANTHROPIC_BASE_URL: anthropic.url,
      GEMINI_API_KEY: UPSTREAM_KEYS.gemini,
      GEMINI_BASE_URL: gemini.url,
      XAI_API_KEY: UPSTREAM_KEYS.xai,
      XAI_BASE_URL: openai.url,
      DEEPSEEK_API_KEY: UPSTREAM_KEYS.deepseek,
      DEEPSEEK_BASE_URL: openai.url,
      OPENROUTER_API_KEY: UPSTREAM_KEYS.openrouter,
      OPENROUTER_BASE_URL: openai.url,
      ...env,
    },
    database,
  );
  const { key } = await gw.newKey();
  return {
    gw,
    openai,
    anthropic,
    gemini,
    key,
    close: async () => {
      await gw.close();
      await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
    },
  };
}

/** True when no upstream secret appears anywhere in the text. */
export function containsUpstreamSecret(text: string): boolean {
  return Object.values(UPSTREAM_KEYS).some((secret) => text.includes(secret) || text.includes(secret.slice(-10)));
}
