/** What billing prices; every dialect's usage parser produces it. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  /** The part of `cacheWriteTokens` written with a 1-hour lifetime (Anthropic), priced at its own rate. */
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
  /**
   * Modality parts, each inside the total it belongs to: audio and image input tokens are part of
   * `inputTokens` (their cached parts part of `cachedInputTokens` too), audio output tokens part of
   * `outputTokens`. Priced at the model's audio/image rates where it has them, else as text.
   */
  audioInputTokens?: number;
  cachedAudioInputTokens?: number;
  imageInputTokens?: number;
  cachedImageInputTokens?: number;
  audioOutputTokens?: number;
  units?: Partial<Record<'image' | 'audio_second' | 'character' | 'request', number>>;
  /**
   * The provider's own price of the call in USD, exact decimal text, for providers that price every call
   * themselves and are billed by it (OpenRouter's `usage.cost`); the token counts are then informative.
   */
  costUsd?: string;
}
