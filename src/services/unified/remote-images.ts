import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { badRequest } from '../../core/errors.js';

export interface FetchedImage {
  mimeType: string;
  /** Base64. */
  data: string;
}

export interface RemoteImageFetcher {
  /** `signal`: the client went away, stop downloading. */
  fetch(url: string, signal?: AbortSignal): Promise<FetchedImage>;
}

export interface RemoteImageOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Off by default: only public addresses are fetched, so a prompt cannot reach the gateway's own network. */
  allowPrivateNetworks: boolean;
}

/**
 * Downloads an `image_url` for providers that take images only inline (Gemini): http(s) only, redirects
 * not followed, a size limit and a timeout, and every address the name resolves to checked — the
 * connection goes to the checked address, so a second DNS answer cannot point it elsewhere.
 */
export class HttpRemoteImageFetcher implements RemoteImageFetcher {
  private readonly agent: Agent;

  constructor(private readonly options: RemoteImageOptions) {
    const allowPrivate = options.allowPrivateNetworks;
    this.agent = new Agent({
      connect: {
        timeout: options.timeoutMs,
        lookup: (hostname, lookupOptions, callback) => {
          lookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
            if (err) return callback(err, '', 0);
            const list = Array.isArray(addresses) ? addresses : [];
            const refused = list.find((a) => !allowPrivate && !isPublicAddress(a.address));
            if (refused || list.length === 0) return callback(new PrivateAddressError(), '', 0);
            if ((lookupOptions as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
            return callback(null, list[0]!.address, list[0]!.family);
          });
        },
      },
    });
  }

  async fetch(url: string, signal?: AbortSignal): Promise<FetchedImage> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest(`The image URL ${truncate(url)} is not a valid URL.`, 'messages');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badRequest('Image URLs must be http(s) or data: URLs.', 'messages');
    const literal = parsed.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && !this.options.allowPrivateNetworks && !isPublicAddress(literal)) throw refusedAddress(url);
    try {
      const res = await request(parsed, {
        dispatcher: this.agent,
        method: 'GET',
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]) : AbortSignal.timeout(this.options.timeoutMs),
      });
      const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (res.statusCode !== 200 || !type.startsWith('image/')) {
        res.body.resume();
        throw badRequest(`The image URL ${truncate(url)} answered ${res.statusCode}${type ? ` (${type})` : ''}, not an image.`, 'messages');
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.options.maxBytes) {
        res.body.destroy();
        throw tooLarge(url, this.options.maxBytes);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > this.options.maxBytes) {
          res.body.destroy();
          throw tooLarge(url, this.options.maxBytes);
        }
        chunks.push(chunk as Buffer);
      }
      return { mimeType: type, data: Buffer.concat(chunks).toString('base64') };
    } catch (err) {
      if (err instanceof PrivateAddressError || (err as { cause?: unknown }).cause instanceof PrivateAddressError) throw refusedAddress(url);
      if ((err as { name?: string }).name === 'GatewayError') throw err;
      throw badRequest(`The image URL ${truncate(url)} could not be fetched.`, 'messages');
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

class PrivateAddressError extends Error {}

const refusedAddress = (url: string) => badRequest(`The image URL ${truncate(url)} points to a private or local address, which the gateway does not fetch.`, 'messages');
const tooLarge = (url: string, max: number) => badRequest(`The image at ${truncate(url)} is larger than ${Math.floor(max / (1024 * 1024))} MB.`, 'messages');
const truncate = (url: string) => (url.length > 100 ? `${url.slice(0, 100)}…` : url);

/** False for loopback, private, link-local, CGNAT, unspecified, multicast and reserved ranges (IPv4 and IPv6). */
export function isPublicAddress(address: string): boolean {
  const v4 = embeddedIPv4(address) ?? address;
  if (isIP(v4) === 4) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
    if (a === 100 && b >= 64 && b <= 127) return false;
    if (a === 169 && b === 254) return false;
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && b === 168) return false;
    if (a === 192 && b === 0) return false;
    if (a === 198 && (b === 18 || b === 19)) return false;
    return true;
  }
  const v6 = address.toLowerCase();
  if (v6 === '::' || v6 === '::1') return false;
  if (/^fe[c-f]/.test(v6)) return false; // site-local (deprecated, still routed privately)
  if (/^f[cd]/.test(v6)) return false; // unique local
  if (/^fe[89ab]/.test(v6)) return false; // link-local
  if (v6.startsWith('ff')) return false; // multicast
  if (v6.startsWith('64:ff9b:') || v6.startsWith('2001:db8')) return false;
  return true;
}

/**
 * The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`, also written `::ffff:7f00:1`), IPv4-compatible
 * (`::a.b.c.d`, `::7f00:1`) or `::ffff:0:…` IPv6 address, as dotted quad; undefined for any other address.
 */
function embeddedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const match = /^::(?:ffff:(?:0:)?)?([0-9a-f.:]+)$/.exec(lower);
  if (!match) return undefined;
  const tail = match[1]!;
  if (isIP(tail) === 4) return tail;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(tail);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}
