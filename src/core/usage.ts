/** What billing prices; every dialect's usage parser produces it. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  units?: Partial<Record<'image' | 'audio_second' | 'character' | 'request', number>>;
}
