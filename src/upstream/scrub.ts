/** Masked echoes (`sk-abc…wxyz`) are looked for only for keys this long: shorter ones leave too little to match. */
const MIN_MASKED_LENGTH = 8;

/**
 * Removes upstream secrets from a whole text (error bodies): the secret itself, and the masked form
 * providers echo (`sk-abc…wxyz`, its first 3 and last 4 characters around up to 200 others).
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    out = out.split(secret).join('[redacted]');
    if (secret.length < MIN_MASKED_LENGTH) continue;
    const head = escapeRegExp(secret.slice(0, 3));
    const tail = escapeRegExp(secret.slice(-4));
    out = out.replace(new RegExp(`${head}[A-Za-z0-9_*.\\-]{0,200}${tail}`, 'g'), '[redacted]');
  }
  return out;
}

/**
 * Removes upstream secrets from a body relayed chunk by chunk (successful answers, streams included):
 * each occurrence is overwritten with `*` of the same length, so a `content-length` stays true and
 * nothing else moves. A chunk that ends with the beginning of a secret keeps those bytes until the
 * next chunk shows whether the secret follows (SSE events end in a blank line, so in practice nothing
 * is held). Only exact occurrences are matched: a masked form is no secret, and matching it in model
 * output would alter answers.
 */
export class SecretScrubber {
  private carry: Buffer | undefined;

  /** `secrets` as `prepareSecrets` makes them (once per key pool, not per request). */
  constructor(private readonly secrets: readonly Buffer[]) {}

  push(chunk: Buffer): Buffer {
    if (this.secrets.length === 0) return chunk;
    let data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    let copied = data !== chunk;
    for (const secret of this.secrets) {
      let at = data.indexOf(secret);
      while (at >= 0) {
        if (!copied) {
          data = Buffer.from(data); // never write into undici's buffer
          copied = true;
        }
        data.fill(0x2a, at, at + secret.length);
        at = data.indexOf(secret, at + secret.length);
      }
    }
    const held = this.partialTail(data);
    if (held === 0) return data;
    this.carry = Buffer.from(data.subarray(data.length - held));
    return data.subarray(0, data.length - held);
  }

  /** What was held back: the body ended, so it was no secret. */
  end(): Buffer {
    const rest = this.carry ?? Buffer.alloc(0);
    this.carry = undefined;
    return rest;
  }

  /** The longest tail of `data` that is a proper prefix of some secret. */
  private partialTail(data: Buffer): number {
    let longest = 0;
    for (const secret of this.secrets) {
      const from = Math.max(0, data.length - secret.length + 1);
      for (let at = data.indexOf(secret[0]!, from); at >= 0; at = data.indexOf(secret[0]!, at + 1)) {
        const length = data.length - at;
        if (length <= longest) break;
        if (data.subarray(at).equals(secret.subarray(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}

/** The secrets as a scrubber matches them: bytes, non-empty, unique, longest first (a key containing another is replaced whole). */
export function prepareSecrets(secrets: readonly string[]): readonly Buffer[] {
  return [...new Set(secrets)]
    .filter((secret) => secret.length > 0)
    .map((secret) => Buffer.from(secret, 'utf8'))
    .sort((a, b) => b.length - a.length);
}

/** Response headers with any upstream secret masked (a provider echoing the key in a request id or a hint). */
export function scrubHeaders(headers: Record<string, string | string[]>, secrets: readonly string[]): Record<string, string | string[]> {
  for (const name in headers) {
    const value = headers[name]!;
    const text = Array.isArray(value) ? value.join('\n') : value;
    if (!secrets.some((secret) => secret.length > 0 && text.includes(secret))) continue;
    headers[name] = Array.isArray(value) ? value.map((v) => scrubSecrets(v, secrets)) : scrubSecrets(value, secrets);
  }
  return headers;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
