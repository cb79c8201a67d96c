import { SseParser } from '../../lib/sse.js';
import { JsonArrayStreamParser } from '../../lib/json-array-stream.js';
import { JsonUsageTap, type UsageTap, type UsageTapResult } from '../../core/usage-tap.js';
import type { Usage } from '../../core/usage.js';
import { isJsonObject } from '../../lib/json-value.js';
import { usageFromGenerateContent, usageFromMetadata } from './usage.js';

/**
 * `sse`: `?alt=sse` (`data:` records); `json-array`: no `alt`, one JSON array streamed in pieces; `auto`:
 * decided by the body's first byte (`[` → json-array), so the tap reads what the upstream sent whatever the
 * query's spelling (`alt=%73se`, a repeated `alt`) made of it.
 */
export type GeminiStreamFraming = 'sse' | 'json-array' | 'auto';

export interface GeminiStreamTapOptions {
  framing: GeminiStreamFraming;
}

/**
 * `streamGenerateContent` (docs/reference/gemini.md §4, §8). Usage = the LAST `usageMetadata` seen (running totals:
 * never summed; a record without it changes nothing; a final usage-only record counts). Text = every
 * text part (thought summaries included) and function calls (name + JSON args). Complete = a record
 * with a `finishReason` (or a prompt `blockReason`) was seen, no in-stream `error`, and the body ended (EOF; for JSON-array
 * framing the closing `]` as well).
 */
export class GeminiStreamTap implements UsageTap {
  private sse: SseParser | undefined;
  private array: JsonArrayStreamParser | undefined;
  private usage: Usage | undefined;
  private model: string | undefined;
  private text: string[] = [];
  private finished = false;
  private failed = false;

  constructor(options: GeminiStreamTapOptions = { framing: 'sse' }) {
    if (options.framing === 'json-array') this.array = new JsonArrayStreamParser();
    else if (options.framing === 'sse') this.sse = new SseParser();
  }

  push(chunk: Buffer): void {
    if (!this.array && !this.sse) {
      const first = chunk.findIndex((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09);
      if (first < 0) return;
      if (chunk[first] === 0x5b) this.array = new JsonArrayStreamParser();
      else this.sse = new SseParser();
    }
    if (this.array) {
      for (const record of this.array.push(chunk)) this.onRecord(record);
    } else if (this.sse) {
      for (const event of this.sse.push(chunk)) this.onRecord(parse(event.data));
    }
  }

  end(): UsageTapResult {
    if (this.array) for (const record of this.array.end()) this.onRecord(record);
    if (this.sse) for (const event of this.sse.end()) this.onRecord(parse(event.data));
    const ended = this.array ? this.array.closed : this.sse !== undefined;
    const result: UsageTapResult = { complete: ended && this.finished && !this.failed, outputText: this.text.join('') };
    if (this.usage) result.usage = this.usage;
    if (this.model) result.model = this.model;
    return result;
  }

  private onRecord(record: unknown): void {
    if (!isJsonObject(record)) return;
    if (record.error !== undefined && record.error !== null) {
      this.failed = true;
      return;
    }
    if (typeof record.modelVersion === 'string') this.model = record.modelVersion;
    const usage = usageFromMetadata(record.usageMetadata);
    if (usage) this.usage = usage;
    if (isJsonObject(record.promptFeedback) && typeof record.promptFeedback.blockReason === 'string') this.finished = true;
    if (!Array.isArray(record.candidates)) return;
    for (const candidate of record.candidates) {
      if (!isJsonObject(candidate)) continue;
      if (typeof candidate.finishReason === 'string' && candidate.finishReason !== '') this.finished = true;
      const content = candidate.content;
      if (!isJsonObject(content) || !Array.isArray(content.parts)) continue;
      for (const part of content.parts) {
        if (!isJsonObject(part)) continue;
        if (typeof part.text === 'string') this.text.push(part.text);
        const call = part.functionCall;
        if (isJsonObject(call)) {
          if (typeof call.name === 'string') this.text.push(call.name);
          if (call.args !== undefined) this.text.push(JSON.stringify(call.args));
        }
      }
    }
  }
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/** Non-stream `generateContent` body (or a buffered no-`alt` array): `usageFromGenerateContent`. */
export function geminiJsonTap(maxBytes?: number): UsageTap {
  const model = (body: unknown): string | undefined => {
    const last = Array.isArray(body) ? body[body.length - 1] : body;
    return isJsonObject(last) && typeof last.modelVersion === 'string' ? last.modelVersion : undefined;
  };
  const text = (body: unknown): string => {
    const parts: string[] = [];
    for (const chunk of Array.isArray(body) ? body : [body]) {
      for (const candidate of isJsonObject(chunk) && Array.isArray(chunk.candidates) ? chunk.candidates : []) {
        const content = isJsonObject(candidate) && isJsonObject(candidate.content) ? candidate.content : undefined;
        for (const part of Array.isArray(content?.parts) ? content.parts : []) {
          if (!isJsonObject(part)) continue;
          if (typeof part.text === 'string') parts.push(part.text);
          if (isJsonObject(part.functionCall)) parts.push(JSON.stringify(part.functionCall));
        }
      }
    }
    return parts.join('\n');
  };
  return new JsonUsageTap(usageFromGenerateContent, { model, text, ...(maxBytes === undefined ? {} : { maxBytes }) });
}
