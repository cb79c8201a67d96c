// Gemini models/{model}:generateContent and :streamGenerateContent (?alt=sse SSE, or incremental JSON array).
import { asArray, asObj, fakeUsage, GEMINI_THOUGHTS, generate, splitN, textOf, toolArgs, words } from './fake.js';
import { geminiError } from './gemini-errors.js';
import { BadRequest, type MockContext } from './mock-server.js';

type Obj = Record<string, unknown>;

/** Opaque signature attached to function-call parts (base64 of "mock-signature"). */
export const MOCK_THOUGHT_SIGNATURE = Buffer.from('mock-signature').toString('base64');

export function geminiPromptText(b: Obj): string {
  return `${textOf(b.systemInstruction)} ${textOf(b.contents)}`;
}

function pickTool(b: Obj, last: Obj): string | undefined {
  const decls = asArray(b.tools).flatMap((t) => asArray(asObj(t).functionDeclarations)).map(asObj);
  const fcc = asObj(asObj(b.toolConfig).functionCallingConfig);
  if (!decls.length || fcc.mode === 'NONE') return undefined;
  if (last.role !== undefined && last.role !== 'user') return undefined;
  const parts = asArray(last.parts).map(asObj);
  if (parts.some((p) => p.functionResponse) || !parts.some((p) => typeof p.text === 'string')) return undefined;
  const allowed = asArray(fcc.allowedFunctionNames)[0];
  if (typeof allowed === 'string') return allowed;
  return typeof decls[0]?.name === 'string' ? decls[0].name : 'tool';
}

/** Mid-stream error object ({error:{code,message,status}}) or the fault's errorBody. */
function streamError(ctx: MockContext): unknown {
  return ctx.fault?.errorBody ?? geminiError(503, 'The model is overloaded. Please try again later.');
}

export async function generateContent(ctx: MockContext, model: string, stream: boolean): Promise<void> {
  const b = ctx.json();
  const contents = asArray(b.contents);
  if (!contents.length) throw new BadRequest('* GenerateContentRequest.contents: contents is not specified\n');
  const last = asObj(contents[contents.length - 1]);
  const lastText = textOf(last);
  const toolName = pickTool(b, last);
  const gen = generate(lastText, asObj(b.generationConfig).maxOutputTokens);
  const args = toolArgs(lastText);
  const u = fakeUsage(geminiPromptText(b), toolName ? JSON.stringify(args) : gen.text);
  const finalUsage = {
    promptTokenCount: u.prompt,
    candidatesTokenCount: u.completion,
    totalTokenCount: u.prompt + u.completion + GEMINI_THOUGHTS,
    cachedContentTokenCount: u.cached,
    thoughtsTokenCount: GEMINI_THOUGHTS,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.prompt }],
    cacheTokensDetails: [{ modality: 'TEXT', tokenCount: u.cached }],
  };
  const finishReason = gen.truncated && !toolName ? 'MAX_TOKENS' : 'STOP';
  const responseId = `mockresp${ctx.reqNo}`;
  const record = (parts: Obj[], finish: string | undefined, usageMetadata: Obj): Obj => ({
    candidates: [{ content: { role: 'model', parts }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
    usageMetadata,
    modelVersion: model,
    responseId,
  });
  const callPart = { functionCall: { name: toolName, args }, thoughtSignature: MOCK_THOUGHT_SIGNATURE };

  if (!stream) {
    return ctx.sendJson(200, record([toolName ? callPart : { text: gen.text }], finishReason, finalUsage), 'application/json; charset=UTF-8');
  }

  const records: Obj[] = [];
  if (toolName) {
    records.push(record([callPart], finishReason, finalUsage));
  } else {
    const pieces = splitN(gen.text, ctx.opts.streamChunks);
    let sofar = '';
    pieces.forEach((p, i) => {
      sofar += p;
      const isLast = i === pieces.length - 1;
      const running = { promptTokenCount: u.prompt, candidatesTokenCount: words(sofar), totalTokenCount: u.prompt + words(sofar) };
      records.push(record([{ text: p }], isLast ? finishReason : undefined, isLast ? finalUsage : running));
    });
  }

  if (ctx.query.get('alt') === 'sse') {
    // Google frames SSE events with CRLF: `data: {...}\r\n\r\n`; no [DONE], ends at EOF.
    const w = ctx.stream('text/event-stream', () => `data: ${JSON.stringify(streamError(ctx))}\r\n\r\n`);
    for (const r of records) {
      if (!(await w.write(`data: ${JSON.stringify(r)}\r\n\r\n`))) return;
    }
    return w.end();
  }
  // No alt: one JSON array, '[' first, then records (pretty-printed, spanning lines) separated by ',\r\n', then ']'.
  const w = ctx.stream('application/json; charset=UTF-8', (n) => `${n > 0 ? ',\r\n' : ''}${JSON.stringify(streamError(ctx))}]`);
  w.raw('[');
  for (const [i, r] of records.entries()) {
    if (!(await w.write(`${i > 0 ? ',\r\n' : ''}${JSON.stringify(r, null, 2)}`))) return;
  }
  await w.end(']');
}
