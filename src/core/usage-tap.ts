import { readTopLevelFields, scanTopLevel } from '../lib/json-fields.js';
import type { Usage } from './usage.js';

/** What a usage tap learned from a relayed response. */
export interface UsageTapResult {
  /** The provider's own count, when it reached us (the last one seen for streams). */
  usage?: Usage;
  /** The model the upstream says answered (may be more specific than the requested one). */
  model?: string;
  /** The response ended properly (terminal event / sentinel seen); false for cut or failed streams. */
  complete: boolean;
  /** Text delivered to the client (content, reasoning, tool-call arguments), to estimate a cut stream. */
  outputText: string;
}

/**
 * Watches the raw response bytes exactly as they are relayed to the client. It never changes them,
 * never throws, and keeps only what billing needs.
 */
export interface UsageTap {
  push(chunk: Buffer): void;
  end(): UsageTapResult;
}

export interface JsonUsageTapOptions {
  /** Bodies above this many bytes are not parsed (the result then has no usage). Default 8 MiB. */
  maxBytes?: number;
  /** The model named in the body, if any. */
  model?: (body: unknown) => string | undefined;
  /**
   * The top-level fields `parse` and `model` read. When given, only those values are parsed (the
   * answer's text, often most of the body, is skipped), and the body must still be a closed object.
   */
  fields?: readonly string[];
  /**
   * The answer's generated text (content, tool-call arguments), read only when the body reported no
   * usage, so such an answer can be billed for what it delivered.
   */
  text?: (body: unknown) => string;
  /** Completes the parsed usage from the body's bytes (a provider's cost, read exactly from its text). */
  fromBytes?: (usage: Usage, bytes: Buffer) => Usage;
}

/**
 * A tap for a non-streamed JSON body: buffers it (up to a bound) and applies a usage parser at the end.
 * `complete` means the body was valid JSON.
 */
export class JsonUsageTap implements UsageTap {
  private chunks: Buffer[] = [];
  private size = 0;
  private overflow = false;
  private readonly maxBytes: number;

  constructor(
    private readonly parse: (body: unknown) => Usage | undefined,
    private readonly options: JsonUsageTapOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  }

  push(chunk: Buffer): void {
    if (this.overflow) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.overflow = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(Buffer.from(chunk));
  }

  end(): UsageTapResult {
    if (this.overflow) return { complete: false, outputText: '' };
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    let body: unknown;
    if (this.options.fields) {
      if (!scanTopLevel(bytes)?.closed) return { complete: false, outputText: '' };
      body = readTopLevelFields(bytes, this.options.fields);
    } else {
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        return { complete: false, outputText: '' };
      }
    }
    const result: UsageTapResult = { complete: true, outputText: '' };
    const usage = this.parse(body);
    if (usage) result.usage = this.options.fromBytes ? this.options.fromBytes(usage, bytes) : usage;
    else if (this.options.text) result.outputText = this.options.text(parseWhole(bytes));
    const model = this.options.model?.(body);
    if (model) result.model = model;
    return result;
  }
}

function parseWhole(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
