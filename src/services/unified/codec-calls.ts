import type { IncomingHttpHeaders } from 'node:http';
import { chain } from '../../core/byte-transform.js';
import { DIALECTS, type BridgeObserver, type ChatBridge, type CodecContext, type CodecInput, type EncodedCall, type OpCodec } from '../../dialects/index.js';
import type { Principal } from '../auth/authenticator.js';
import type { ClientSink } from '../relay/client-sink.js';
import type { Relay } from '../relay/relay.js';
import type { RelayOptions } from '../relay/relay-request.js';
import type { RoutedModel } from './model-router.js';
import type { RemoteImageFetcher } from './remote-images.js';

export interface UnifiedCall {
  principal: Principal;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `/v1/models/{model}/chat/completions`: the model from the URL, which wins over the body's. */
  pathModel?: string;
  startedAt: number;
  /** Set while a backup candidate remains: failures before the answer come back to the caller. */
  failover?: RelayOptions['failover'];
}

/** A chat call answering another operation: the bridge, and the client's own request of that operation. */
export interface Bridged {
  bridge: ChatBridge;
  request: Readonly<Record<string, unknown>>;
  /** Told of the bridged answer once complete (the response store). */
  observe?: BridgeObserver | undefined;
}

/**
 * One unified call on one provider through its dialect's codec: the request encoded for the provider,
 * relayed, and the answer decoded (and re-shaped by a bridge) back to OpenAI's shape.
 */
export class CodecCalls {
  constructor(
    private readonly relay: Relay,
    private readonly imageFetcher: RemoteImageFetcher,
  ) {}

  async run(call: UnifiedCall, codec: OpCodec, input: CodecInput, routed: RoutedModel, sink: ClientSink, bridged?: Bridged): Promise<void> {
    const ctx: CodecContext = {
      upstreamModel: routed.upstreamModel,
      requestedModel: routed.requested,
      startedAt: call.startedAt,
      maxOutputTokens: routed.catalog?.entry.maxOutputTokens ?? undefined,
      clientErrors: DIALECTS.openai.errors,
    };
    const encoded = codec.encode(input, ctx);
    const answer = chain(codec.decode(encoded, input, ctx), bridged?.bridge.fromChat(bridged.request, encoded.stream, ctx, bridged.observe));
    const remote = encoded.remote;
    await this.relay.forward(
      {
        provider: routed.provider,
        surface: 'openai',
        principal: call.principal,
        startedAt: call.startedAt,
        call: {
          method: encoded.method,
          path: encoded.path,
          query: encoded.query,
          clientHeaders: encoded.withClientHeaders ? call.headers : undefined,
          headers: encoded.headers,
          body: encoded.body,
          contentLength: encoded.body.length,
        },
        fields: encoded.fields,
        options: { answer, failover: call.failover, completeBody: remote ? (signal) => this.fetchRemote(remote, signal) : undefined },
      },
      sink,
    );
  }

  /** Media named by URL, fetched once the call was admitted (and not at all when the client went away). */
  private async fetchRemote(remote: NonNullable<EncodedCall['remote']>, signal: AbortSignal): Promise<Buffer> {
    const media = [];
    for (const url of remote.urls) media.push(await this.imageFetcher.fetch(url, signal));
    return remote.complete(media);
  }
}
