/**
 * Upper bounds of prompt tokens for the pre-request estimate: exact o200k counts for OpenAI text
 * (small strings, within a per-request budget), a conservative bytes-based bound for everything else,
 * and fixed or bytes-based allowances for media. Blobs are never tokenized.
 *
 * gpt-tokenizer is loaded lazily: by `loadTokenizer()`, or in the background by the first count that
 * could use it; until it is loaded every count is the approximation. Importing this module does not
 * import gpt-tokenizer. Its o200k ranks are read from the package's `.tiktoken` file rather than its
 * bundled JavaScript module (`readO200kRanks`): the same ranks and the same encoder, but a 2.4 MB array
 * literal is never parsed and compiled. Measured (Node 20, alone in a process, after GC): loading the
 * module costs ~57 MiB RSS and 20 MiB of live heap, the rank file ~44 MiB and 15 MiB, in ~0.2–0.3 s.
 *
 * What a tokenizer call costs (measured on this machine, Node 20, warm, gpt-tokenizer 4.0.0):
 * - natural text hits the BPE merge cache: English ≈ 20 µs per KB (1 KB ≈ 19 µs, 2 KB ≈ 42 µs), a call
 *   on a tiny string ≈ 1.4 µs;
 * - text made of novel pieces misses it: random words, identifiers or base64 cost 0.6–1.4 ms per KB;
 * - one long piece (letters, Cyrillic or CJK with no space or punctuation) is quadratic: 2 KB ≈ 3.5 ms.
 * Hence three guards: a string is tokenized only if it is 24 B–1 KB with no run longer than 64 bytes
 * between whitespace or CJK punctuation; at most 8 KB of strings per request; and no new call once
 * 0.25 ms of tokenizing has been spent on the request. So natural prompts cost ≤ ~0.2 ms, and no
 * request spends much more than 0.25 ms plus one call (≤ ~1.5 ms in the worst case measured).
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** What we use of gpt-tokenizer's o200k_base encoding. */
interface O200k {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
}

let o200k: O200k | undefined;
let loading: Promise<void> | undefined;
/** The first count that could tokenize has asked for the tokenizer (at most once: a failed load is not retried by counts). */
let askedByCount = false;
/** Special-token text (`<|endoftext|>`) in a prompt is plain text to the API; gpt-tokenizer would throw on it by default. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const stats = { calls: 0, bytes: 0 };

/** Per call, the most UTF-8 bytes handed to the tokenizer (natural text ≈ 20 µs; see the module comment). */
export const TOKENIZE_MAX_BYTES = 1024;
/** Shorter strings (keys, roles, ids) are approximated: a tokenizer call costs ~1.4 µs even for `"role"`. */
export const TOKENIZE_MIN_BYTES = 24;
/** Longest run without whitespace or CJK punctuation a tokenized string may hold (BPE is quadratic in a piece). */
export const TOKENIZE_MAX_RUN_BYTES = 64;
/** Per request, the most bytes tokenized, each call also charged `TOKENIZE_CALL_COST_BYTES` (≈ 0.2 ms of natural text). */
export const TOKENIZE_BUDGET_BYTES = 8192;
export const TOKENIZE_CALL_COST_BYTES = 64;
/** Per request, no tokenizer call is started after this much time spent tokenizing. */
export const TOKENIZE_TIME_BUDGET_MS = 0.25;

