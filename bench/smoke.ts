// Smoke requests before each load: a target that answers wrongly, or serves without billing, fails the
// bench with a readable error instead of being timed.
import type { TargetName } from './report.js';

export interface SmokeTarget {
  name: TargetName;
  base: string;
  chatPath: string;
  auth: string;
}

export interface SmokeScenario {
  label: string;
  body: string;
  unified?: { model: string };
}

interface UsageTotals {
  requests: number;
  spendRub: number;
}

/** The key's calls and charges so far (GET /v1/usage), to see that smoke requests were billed. */
async function usageTotals(t: SmokeTarget): Promise<UsageTotals> {
  const res = await fetch(`${t.base}/v1/usage`, { headers: { authorization: t.auth } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /v1/usage -> HTTP ${res.status}: ${text.slice(0, 500)}`);
  const total = (JSON.parse(text) as { total?: { requests?: unknown; spend_rub?: unknown } }).total;
  if (typeof total?.requests !== 'number' || typeof total.spend_rub !== 'number') throw new Error(`GET /v1/usage: unexpected body ${text.slice(0, 500)}`);
  return { requests: total.requests, spendRub: total.spend_rub };
}

/**
 * Runs one smoke request on tollgate and waits (history is written in batches) until /v1/usage shows it
 * as one more call with a charge: a call served but not billed would make the numbers meaningless.
 */
async function billed<T>(t: SmokeTarget, what: string, request: () => Promise<T>): Promise<{ result: T; rub: number }> {
  if (t.name !== 'tollgate') return { result: await request(), rub: 0 };
  const before = await usageTotals(t);
  const result = await request();
  const deadline = Date.now() + 5000;
  for (;;) {
    const after = await usageTotals(t);
    if (after.requests > before.requests && after.spendRub > before.spendRub) return { result, rub: after.spendRub - before.spendRub };
    if (Date.now() > deadline) {
      throw new Error(`${t.name} ${what}: served but not billed within 5 s (/v1/usage requests ${before.requests} -> ${after.requests}, spend_rub ${before.spendRub} -> ${after.spendRub})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function smokePost(t: SmokeTarget, url: string, body: string, what: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: t.auth },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${t.name} ${what} smoke request failed: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

interface ChatCompletionLike {
  id?: unknown;
  object?: unknown;
  model?: unknown;
  choices?: { message?: { role?: unknown; content?: unknown }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

/** One unified (/v1) request: a 200 chat completion echoing the client's model name, with usage, and billed. */
export async function smokeUnified(t: SmokeTarget, sc: SmokeScenario, url: string): Promise<string> {
  const model = sc.unified?.model;
  if (!model) throw new Error(`${sc.label} is not a unified scenario`);
  const fail = (why: string, body: string): never => {
    throw new Error(`${t.name} ${sc.label} smoke: ${why}: ${body.slice(0, 500)}`);
  };
  const { result: text, rub } = await billed(t, sc.label, () => smokePost(t, url, sc.body, sc.label));
  const json = JSON.parse(text) as ChatCompletionLike;
  const choice = json.choices?.[0];
  if (json.object !== 'chat.completion' || typeof json.id !== 'string' || !json.id.startsWith('chatcmpl-')) fail('not a chat.completion', text);
  if (json.model !== model) fail(`model is ${JSON.stringify(json.model)}, not the requested ${model}`, text);
  if (choice?.message?.role !== 'assistant' || typeof choice.message.content !== 'string' || choice.message.content === '') fail('no assistant content', text);
  if (choice?.finish_reason !== 'stop') fail(`finish_reason ${JSON.stringify(choice?.finish_reason)}`, text);
  const u = json.usage;
  if (typeof u?.prompt_tokens !== 'number' || typeof u.completion_tokens !== 'number' || u.prompt_tokens <= 0 || u.completion_tokens <= 0) fail('no usage', text);
  return `${sc.label}: OK (id ${String(json.id)}, model ${model}, usage ${String(u?.prompt_tokens)}+${String(u?.completion_tokens)}, charged ${rub.toFixed(6)} RUB)`;
}

/** One non-stream and one stream request per target, to fail fast with a readable error. */
export async function smoke(t: SmokeTarget, body: string, streamBody: string): Promise<string> {
  const url = `${t.base}${t.chatPath}`;
  const post = async (body: string, what: string): Promise<string> => (await billed(t, what, () => smokePost(t, url, body, what))).result;
  const json = JSON.parse(await post(body, 'non-stream')) as { choices?: { message?: { content?: unknown } }[] };
  if (typeof json.choices?.[0]?.message?.content !== 'string') throw new Error(`${t.name} non-stream response has no choices[0].message.content`);
  const events = (await post(streamBody, 'stream')).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim());
  let deltas = 0;
  let usage = false;
  for (const e of events.filter((e) => e !== '[DONE]')) {
    const chunk = JSON.parse(e) as { choices?: { delta?: { content?: unknown } }[]; usage?: unknown };
    if (typeof chunk.choices?.[0]?.delta?.content === 'string' && chunk.choices[0].delta.content !== '') deltas++;
    if (chunk.usage) usage = true;
  }
  if (deltas === 0) throw new Error(`${t.name} stream response had no content deltas`);
  return `${t.name}: non-stream OK; stream OK (${events.length} events, ${deltas} content deltas, usage=${usage}, [DONE]=${events.includes('[DONE]')})`;
}

