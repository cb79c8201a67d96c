import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, badRequest } from '../../core/errors.js';
import type { Principal } from '../auth/authenticator.js';
import type { ClientSink } from '../passthrough/client-sink.js';
import type { PassthroughService } from '../passthrough/passthrough-service.js';
import type { ModelRouter } from './model-router.js';

export interface UnifiedCall {
  principal: Principal;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `/v1/models/{model}/chat/completions`: the model from the URL, which wins over the body's. */
  pathModel?: string;
  startedAt: number;
}

/**
 * `POST /v1/chat/completions` on every provider. OpenAI-dialect upstreams (OpenAI, xAI, DeepSeek,
 * OpenRouter) get the body as sent with only the model renamed, and answer with the client's model name.
 */
export class UnifiedChatService {
  constructor(
    private readonly router: ModelRouter,
    private readonly passthrough: PassthroughService,
  ) {}

  async chat(call: UnifiedCall, sink: ClientSink): Promise<void> {
    const request = parseObject(call.body);
    const requested = call.pathModel ?? request['model'];
    const routed = this.router.route(requested, 'chat');
    if (routed.provider.dialect !== 'openai') {
      throw new GatewayError('TG_ERR_BAD_REQUEST', `Chat completions for ${routed.provider.id} models are not served on /v1 by this gateway yet; use the native /${routed.provider.id === 'gemini' ? 'google' : routed.provider.id} API.`, 'model');
    }
    request['model'] = routed.upstreamModel;
    const body = Buffer.from(JSON.stringify(request));
    await this.passthrough.forward(
      {
        provider: routed.provider,
        surface: 'openai',
        method: 'POST',
        path: '/v1/chat/completions',
        query: '',
        headers: { ...call.headers, 'content-type': 'application/json' },
        body,
        contentLength: body.length,
        fields: { model: routed.upstreamModel, stream: request['stream'] === true },
        principal: call.principal,
        startedAt: call.startedAt,
        echoModel: routed.requested,
      },
      sink,
    );
  }
}

function parseObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}