/** Loads o200k_base once; later calls return the same promise. A failed load can be retried. */
export function loadTokenizer(): Promise<void> {
  loading ??= loadO200k().then(
    (encoder) => {
      o200k = encoder;
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/** A count found the tokenizer missing: start loading it unless someone did (its failure leaves counts approximated). */
function askForTokenizer(): void {
  if (askedByCount || loading !== undefined) return;
  askedByCount = true;
  loadTokenizer().catch(() => undefined);
}

async function loadO200k(): Promise<O200k> {
  const [{ GptEncoding }, ranks] = await Promise.all([import('gpt-tokenizer/GptEncoding'), readO200kRanks()]);
  return GptEncoding.getEncodingApi('o200k_base', () => ranks);
}

/**
 * o200k_base's ranks from gpt-tokenizer's `data/o200k_base.tiktoken` (one `base64(token bytes) rank` a
 * line), shaped as its bundled `bpeRanks/o200k_base` module has them: a token is its string when its bytes
 * are UTF-8 that decodes back to the same bytes (so not a lone byte of a sequence, nor a leading BOM),
 * else its bytes.
 */
export async function readO200kRanks(): Promise<(string | number[])[]> {
  const file = createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken');
  const buf = await readFile(file);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const ranks: (string | number[])[] = [];
  for (let at = 0; at < buf.length; ) {
    let nl = buf.indexOf(0x0a, at);
    if (nl < 0) nl = buf.length;
    const space = buf.indexOf(0x20, at);
    if (space < 0 || space > nl) throw new Error(`o200k_base.tiktoken: malformed line at byte ${at}`);
    const bytes = Buffer.from(buf.toString('latin1', at, space), 'base64');
    ranks[Number(buf.toString('latin1', space + 1, nl))] = tokenOf(bytes, utf8);
    at = nl + 1;
  }
  return ranks;
}

function tokenOf(bytes: Buffer, utf8: TextDecoder): string | number[] {
  try {
    const text = utf8.decode(bytes);
    if (Buffer.byteLength(text) === bytes.length) return text;
  } catch {
    // not UTF-8 on its own
  }
  return Array.from(bytes);
}

export function tokenizerLoaded(): boolean {
  return o200k !== undefined;
}

/** Tokenizer calls and bytes tokenized so far in this process (for tests and metrics). */
export function tokenizerStats(): { calls: number; bytes: number } {
  return { calls: stats.calls, bytes: stats.bytes };
}

/**
 * The conservative text bound: `ceil(utf8Bytes / 2)`.
 *
 * Every tokenizer we price is byte-level BPE or SentencePiece with byte fallback, so a token always
 * covers at least one byte: `utf8Bytes` is the strict bound. Natural text packs far more: measured with
 * o200k, English ≈ 4.4–5.6 bytes per token, Russian ≈ 6.3–8, Chinese ≈ 4.3–5.1, source code ≈ 2.7–3.5; Claude's and
 * Gemini's tokenizers are less efficient on Cyrillic and CJK but still spend at most one token per
 * character, and those characters take 2–3 UTF-8 bytes. So two bytes per token bounds natural text in
 * Latin, Cyrillic and CJK scripts for every model we price — at 2–3× o200k's count for English and
 * up to 4× for Russian, the price of one bound for all tokenizers.
 * Not a bound for random data: base64 is ≈ 1.46 characters per o200k token, hex ≈ 1.75, random
 * identifiers ≈ 1.7 — callers count base64-looking blobs in text positions at one token per byte.
 */
export function approximateTokens(utf8Bytes: number): number {
  return utf8Bytes > 0 ? Math.ceil(utf8Bytes / 2) : 0;
}

/**
 * o200k_base count of `text` when the tokenizer is loaded and the text is tokenizable cheaply (at most
 * `TOKENIZE_MAX_BYTES`, no run over `TOKENIZE_MAX_RUN_BYTES`); otherwise `approximateTokens`.
 * Special-token text counts as plain text.
 */
export function countOpenAITokens(text: string, utf8Bytes: number = Buffer.byteLength(text)): number {
  if (o200k === undefined) askForTokenizer();
  if (o200k === undefined || utf8Bytes > TOKENIZE_MAX_BYTES || longestRunInText(text) > TOKENIZE_MAX_RUN_BYTES) {
    return approximateTokens(utf8Bytes);
  }
  return tokenize(o200k, text, utf8Bytes);
}

function tokenize(encoder: O200k, text: string, utf8Bytes: number): number {
  stats.calls++;
  stats.bytes += utf8Bytes;
  try {
    return encoder.countTokens(text, PLAIN_TEXT);
  } catch {
    return approximateTokens(utf8Bytes);
  }
}

/**
 * Text tokens of one request, collected during a walk and settled at its end: every string is
 * approximated at once, and strings worth tokenizing are remembered by offset so they can be tokenized
 * later, once the caller knows whether the model speaks o200k (`model` may come after the messages).
 */
export class TextTally {
  /** Sum of the approximations of every string added. */
  approximate = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly lengths: number[] = [];
  private readonly escapes: boolean[] = [];
  private budget: number;

  constructor(
    private readonly buf: Buffer,
    budgetBytes: number = TOKENIZE_BUDGET_BYTES,
  ) {
    this.budget = budgetBytes;
  }

  /** A string's raw content `buf[start, end)` (between its quotes) and its decoded UTF-8 length. */
  add(start: number, end: number, utf8Length: number, escaped: boolean): void {
    this.approximate += approximateTokens(utf8Length);
    if (utf8Length < TOKENIZE_MIN_BYTES || utf8Length > TOKENIZE_MAX_BYTES) return;
    const cost = utf8Length + TOKENIZE_CALL_COST_BYTES;
    if (cost > this.budget) return;
    // an escaped string is checked once decoded (`\uXXXX` escapes hide its runs)
    if (!escaped && longestRunInBytes(this.buf, start, end) > TOKENIZE_MAX_RUN_BYTES) return;
    this.budget -= cost;
    this.starts.push(start);
    this.ends.push(end);
    this.lengths.push(utf8Length);
    this.escapes.push(escaped);
  }

  /**
   * The total: with `tokenize` and the tokenizer loaded, the remembered strings are counted with o200k
   * until `timeBudgetMs` is spent; everything else stays approximated.
   */
  total(tokenize: boolean, timeBudgetMs: number = TOKENIZE_TIME_BUDGET_MS): number {
    const encoder = o200k;
    if (tokenize && encoder === undefined) askForTokenizer();
    if (!tokenize || encoder === undefined || this.starts.length === 0) return this.approximate;
    let total = this.approximate;
    const deadline = performance.now() + timeBudgetMs;
    for (let i = 0; i < this.starts.length; i++) {
      if (performance.now() > deadline) break;
      const start = this.starts[i]!;
      const end = this.ends[i]!;
      const length = this.lengths[i]!;
      let text: string;
      if (this.escapes[i]) {
        text = decodeEscaped(this.buf, start, end);
        if (longestRunInText(text) > TOKENIZE_MAX_RUN_BYTES) continue;
      } else {
        text = this.buf.toString('utf8', start, end);
      }
      total += tokenizeWith(encoder, text, length) - approximateTokens(length);
    }
    return total;
  }
}

const tokenizeWith = tokenize;

function decodeEscaped(buf: Buffer, start: number, end: number): string {
  try {
    return JSON.parse(buf.toString('utf8', start - 1, end + 1)) as string;
  } catch {
    return buf.toString('utf8', start, end);
  }
}

/**
 * Longest run of raw bytes without ASCII whitespace, a JSON escape (`\n`, `\t`) or CJK punctuation
 * (U+3000–U+303F as `E3 80 xx`, full-width forms U+FF00–U+FF7F as `EF BC xx` / `EF BD xx`).
 */
function longestRunInBytes(buf: Buffer, start: number, end: number): number {
  let longest = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x5c) {
      if (run > longest) longest = run;
      run = 0;
    } else if ((c === 0xe3 && buf[i + 1] === 0x80) || (c === 0xef && (buf[i + 1] === 0xbc || buf[i + 1] === 0xbd))) {
      if (run > longest) longest = run;
      run = 0;
      i += 2;
    } else {
      run++;
    }
  }
  return run > longest ? run : longest;
}

/** The same measure on a decoded string, in UTF-8 bytes (a UTF-16 unit ≥ U+0800 counts 3, ≥ U+0080 counts 2). */
function longestRunInText(text: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff7f)) {
      if (run > longest) longest = run;
      run = 0;
    } else {
      run += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
    }
  }
  return run > longest ? run : longest;
}

