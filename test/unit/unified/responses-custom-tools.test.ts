import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors.js';
import { responsesToChat } from '../../../src/dialects/openai/responses-request.js';
import { CustomInputReader, MAX_GRAMMAR_CHARS, customInput } from '../../../src/dialects/openai/responses-custom.js';
import { chatToResponse, type ResponseContext } from '../../../src/dialects/openai/responses-response.js';
import { planTools, toolOrigin } from '../../../src/dialects/openai/responses-tools.js';

type Obj = Record<string, unknown>;
const base = (extra: Obj): Obj => ({ model: 'm', input: 'Hi', ...extra });
const patch = { type: 'custom', name: 'apply_patch', description: 'Edit files.', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } };

function assertBadRequest(body: Obj, param: string, message?: RegExp): void {
  assert.throws(() => responsesToChat(body), (err: unknown) => {
    assert.ok(err instanceof GatewayError && err.status === 400, String(err));
    assert.equal(err.param, param);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** Reads the fragments one by one: the deltas, and what `finish` says. */
function read(fragments: string[]): { deltas: string[]; input: string; rest: string } {
  const reader = new CustomInputReader();
  const deltas = fragments.map((f) => reader.push(f)).filter((d) => d !== '');
  return { deltas, ...reader.finish() };
}

describe('custom tools on a chat model', () => {
  it('become one-string-parameter functions stating the format; a long grammar is named, not repeated', () => {
    const long = { ...patch, name: 'long', format: { type: 'grammar', syntax: 'regex', definition: 'a'.repeat(MAX_GRAMMAR_CHARS + 1) } };
    const plan = planTools(base({ tools: [patch, { type: 'custom', name: 'free' }, long] }));
    const [fn, free, big] = plan.tools!.map((t) => t.function);
    assert.deepEqual(fn!.parameters!.required, ['input']);
    assert.match((fn!.parameters!.properties as { input: { description: string } }).input.description, /Lark grammar:\nstart: "x"$/);
    assert.equal(free!.description, undefined);
    assert.match((free!.parameters!.properties as { input: { description: string } }).input.description, /plain text/);
    const bigText = (big!.parameters!.properties as { input: { description: string } }).input.description;
    assert.match(bigText, new RegExp(`regular expression of ${MAX_GRAMMAR_CHARS + 1} characters, too long`));
    assert.ok(bigText.length < 300);
    assert.deepEqual(toolOrigin('apply_patch', plan.names), { kind: 'custom', name: 'apply_patch' });
  });

  it('refuses formats it cannot state', () => {
    assertBadRequest(base({ tools: [{ ...patch, format: { type: 'yaml' } }] }), 'tools[0].format.type');
    assertBadRequest(base({ tools: [{ ...patch, format: { type: 'grammar', syntax: 'ebnf', definition: 'x' } }] }), 'tools[0].format.syntax');
    assertBadRequest(base({ tools: [{ ...patch, format: { type: 'grammar', syntax: 'lark' } }] }), 'tools[0].format.definition');
    assertBadRequest(base({ tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'local_shell' }] }] }), 'tools[0].tools[0].type', /function and custom/);
  });

  it('tool_choice custom names the function; a call comes back as custom_tool_call, raw text kept when it is not the JSON asked for', () => {
    const chat = responsesToChat(base({ tools: [patch], tool_choice: { type: 'custom', name: 'apply_patch' } }));
    assert.deepEqual(chat.tool_choice, { type: 'function', function: { name: 'apply_patch' } });
    assert.equal(customInput('{"input":"a\\nb"}'), 'a\nb');
    assert.equal(customInput('*** Begin Patch'), '*** Begin Patch');
    assert.equal(customInput('{"patch":"x"}'), '{"patch":"x"}');
    const request = base({ tools: [{ type: 'namespace', name: 'functions', tools: [{ ...patch, name: 'exec' }] }] });
    const ctx: ResponseContext = { model: 'm', createdAt: 1, id: 'resp_x', request, store: false, ...planTools(request) };
    const call = { id: 'c1', type: 'function', function: { name: 'functions__exec', arguments: '{"input":"go"}' } };
    const res = chatToResponse({ choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }] }, ctx);
    assert.deepEqual(res.output, [{ type: 'custom_tool_call', id: 'ctc_x_0', call_id: 'c1', name: 'exec', namespace: 'functions', input: 'go', status: 'completed' }]);
  });

  it('reads the input out of streamed arguments, escapes and surrogate pairs split anywhere', () => {
    const args = JSON.stringify({ input: 'a "b"\n\u00e9 😀 end' }).replace('é', '\\u00e9');
    for (let cut = 1; cut < args.length; cut++) {
      const { deltas, input, rest } = read([args.slice(0, cut), args.slice(cut)]);
      assert.equal(deltas.join('') + rest, 'a "b"\né 😀 end', `cut at ${cut}`);
      assert.equal(input, 'a "b"\né 😀 end');
      for (const d of deltas) assert.ok(!/[\ud800-\udbff]$/.test(d), 'no delta ends inside a character');
    }
    assert.deepEqual(read(['{ "input" :', ' "x', 'y"}']), { deltas: ['x', 'y'], input: 'xy', rest: '' });
    assert.deepEqual(read(['{"patch":', '"x"}']), { deltas: [], input: '{"patch":"x"}', rest: '{"patch":"x"}' }, 'another shape: all at the end');
  });
});

