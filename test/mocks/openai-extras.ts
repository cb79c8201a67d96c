// OpenAI embeddings, audio (speech / transcriptions / translations) and image generation.
import { asArray, FAKE_CREATED, fakeEmbedding, float32Base64, hash, words } from './fake.js';
import { BadRequest, type MockContext } from './mock-server.js';
import { parseMultipart } from './multipart.js';

/** 1x1 transparent PNG. */
export const TINY_PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export async function embeddings(ctx: MockContext): Promise<void> {
  const b = ctx.json();
  if (typeof b.model !== 'string') throw new BadRequest('you must provide a model parameter', 'model');
  const input = b.input;
  let inputs: Array<string | number[]>;
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.length && input.every((x) => typeof x === 'number')) inputs = [input as number[]];
  else if (Array.isArray(input) && input.length) inputs = input as Array<string | number[]>;
  else throw new BadRequest("'input' is a required property", 'input');
  let tokens = 0;
  const data = inputs.map((x, index) => {
    const text = typeof x === 'string' ? x : asArray(x).join(' ');
    tokens += typeof x === 'string' ? words(x) : asArray(x).length;
    const vec = fakeEmbedding(text, b.dimensions);
    return { object: 'embedding', index, embedding: b.encoding_format === 'base64' ? float32Base64(vec) : vec };
  });
  ctx.sendJson(200, { object: 'list', data, model: b.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

const AUDIO_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg', opus: 'audio/ogg', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm',
};

/** Deterministic "audio": 'ID3' + 16 bytes per input character + 64. */
export function fakeAudio(input: string): Buffer {
  const len = input.length * 16 + 64;
  const h = hash(input);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = (h + i * 7) & 0xff;
  return Buffer.concat([Buffer.from('ID3'), body]);
}

/** Binary body sent in 4 chunks (stream faults apply: drop/stall/chunk delay; an error event just ends it). */
export async function audioSpeech(ctx: MockContext): Promise<void> {
  const b = ctx.json();
  if (typeof b.model !== 'string') throw new BadRequest('you must provide a model parameter', 'model');
  if (typeof b.input !== 'string') throw new BadRequest("'input' is a required property", 'input');
  const fmt = typeof b.response_format === 'string' ? b.response_format : 'mp3';
  const audio = fakeAudio(b.input);
  const w = ctx.stream(AUDIO_TYPES[fmt] ?? 'application/octet-stream', () => '');
  const step = Math.ceil(audio.length / 4);
  for (let i = 0; i < audio.length; i += step) {
    if (!(await w.write(audio.subarray(i, i + step)))) return;
  }
  await w.end();
}

const pad = (x: number, n = 2): string => String(x).padStart(n, '0');

/** The parts of a multipart request and a reader of its text fields; a malformed form is a 400. */
function form(ctx: MockContext) {
  let parts;
  try {
    parts = parseMultipart(ctx.body, ctx.header('content-type'));
  } catch (e) {
    throw new BadRequest(`Could not parse multipart form: ${(e as Error).message}`);
  }
  const field = (name: string): string | undefined => parts.find((p) => p.name === name && p.filename === undefined)?.data.toString('utf8');
  return { parts, field };
}

export async function audioTranscription(ctx: MockContext, task: 'transcribe' | 'translate'): Promise<void> {
  const { parts, field } = form(ctx);
  const file = parts.find((p) => p.name === 'file');
  if (!file) throw new BadRequest("'file' is a required property", 'file');
  if (!field('model')) throw new BadRequest("'model' is a required property", 'model');
  const name = file.filename ?? 'file';
  const size = file.data.length;
  const seconds = Math.max(1, Math.ceil(size / 1000));
  const text = `${task === 'translate' ? 'Translation' : 'Transcript'} of ${name} (${size} bytes)`;
  const usage = { type: 'duration', seconds };
  switch (field('response_format') ?? 'json') {
    case 'text':
      return ctx.sendText(200, `${text}\n`);
    case 'srt':
      return ctx.sendText(200, `1\n00:00:00,000 --> 00:00:${pad(seconds)},000\n${text}\n\n`);
    case 'vtt':
      return ctx.sendText(200, `WEBVTT\n\n00:00:00.000 --> 00:00:${pad(seconds)}.000\n${text}\n\n`, 'text/vtt; charset=utf-8');
    case 'verbose_json':
      return ctx.sendJson(200, {
        task, language: 'english', duration: seconds, text,
        segments: [{ id: 0, seek: 0, start: 0, end: seconds, text, tokens: [], temperature: 0, avg_logprob: 0, compression_ratio: 1, no_speech_prob: 0 }],
        usage,
      });
    default:
      return ctx.sendJson(200, task === 'translate' ? { text } : { text, usage });
  }
}

export async function imageGenerations(ctx: MockContext): Promise<void> {
  const b = ctx.json();
  if (typeof b.prompt !== 'string') throw new BadRequest("'prompt' is a required property", 'prompt');
  const model = typeof b.model === 'string' ? b.model : 'dall-e-2';
  const n = typeof b.n === 'number' && b.n > 0 ? Math.floor(b.n) : 1;
  const asUrl = b.response_format === 'url';
  const data = Array.from({ length: n }, (_, i) => (asUrl
    ? { url: `https://images.mock.invalid/${ctx.reqNo}/${i}.png`, revised_prompt: b.prompt }
    : { b64_json: TINY_PNG_B64, revised_prompt: b.prompt }));
  const body: Record<string, unknown> = { created: FAKE_CREATED, data };
  if (model.startsWith('gpt-image')) {
    const inTok = words(b.prompt) + 3;
    const outTok = 272 * n;
    Object.assign(body, {
      background: b.background ?? 'opaque', output_format: b.output_format ?? 'png', quality: b.quality ?? 'medium', size: b.size ?? '1024x1024',
      usage: {
        input_tokens: inTok, input_tokens_details: { text_tokens: inTok, image_tokens: 0 },
        output_tokens: outTok, total_tokens: inTok + outTok,
      },
    });
  }
  ctx.sendJson(200, body);
}

/** `POST /v1/images/edits` (multipart: image or image[], prompt, model, n): images of the generations' shape. */
export async function imageEdits(ctx: MockContext): Promise<void> {
  const { parts, field } = form(ctx);
  if (!parts.some((p) => (p.name === 'image' || p.name === 'image[]') && p.filename !== undefined)) throw new BadRequest("'image' is a required property", 'image');
  const prompt = field('prompt');
  if (!prompt) throw new BadRequest("'prompt' is a required property", 'prompt');
  const n = Math.max(1, Number(field('n') ?? 1) || 1);
  ctx.sendJson(200, { created: FAKE_CREATED, data: Array.from({ length: n }, () => ({ b64_json: TINY_PNG_B64, revised_prompt: `${field('model') ?? 'dall-e-2'}: ${prompt}` })) });
}
