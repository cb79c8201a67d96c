// Small parts of the native relay: error bodies, the call's model.
import { geminiNativeModel } from '../../dialects/gemini/native.js';
import type { ProviderSpec } from '../../providers/index.js';
import { scrubSecrets } from '../../upstream/scrub.js';
import type { ClientSink } from './client-sink.js';
import type { ResponseTranslator } from './response-translator.js';

/** Upstream error bodies pass through with their status, minus any upstream secret they echo. */
export function sendScrubbed(
  sink: ClientSink,
  status: number,
  headers: Record<string, string | string[]>,
  chunks: Buffer[],
  secrets: readonly string[],
  translator: ResponseTranslator | undefined,
): void {
  let body: Buffer = Buffer.from(scrubSecrets(Buffer.concat(chunks).toString('utf8'), secrets));
  if (translator) ({ status, body, headers } = translator.error(status, body, headers));
  sink.start(status, { ...headers, 'content-length': String(body.length) });
  sink.end(body);
}

/** The model a native call names: in its JSON body or form, or (Gemini) in its path. */
export function nativeModel(req: { provider: ProviderSpec; path: string; fields: Readonly<Record<string, unknown>> }): string | null {
  // Gemini serves the model named in the path, whatever the body says.
  if (req.provider.dialect === 'gemini') return geminiNativeModel(req.path)?.slice(0, 200) ?? null;
  const fromBody = req.fields['model'];
  return typeof fromBody === 'string' ? fromBody.slice(0, 200) : null;
}

export class ClientAborted extends Error {
  constructor() {
    super('client closed the connection');
  }
}