describe('additional_tools, tool search', () => {
  const exec = { type: 'function', name: 'exec', parameters: { type: 'object' } };

  it('additional_tools joins the request tools, hosted ones dropped once; a later definition replaces an earlier one', () => {
    const input = [
      { type: 'additional_tools', role: 'developer', tools: [{ type: 'namespace', name: 'fs', tools: [patch, exec] }, { type: 'web_search' }] },
      { type: 'message', role: 'user', content: 'Hi' },
      { type: 'additional_tools', role: 'developer', tools: [{ ...exec, description: 'newer' }, { type: 'web_search' }] },
    ];
    const plan = planTools(base({ input, tools: [exec] }));
    assert.deepEqual(plan.tools!.map((t) => [t.function.name, t.function.description]), [['exec', 'newer'], ['fs__apply_patch', 'Edit files.'], ['fs__exec', undefined]]);
    assert.deepEqual(plan.warnings.map((w) => w.code), ['tool_dropped']);
    assert.deepEqual(responsesToChat(base({ input })).messages, [{ role: 'user', content: 'Hi' }]);
    assertBadRequest(base({ input: [{ type: 'additional_tools', tools: [exec, exec] }] }), 'input[0].tools[1].name', /Two tools/);
    assertBadRequest(base({ input: [{ type: 'additional_tools', tools: 'x' }] }), 'input[0].tools');
  });

  it('a client tool search is the function tool_search (default parameters when none); a server one stays dropped', () => {
    const client = planTools(base({ tools: [{ type: 'tool_search', execution: 'client' }] }));
    assert.deepEqual(client.tools!.map((t) => t.function.name), ['tool_search']);
    assert.deepEqual(client.tools![0]!.function.parameters!.required, ['query']);
    assert.deepEqual(client.warnings, []);
    const server = planTools(base({ tools: [{ type: 'tool_search' }, exec] }));
    assert.deepEqual(server.tools!.map((t) => t.function.name), ['exec']);
    assert.match(server.warnings[0]!.message, /"tool_search"/);
    assertBadRequest(base({ tools: [{ type: 'tool_search' }], tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'tool_search' }] } }), 'tool_choice.tools');
    assertBadRequest(base({ tools: [{ type: 'tool_search', execution: 'client', parameters: 'q' }] }), 'tools[0].parameters');
  });

  it('a custom_tool_call needs its input; its output needs a call_id', () => {
    assertBadRequest(base({ input: [{ type: 'custom_tool_call', call_id: 'c', name: 'apply_patch' }] }), 'input[0].input');
    assertBadRequest(base({ input: [{ type: 'custom_tool_call_output', output: 'ok' }] }), 'input[0].call_id', /custom_tool_call_output/);
  });
});
