const MODEL_IN_PATH = /\/models\/([^/:?]+)/;

/** Gemini names the model in the path: `/v1beta/models/gemini-2.5-flash:generateContent`. */
export function geminiNativeModel(path: string): string | undefined {
  const match = MODEL_IN_PATH.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
