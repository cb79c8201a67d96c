/** The error dialect a client speaks, decided by the route it called. */
export type Surface = 'openai' | 'anthropic' | 'gemini';
