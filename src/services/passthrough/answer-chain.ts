import type { ModelEchoFilter } from '../../dialects/openai/model-echo.js';
import type { UsageChunkFilter } from '../../dialects/openai/usage-chunk-filter.js';
import type { SecretScrubber } from '../../upstream/scrub.js';
import type { ResponseTranslator } from './response-translator.js';

const EMPTY = Buffer.alloc(0);

/**
 * What happens to the provider's bytes on their way to the client, in order: upstream secrets masked
 * (so nothing after sees one), the gateway's own usage chunk dropped, then either the translation to the
 * client's API or the model name echoed back. The usage tap reads the provider's bytes before all this.
 */
export class AnswerChain {
  /** Set once the answer's type is known (JSON or SSE), for unified calls answering with the client's model name. */
  echo: ModelEchoFilter | undefined;

  constructor(
    private readonly scrubber: SecretScrubber,
    private readonly filter: UsageChunkFilter | undefined,
    private readonly translator: ResponseTranslator | undefined,
  ) {}

  push(chunk: Buffer): Buffer {
    return this.transform(this.scrubber.push(chunk));
  }

  /** The rest, once the provider's answer ended normally. */
  end(): Buffer {
    const held = this.scrubber.end();
    const head = held.length > 0 ? this.transform(held) : EMPTY;
    const rest = this.filter?.end();
    if (this.translator) return Buffer.concat([head, rest && rest.length > 0 ? this.translator.push(rest) : EMPTY, this.translator.end()]);
    if (!this.echo) return rest && rest.length > 0 ? Buffer.concat([head, rest]) : head;
    return Buffer.concat([head, rest ? this.echo.push(rest) : EMPTY, this.echo.end()]);
  }

  private transform(chunk: Buffer): Buffer {
    const out = this.filter ? this.filter.push(chunk) : chunk;
    if (this.translator) return out.length > 0 ? this.translator.push(out) : out;
    return this.echo ? this.echo.push(out) : out;
  }
}
