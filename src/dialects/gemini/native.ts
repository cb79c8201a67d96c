const MODEL_IN_PATH = /\/models\/([^/:?]+)/;

/** Gemini names the model in the path: `/v1beta/models/gemini-2.5-flash:generateContent`. */
export function geminiNativeModel(path: string): string | undefined {
  const raw = MODEL_IN_PATH.exec(path)?.[1];
  if (!raw) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not valid percent-encoding: the upstream will refuse the path; record it as sent
  }
}
