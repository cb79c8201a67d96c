import { badRequest, notFound } from '../../core/errors.js';
import type { AnswerWarning, BridgeObserver } from '../../dialects/index.js';
import type { Clock } from '../../lib/clock.js';
import { isJsonObject } from '../../lib/json-value.js';
import type { Logger } from '../../observability/log.js';
import type { ResponseCaps, ResponsesRepo, StoredResponseRow } from '../../store/index.js';
import type { Principal } from '../auth/authenticator.js';

/** What the store keeps: `0` retention days turns it off (every bridged response then says `store: false`). */
export interface ResponsesStoreConfig {
  retentionDays: number;
  /** A response whose JSON (with its input items) is larger is not stored; its answer says so. */
  maxResponseBytes: number;
  perKey: ResponseCaps;
  pruneEveryMs: number;
}

/** What a stored row's `data` holds. */
interface StoredData {
  /** The Response object as the client received it. */
  response: { id: string; output?: unknown[]; [field: string]: unknown };
  /** Every input item the model saw (the previous responses' items, references resolved). */
  input: unknown[];
  /** Tool call id → the provider's side field (`extra_content`: Gemini's thought signature). */
  extras: Record<string, unknown>;
}

const DAY_MS = 86_400_000;
/** Output item ids are derived from their response's (`responses-response.ts` `itemIds`). */
const ITEM_ID = /^(?:msg|fc|ctc|tsc|rs)_([0-9a-z]+)(?:_\d+)?$/;
/** Items that are a tool call of the chat model's, which may have a provider side field. */
const CALL_ITEMS = new Set(['function_call', 'custom_tool_call', 'tool_search_call']);
const isCall = (item: unknown): item is Record<string, unknown> & { call_id: string } =>
  isJsonObject(item) && typeof item.type === 'string' && CALL_ITEMS.has(item.type) && typeof item.call_id === 'string';

/**
 * The response store of `/v1/responses` on bridged providers (Anthropic, Gemini, chat-only OpenAI-compatible
 * upstreams), the state OpenAI's API promises: `previous_response_id` and `item_reference` are expanded into
 * the items they name before the bridge; the final Response is kept per key with its input items and
 * the tool calls' provider side fields. A response is found only by the key that made it (any other id
 * reads as not found), and only before it expires. Writes happen after the answer, off the hot path: until
 * one is committed, the response is served from memory, so a client's next step can name it at once.
 */