// ---- media allowances -------------------------------------------------------------------------

export type MediaKind = 'image' | 'audio' | 'video' | 'pdf' | 'unknown';

/**
 * How one dialect's upstreams bill media, as an upper bound. Images are bounded by a fixed allowance
 * (every upstream downsizes large images to a cap); audio, video and PDFs by tokens per decoded byte,
 * from the most tokens a second (or a page) can cost and the fewest bytes it can take.
 */
export interface MediaAllowance {
  /** Tokens per image, whatever its size. */
  image: number;
  audioPerByte: number;
  videoPerByte: number;
  pdfPerByte: number;
  /**
   * Content referenced but not sent (a file id or URL that is not an image, a stored conversation or
   * cache): its size is unknown here, so this is a heuristic, not a bound — billing should clamp the
   * estimate to the model's context window, which bounds every prompt.
   */
  referenced: number;
}

/** Lowest bitrates we assume: 8 kbps for audio (the floor of MP3/AAC speech encodes), 64 kbps for video. */
const AUDIO_MIN_BYTES_PER_SECOND = 1000;
const VIDEO_MIN_BYTES_PER_SECOND = 8000;
/** A PDF page of dense text compresses to no less than ~2 KB (content stream plus page objects). */
const PDF_MIN_BYTES_PER_PAGE = 2000;

/** Heuristic for referenced content of unknown size (see `MediaAllowance.referenced`). */
export const REFERENCED_CONTENT_TOKENS = 50_000;

/**
 * OpenAI. Images (high detail, the worst case per model family), from OpenAI's vision guide
 * ("Calculating costs"; community measurements on developer forum threads for the newer models):
 * - tile models (gpt-4o, gpt-4.1, gpt-4.5): fit in 2048², shortest side to 768, 512-px tiles: at
 *   most 4×2 tiles → 85 + 170×8 = 1,445 (o1/o3: 75 + 150×8 = 1,275);
 * - patch models (gpt-4.1-mini/nano, o4-mini, gpt-5 family): at most 1,536 32-px patches × a
 *   per-model multiplier — gpt-4.1-nano's 2.46 is the largest documented: 3,779 (gpt-5-mini/nano
 *   measured at 1.2/1.5);
 * - gpt-4o-mini bills image tiles at 2,833 + 5,667 per tile so that images cost what they do on
 *   gpt-4o: up to 48,169 tokens — `OPENAI_GPT_4O_MINI_IMAGE_TOKENS`, chosen by model name.
 * Not covered: `detail: "original"` on the newest models, whose patch budget is larger and undocumented.
 * Audio (`input_audio`, wav/mp3): 10 tokens per second of input audio (OpenAI's realtime/audio
 * pricing notes: 1 token per 100 ms), at ≥ 1,000 bytes a second. PDFs (`file` inputs): the extracted
 * text (≤ ~3,000 tokens a page) plus an image of each page (≤ 1,445) per ≥ 2 KB page → ~2.2 per byte.
 */
