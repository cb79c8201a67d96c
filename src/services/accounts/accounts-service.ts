import { GatewayError, badRequest, notFound } from '../../core/errors.js';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import { isUniqueViolation, type KeyPatch, type KeyRow, type Store } from '../../store/index.js';
import { generateApiKey } from '../auth/key-material.js';
import { hashPassword } from './passwords.js';
import * as v from './validate.js';
import { keyView, userView, type KeyView, type UserView } from './views.js';
import { LIMIT_FIELDS, limitsOf, type LimitPatch } from './fair-use-fields.js';

export interface CreatedKey extends KeyView {
  /** The secret, returned this once and never again. */
  key: string;
}

const KEY_FIELDS = ['name', 'budget_limit', 'allow_balance', 'models', 'monthly_limit', 'expires_at', ...LIMIT_FIELDS] as const;

/** Users, credits and API keys: what the admin API and the CLI both drive. */
export class AccountsService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Called after a key changes, so cached principals are dropped at once. */
    private readonly onKeyChanged: (keyId: string) => void,
    /** Called after an account's limits change, so its keys' cached principals are dropped. */
    private readonly onUserChanged?: (userId: string) => void,
  ) {}

  async createUser(input: unknown): Promise<UserView> {
    const body = v.asObject(input);
    v.rejectUnknown(body, ['email', 'password']);
    const email = v.email(body['email']);
    const password = v.optionalPassword(body['password']);
    const passwordHash = password === undefined ? null : await hashPassword(password);
    try {
      const row = await this.store.users.insert({ id: newId('usr', this.clock.now()), email, passwordHash, now: this.clock.now() });
      return userView(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new GatewayError('TG_ERR_CONFLICT', `A user with email ${email} already exists.`, 'email');
      throw err;
    }
  }

  /** A user named by id or by email (`ana@example.com`, as the quickstart and the CLI's `--user` take it). */
  async userId(idOrEmail: string): Promise<string> {
    if (!idOrEmail.includes('@')) return idOrEmail;
    const row = await this.store.users.findByEmail(idOrEmail.trim().toLowerCase());
    if (!row) throw notFound(`No user with email ${idOrEmail}.`);
    return row.id;
  }

  async getUser(id: string): Promise<UserView> {
    return userView(await this.requireUser(id));
  }

  async findUsers(query: { email?: string | undefined; limit?: number | undefined; after?: string | undefined }): Promise<UserView[]> {
    if (query.email !== undefined) {
      const row = await this.store.users.findByEmail(query.email.trim().toLowerCase());
      return row ? [userView(row)] : [];
    }
    const rows = await this.store.users.list(Math.min(Math.max(query.limit ?? 100, 1), 1000), query.after);
    return rows.map(userView);
  }

  /**
   * Adds (or, when negative, removes) rubles, with a ledger row in the same transaction. With an
   * idempotency key, a retry moves nothing and gets the first answer; the key reused for another
   * amount or note is a conflict.
   */
  async credit(userId: string, input: unknown, options: { idempotencyKey?: unknown } = {}): Promise<CreditView> {
    const idempotencyKey = v.optionalIdempotencyKey(options.idempotencyKey);
    const body = v.asObject(input);
    v.rejectUnknown(body, ['amount', 'note']);
    const amountMicro = v.rubles(body['amount'], 'amount');
    if (amountMicro === 0) throw badRequest("'amount' must not be zero.", 'amount');
    const note = v.optionalText(body['note'], 'note', 500) ?? null;
    // A debit may not take money held for requests in flight, nor charges not yet written.
    if (amountMicro < 0) await this.store.billing.flush();
    const result = await this.store.ledger.move({
      userId,
      amountMicro,
      kind: amountMicro > 0 ? 'credit' : 'debit',
      note,
      now: this.clock.now(),
      heldElsewhereMicro: this.store.billing.localHolds(userId, '').userMicro,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
    this.store.billing.forget({ userId });
    if (!result.ok && result.reason === 'no_user') throw notFound(`User ${userId} not found.`);
    if (!result.ok && result.reason === 'key_used') {
      const { entry } = result;
      if (entry.amount_micro !== amountMicro || entry.note !== note) {
        throw new GatewayError('TG_ERR_CONFLICT', 'This Idempotency-Key was already used for another amount or note; use a new key for a new credit.', 'Idempotency-Key');
      }
      return creditView(entry.balance_after_micro, entry.id);
    }
    if (!result.ok) throw badRequest('The debit is larger than the balance not held for requests in flight; balances never go below zero.', 'amount');
    return creditView(result.balanceMicro, result.entry.id);
  }

  async createKey(userId: string, input: unknown): Promise<CreatedKey> {
    const body = v.asObject(input ?? {});
    v.rejectUnknown(body, KEY_FIELDS);
    const { row, secret } = await this.insertKey(userId, keySettingsOf(body));
    return { ...keyView(row), key: secret };
  }

  /** A new key for the user with these settings: its row, and the secret (shown once, never stored). */
  async insertKey(userId: string, settings: KeyPatch): Promise<{ row: KeyRow; secret: string }> {
    await this.requireUser(userId);
    const material = generateApiKey();
    const now = this.clock.now();
    const row: KeyRow = {
      id: newId('key', now),
      user_id: userId,
      key_hash: material.hash,
      prefix: material.displayPrefix,
      name: settings.name ?? null,
      status: 'active',
      allow_balance: settings.allow_balance ?? 0,
      budget_limit_micro: settings.budget_limit_micro ?? null,
      budget_used_micro: 0,
      models: settings.models ?? null,
      monthly_limit_micro: settings.monthly_limit_micro ?? null,
      monthly_used_micro: 0,
      monthly_period: null,
      held_micro: 0,
      expires_at: settings.expires_at ?? null,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
      rpm_limit: settings.rpm_limit ?? null,
      tpm_limit: settings.tpm_limit ?? null,
      concurrency_limit: settings.concurrency_limit ?? null,
    };
    await this.store.keys.insert(row);
    return { row, secret: material.key };
  }

  async listKeys(userId: string): Promise<KeyView[]> {
    await this.requireUser(userId);
    return (await this.store.keys.listByUser(userId)).map(keyView);
  }

  async getKey(keyId: string): Promise<KeyView> {
    const row = await this.store.keys.findById(keyId);
    if (!row) throw notFound(`Key ${keyId} not found.`);
    return keyView(row);
  }

  async updateKey(keyId: string, input: unknown): Promise<KeyView> {
    const body = v.asObject(input);
    v.rejectUnknown(body, [...KEY_FIELDS, 'status']);
    const patch = keySettingsOf(body);
    if (body['status'] !== undefined) {
      const status = body['status'];
      if (status !== 'revoked' && status !== 'paused' && status !== 'active') {
        throw badRequest("'status' must be \"active\", \"paused\" or \"revoked\".", 'status');
      }
      patch.status = status;
    }
    return keyView(await this.patchKey(keyId, patch));
  }

  /** Sets the account's own fair-use limits (for all its keys together); its keys see them on their next call. */
  async setUserLimits(userId: string, input: unknown): Promise<UserView> {
    const body = v.asObject(input);
    v.rejectUnknown(body, LIMIT_FIELDS);
    const patch: LimitPatch = limitsOf(body);
    const row = await this.store.users.setLimits(userId, patch, this.clock.now());
    if (!row) throw notFound(`User ${userId} not found.`);
    this.onUserChanged?.(userId);
    return userView(row);
  }

  async revokeKey(keyId: string): Promise<KeyView> {
    return keyView(await this.patchKey(keyId, { status: 'revoked' }));
  }

  /**
   * Changes a key: its settings, and its status (`paused` ⇄ `active`, or `revoked` for good: a revoked key
   * stays revoked, so pausing or resuming it is a conflict). `ownerId`, when given, must own the key;
   * anyone else's key is answered as missing.
   */
  async patchKey(keyId: string, patch: KeyPatch, ownerId?: string): Promise<KeyRow> {
    const existing = await this.store.keys.findById(keyId);
    if (!existing || (ownerId !== undefined && existing.user_id !== ownerId)) throw notFound(`Key ${keyId} not found.`);
    const change: KeyPatch = { ...patch };
    if (existing.status === 'revoked') {
      if (change.status === 'revoked' && Object.keys(change).length === 1) return existing;
      if (change.status !== undefined && change.status !== 'revoked') {
        throw new GatewayError('TG_ERR_CONFLICT', `Key ${keyId} is revoked; a revoked key stays revoked.`, 'status');
      }
      delete change.status;
    } else if (change.status === 'revoked') {
      change.revoked_at = this.clock.now();
    }
    const row = await this.store.keys.update(keyId, change);
    this.onKeyChanged(keyId);
    this.store.billing.forget({ keyId });
    if (!row) throw notFound(`Key ${keyId} not found.`);
    if (change.status !== undefined && row.status !== change.status) {
      throw new GatewayError('TG_ERR_CONFLICT', `Key ${keyId} was revoked meanwhile; a revoked key stays revoked.`, 'status');
    }
    return row;
  }

  private async requireUser(id: string) {
    const row = await this.store.users.findById(id);
    if (!row) throw notFound(`User ${id} not found.`);
    return row;
  }
}

export interface CreditView {
  balance: number;
  balance_micro: number;
  entry_id: string;
}

function creditView(balanceMicro: number, entryId: string): CreditView {
  return { balance: balanceMicro / 1_000_000, balance_micro: balanceMicro, entry_id: entryId };
}

function jsonOrNull(models: string[] | null): string | null {
  return models ? JSON.stringify(models) : null;
}

/** The key settings a body names (rubles in `budget_limit` / `monthly_limit`), validated; absent fields stay absent. */
function keySettingsOf(body: v.Fields): KeyPatch {
  const patch: KeyPatch = {};
  const name = v.optionalText(body['name'], 'name', 100);
  if (name !== undefined) patch.name = name;
  const allowBalance = v.optionalBoolean(body['allow_balance'], 'allow_balance');
  if (allowBalance !== undefined) patch.allow_balance = allowBalance ? 1 : 0;
  const budget = v.optionalLimit(body['budget_limit'], 'budget_limit');
  if (budget !== undefined) patch.budget_limit_micro = budget;
  const models = v.optionalModels(body['models']);
  if (models !== undefined) patch.models = jsonOrNull(models);
  const monthly = v.optionalLimit(body['monthly_limit'], 'monthly_limit');
  if (monthly !== undefined) patch.monthly_limit_micro = monthly;
  const expires = v.optionalTime(body['expires_at'], 'expires_at');
  if (expires !== undefined) patch.expires_at = expires;
  return { ...patch, ...limitsOf(body) };
}