export class ResponsesStore {
  private readonly pending = new Map<string, { row: StoredResponseRow; data: StoredData; written: Promise<void> }>();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: ResponsesRepo,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly config: ResponsesStoreConfig,
  ) {
    if (this.enabled) {
      this.timer = setInterval(() => this.prune(), config.pruneEveryMs);
      this.timer.unref();
    }
  }

  get enabled(): boolean {
    return this.config.retentionDays > 0;
  }

  /**
   * The request as the bridge reads it: the items of `previous_response_id` (its input, then its output)
   * before the new input, and each `item_reference` replaced by the item it names. Unchanged when it names
   * nothing stored. An id this key did not store reads as not found.
   */
  async expand(principal: Principal, request: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>>> {
    const previous = request['previous_response_id'];
    const input = request['input'];
    const references = Array.isArray(input) && input.some((item) => isJsonObject(item) && item.type === 'item_reference');
    if ((previous === undefined || previous === null || previous === '') && !references) return request;
    const loaded = new Map<string, StoredData | undefined>();
    const load = async (id: string) => {
      if (!loaded.has(id)) loaded.set(id, await this.load(principal, id));
      return loaded.get(id);
    };
    const items: unknown[] = [];
    if (previous !== undefined && previous !== null && previous !== '') {
      if (typeof previous !== 'string') throw badRequest("'previous_response_id' must be a string.", 'previous_response_id');
      const stored = await load(previous);
      if (!stored) throw badRequest(`Previous response with id '${previous}' not found.`, 'previous_response_id');
      items.push(...stored.input, ...outputItems(stored));
    }
    const fresh = typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? input : [];
    for (const [i, item] of fresh.entries()) {
      if (!isJsonObject(item) || item.type !== 'item_reference') {
        items.push(item);
        continue;
      }
      items.push(await this.referenced(item.id, `input[${i}]`, load));
    }
    const { previous_response_id: _previous, ...rest } = request;
    return { ...rest, input: withKnownExtras(items, [...loaded.values()]) };
  }

  /** The bridge's observer for this call (undefined when nothing is to be stored): keeps the final Response. */
  observer(principal: Principal, request: Readonly<Record<string, unknown>>, expanded: Readonly<Record<string, unknown>>): BridgeObserver | undefined {
    if (!this.enabled || request['store'] === false) return undefined;
    const rawInput = expanded['input'];
    const items = typeof rawInput === 'string' ? [{ role: 'user', content: rawInput }] : Array.isArray(rawInput) ? rawInput : [];
    // Input items as OpenAI lists them: a message is typed as one.
    const input = items.map((item) => (isJsonObject(item) && item.type === undefined ? { type: 'message', ...item } : item));
    return ({ answer, toolCallExtras }) => this.keep(principal, { response: answer as StoredData['response'], input, extras: { ...toolCallExtras } });
  }

  /** `GET /v1/responses/{id}`. */
  async get(principal: Principal, id: string): Promise<object> {
    return (await this.found(principal, id)).response;
  }

  /** `GET /v1/responses/{id}/input_items`, newest first unless `order` is `asc`. */
  async inputItems(principal: Principal, id: string, order: unknown): Promise<object> {
    const items = (await this.found(principal, id)).input.map((item) => (isJsonObject(item) ? stripExtras(item) : item));
    if (order !== 'asc') items.reverse();
    const ids = items.map((item) => (isJsonObject(item) && typeof item.id === 'string' ? item.id : null));
    return { object: 'list', data: items, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null, has_more: false };
  }

  /** `DELETE /v1/responses/{id}`. */
  async delete(principal: Principal, id: string): Promise<object> {
    await this.pending.get(id)?.written;
    if (!(await this.repo.delete(principal.keyId, id, this.clock.now()))) throw notFoundResponse(id);
    return { id, object: 'response.deleted', deleted: true };
  }

  /** Waits for the writes under way, and stops pruning. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.pending.values()].map((p) => p.written));
  }

  private async found(principal: Principal, id: string): Promise<StoredData> {
    const stored = await this.load(principal, id);
    if (!stored) throw notFoundResponse(id);
    return stored;
  }

  private async load(principal: Principal, id: string): Promise<StoredData | undefined> {
    const now = this.clock.now();
    const pending = this.pending.get(id);
    if (pending) return pending.row.key_id === principal.keyId && pending.row.expires_at > now ? pending.data : undefined;
    const row = await this.repo.find(principal.keyId, id, now);
    return row ? (JSON.parse(row.data) as StoredData) : undefined;
  }

  /** The item an `item_reference` names: an output item (by the response its id derives from) of this key's. */
  private async referenced(id: unknown, param: string, load: (id: string) => Promise<StoredData | undefined>): Promise<unknown> {
    if (typeof id !== 'string' || id === '') throw badRequest('An item_reference needs an `id`.', `${param}.id`);
    const match = ITEM_ID.exec(id);
    const stored = match ? await load(`resp_${match[1]}`) : undefined;
    const item = stored ? [...outputItems(stored), ...stored.input].find((it) => isJsonObject(it) && it.id === id) : undefined;
    if (!item) throw badRequest(`Item with id '${id}' not found.`, param);
    return item;
  }

  /** Called as the answer ends: the row goes to the store in the background; warnings when it cannot be kept. */
  private keep(principal: Principal, data: StoredData): readonly AnswerWarning[] {
    const text = JSON.stringify(data);
    const size = Buffer.byteLength(text);
    if (size > this.config.maxResponseBytes) {
      const message = `This response and its input are ${size} bytes, over the response store's limit of ${this.config.maxResponseBytes}: it was not stored, so previous_response_id and item_reference cannot name it.`;
      return [{ code: 'not_stored', message }];
    }
    const now = this.clock.now();
    const row: StoredResponseRow = {
      id: data.response.id,
      key_id: principal.keyId,
      user_id: principal.userId,
      model: typeof data.response['model'] === 'string' ? data.response['model'] : '',
      created_at: now,
      expires_at: now + this.config.retentionDays * DAY_MS,
      size_bytes: size,
      data: text,
    };
    const written = this.repo
      .save(row, this.config.perKey)
      .catch((err: unknown) => this.log.warn({ err, response: row.id }, 'storing a response failed'))
      .finally(() => this.pending.delete(row.id));
    this.pending.set(row.id, { row, data, written });
    return [];
  }

  private prune(): void {
    this.repo.prune(this.clock.now()).catch((err: unknown) => this.log.warn({ err }, 'pruning stored responses failed'));
  }
}

/** A stored response's output items as input items, each tool call with the side field it came with. */
function outputItems(stored: StoredData): unknown[] {
  const output = Array.isArray(stored.response.output) ? stored.response.output : [];
  return output.map((item) => {
    if (!isCall(item)) return item;
    const extra = stored.extras[item.call_id];
    return extra === undefined ? item : { ...item, extra_content: extra };
  });
}

/**
 * Tool calls the client sent back as items (the AI SDK does, next to references to the text around
 * them) get the side field the store kept for their call id, when one of the responses read has it.
 */
function withKnownExtras(items: unknown[], stored: ReadonlyArray<StoredData | undefined>): unknown[] {
  const known = stored.filter((s): s is StoredData => s !== undefined);
  if (known.length === 0) return items;
  return items.map((item) => {
    if (!isCall(item) || item.extra_content !== undefined) return item;
    const extra = known.map((s) => s.extras[item.call_id]).find((e) => e !== undefined);
    return extra === undefined ? item : { ...item, extra_content: extra };
  });
}

function stripExtras(item: Record<string, unknown>): Record<string, unknown> {
  const { extra_content: _extra, ...rest } = item;
  return rest;
}

function notFoundResponse(id: string) {
  return notFound(`Response with id '${id}' not found.`);
}
