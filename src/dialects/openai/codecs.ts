import type { CodecInput, EncodedCall, OpCodec } from '../../core/dialect.js';
import type { Op } from '../../core/ops.js';
import { replaceTopLevelString } from '../../lib/json-fields.js';
import { replaceFormField } from '../../lib/multipart-fields.js';
import { modelEcho } from './model-echo.js';

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });

/** The body with the provider's model name, every other byte as the client sent it when that can be done in place. */
function renamedBody({ request, bytes }: CodecInput, model: string): Buffer {
  return (bytes && replaceTopLevelString(bytes, 'model', model)) ?? Buffer.from(JSON.stringify({ ...request, model }));
}

/**
 * An OpenAI-dialect JSON operation: the client's request goes to the same path with only the model
 * renamed, and the answer comes back with the client's model name (`streamDepth` 2: Responses streams
 * carry it in `response.model`).
 */
function jsonOp(streamDepth: 1 | 2): OpCodec {
  return {
    encode(input, ctx): EncodedCall {
      const stream = input.request['stream'] === true;
      return {
        method: 'POST',
        path: input.endpoint,
        query: '',
        headers: JSON_HEADERS,
        withClientHeaders: true,
        body: renamedBody(input, ctx.upstreamModel),
        stream,
        fields: { model: ctx.upstreamModel, stream },
      };
    },
    decode: (_call, _input, ctx) => modelEcho(ctx.requestedModel, streamDepth),
  };
}

/** A multipart operation: the form as sent, its `model` field renamed; files are never decoded. */
const formOp: OpCodec = {
  encode({ form, endpoint }, ctx): EncodedCall {
    if (!form) throw new Error('a multipart operation was called without its form');
    return {
      method: 'POST',
      path: endpoint,
      query: '',
      headers: {},
      withClientHeaders: true,
      body: replaceFormField(form.body, form.boundary, 'model', ctx.upstreamModel) ?? form.body,
      stream: false,
      fields: { model: ctx.upstreamModel },
    };
  },
  decode: (_call, _input, ctx) => modelEcho(ctx.requestedModel, 1),
};

/** Every unified operation is OpenAI's own: OpenAI-dialect providers carry them all as they are. */
export const OPENAI_CODECS: Readonly<Partial<Record<Op, OpCodec>>> = {
  chat: jsonOp(1),
  responses: jsonOp(2),
  completions: jsonOp(1),
  embeddings: jsonOp(1),
  'images.generate': jsonOp(1),
  'audio.speech': jsonOp(1),
  'images.edit': formOp,
  'audio.transcribe': formOp,
};