export const OPENAI_MEDIA: MediaAllowance = {
  image: 3_800,
  audioPerByte: 10 / AUDIO_MIN_BYTES_PER_SECOND,
  videoPerByte: 10 / AUDIO_MIN_BYTES_PER_SECOND,
  pdfPerByte: (3_000 + 1_445) / PDF_MIN_BYTES_PER_PAGE,
  referenced: REFERENCED_CONTENT_TOKENS,
};
export const OPENAI_GPT_4O_MINI_IMAGE_TOKENS = 2_833 + 5_667 * 8;

/**
 * Anthropic. Images: ⌈w/28⌉×⌈h/28⌉ visual tokens (≈ w·h/750) after downscaling to the model's native
 * cap — ~1.15 MP (≤ ~1,600 tokens) up to Claude 4.6, 2,576 px long edge / ~3.75 MP on Opus 4.7
 * (≤ ~4,784–4,900 tokens): 5,000. PDFs: each page is its extracted text (Anthropic: 1,500–3,000 tokens
 * a page) plus an image of the page (≤ ~1,600) per ≥ 2 KB page → ~2.3 per byte. Audio and video are
 * not accepted; they are priced like PDFs should they appear.
 */
export const ANTHROPIC_MEDIA: MediaAllowance = {
  image: 5_000,
  audioPerByte: (3_000 + 1_600) / PDF_MIN_BYTES_PER_PAGE,
  videoPerByte: (3_000 + 1_600) / PDF_MIN_BYTES_PER_PAGE,
  pdfPerByte: (3_000 + 1_600) / PDF_MIN_BYTES_PER_PAGE,
  referenced: REFERENCED_CONTENT_TOKENS,
};
/**
 * Anthropic's hidden tool-use system prompt, added whenever `tools` is non-empty: 346 tokens
 * (auto/none) or 313 (any/tool) on current models; Claude 3 Opus documented 530 — the largest.
 */
export const ANTHROPIC_TOOL_SYSTEM_PROMPT_TOKENS = 530;
/**
 * Anthropic-defined tools (`computer_…`, `text_editor_…`, `bash_…`: a `type` with a date) bring their
 * own definition and prompt: computer use 735 + ~500, text editor 700, bash 245. Results of server
 * tools (web search, fetch) are input tokens of unknown size and are not covered.
 */
export const ANTHROPIC_BUILTIN_TOOL_TOKENS = 1_300;

/**
 * Gemini. Images: 258 tokens per 768-px tile (258 flat when both sides ≤ 384 px), images scaled to fit
 * 3072×3072 → at most 16 tiles: 4,128 (Gemini 3's media_resolution high is 1,120 per image). Audio:
 * 32 tokens per second. Video: 258 tokens per frame at 1 fps plus 32 for its audio → 300 a second
 * (documented as 263), at ≥ 8,000 bytes a second. PDFs: 258 tokens a page (560 on Gemini 3 at medium
 * resolution) plus its text, ≤ ~1,000 per ≥ 2 KB page → 0.5 per byte.
 */
export const GEMINI_MEDIA: MediaAllowance = {
  image: 16 * 258,
  audioPerByte: 32 / AUDIO_MIN_BYTES_PER_SECOND,
  videoPerByte: 300 / VIDEO_MIN_BYTES_PER_SECOND,
  pdfPerByte: 1_000 / PDF_MIN_BYTES_PER_PAGE,
  referenced: REFERENCED_CONTENT_TOKENS,
};

/** Tokens allowed for one inline blob of `bytes` decoded bytes; an unknown kind gets the largest of the kinds. */
export function blobTokens(allowance: MediaAllowance, kind: MediaKind, bytes: number, imageTokens = allowance.image): number {
  switch (kind) {
    case 'image':
      return imageTokens;
    case 'audio':
      return Math.ceil(bytes * allowance.audioPerByte);
    case 'video':
      return Math.ceil(bytes * allowance.videoPerByte);
    case 'pdf':
      return Math.ceil(bytes * allowance.pdfPerByte);
    default:
      return Math.max(
        imageTokens,
        Math.ceil(bytes * Math.max(allowance.audioPerByte, allowance.videoPerByte, allowance.pdfPerByte)),
      );
  }
}
