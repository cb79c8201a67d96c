// Deterministic fake content and usage shared by all mock providers.
//
// Rules (documented so gateway tests can compute expectations):
//   answer text      = "Echo: " + text of the LAST message/turn (trimmed)
//   prompt tokens    = words(all prompt text) + 3          (words = whitespace-separated)
//   cached tokens    = floor(prompt / 4)                    (subset of prompt)
//   completion       = words(generated text); for tool calls: words(JSON arguments string)
//   Gemini thoughts  = 2 (thoughtsTokenCount, billed as output, NOT in candidatesTokenCount)
//   max tokens       = if the request caps output below words(answer), the answer is cut to that many words
//   tool args        = {"input": <text of last message>}
//   embeddings       = FAKE_DIMS (8) values k/256 derived from a hash of the input (exact in float32)

export const FAKE_CREATED = 1767225600;
export const FAKE_DIMS = 8;
export const GEMINI_THOUGHTS = 2;

export function words(s: string): number {
  return s.split(/\s+/).filter(Boolean).length;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Extract human text from provider message structures (OpenAI/Anthropic/Gemini). */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(textOf).filter(Boolean).join(' ');
  if (!isObj(v)) return '';
  if (typeof v.text === 'string') return v.text;
  if ('content' in v && v.content != null) return textOf(v.content);
  if ('parts' in v) return textOf(v.parts);
  if (isObj(v.functionResponse)) return JSON.stringify(v.functionResponse.response ?? {});
  if (typeof v.output === 'string') return v.output;
  return '';
}

export interface FakeUsage {
  prompt: number;
  cached: number;
  completion: number;
}

export function fakeUsage(promptText: string, outputText: string): FakeUsage {
  const prompt = words(promptText) + 3;
  return { prompt, cached: Math.floor(prompt / 4), completion: words(outputText) };
}

export interface Generated {
  text: string;
  truncated: boolean;
}

/** The echo answer, cut to `maxTokens` words when that is a smaller number. */
export function generate(lastText: string, maxTokens?: unknown): Generated {
  const text = `Echo: ${lastText.trim()}`.trim();
  const ws = text.split(/\s+/).filter(Boolean);
  if (typeof maxTokens === 'number' && maxTokens >= 0 && ws.length > maxTokens) {
    return { text: ws.slice(0, maxTokens).join(' '), truncated: true };
  }
  return { text, truncated: false };
}

/** Split into exactly n pieces by code point (pieces may be empty for short text). */
export function splitN(text: string, n: number): string[] {
  const cps = Array.from(text);
  const k = Math.max(1, n);
  const out: string[] = [];
  for (let i = 0; i < k; i++) {
    out.push(cps.slice(Math.round((i * cps.length) / k), Math.round(((i + 1) * cps.length) / k)).join(''));
  }
  return out;
}

export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Deterministic embedding; every value is k/256 so it is exact in float32. */
export function fakeEmbedding(text: string, dims: unknown = FAKE_DIMS): number[] {
  const n = typeof dims === 'number' && dims > 0 ? Math.floor(dims) : FAKE_DIMS;
  const h = hash(text);
  return Array.from({ length: n }, (_, i) => (((h >>> (i % 24)) + i * 37) % 512 - 256) / 256);
}

/** base64 of little-endian float32 values (OpenAI encoding_format "base64"). */
export function float32Base64(values: number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}

export function toolArgs(lastText: string): Record<string, string> {
  return { input: lastText };
}

export function asObj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
