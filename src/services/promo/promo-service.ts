import { randomInt } from 'node:crypto';
import { GatewayError, badRequest, notFound } from '../../core/errors.js';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import { isUniqueViolation, type PromoCodeRow, type PromoRedemptionWithEmail, type PromoRefusal, type Store } from '../../store/index.js';
import * as v from '../accounts/validate.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { RedeemThrottle } from './redeem-throttle.js';

export type PromoStatus = 'active' | 'disabled' | 'expired' | 'used_up';

export interface PromoCodeView {
  id: string;
  code: string;
  amount_micro: number;
  max_uses: number;
  uses: number;
  new_users_only: boolean;
  expires_at: string | null;
  disabled_at: string | null;
  status: PromoStatus;
  note: string | null;
  created_by: string;
  created_at: string;
}

export interface PromoRedemptionView {
  id: string;
  user_id: string;
  email: string;
  amount_micro: number;
  ledger_entry_id: string;
  created_at: string;
}

export interface PromoDetailView {
  code: PromoCodeView;
  redemptions: PromoRedemptionView[];
}

export interface RedeemedView {
  amount_micro: number;
  balance_micro: number;
}

/** Who makes an admin change and from where: written with it to the audit log. */
export interface PromoOrigin {
  actor: AuditActor;
  ip?: string | null;
}

const CREATE_FIELDS = ['code', 'amount', 'max_uses', 'expires_at', 'new_users_only', 'note'] as const;
/** Letters and digits, dashes and underscores between them; compared upper-case. */
const CODE_PATTERN = /^[A-Z0-9](?:[A-Z0-9_-]{1,62}[A-Z0-9])?$/;
/** No 0/O, 1/I/L: a generated code can be read out and typed without a doubt. */
const READABLE = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const MAX_AMOUNT_MICRO = 1e15;
const LIST_LIMIT = 500;

const REFUSALS: Record<PromoRefusal, () => GatewayError> = {
  unknown: () => new GatewayError('TG_ERR_NOT_FOUND', 'Unknown promo code.', 'code'),
  no_user: () => new GatewayError('TG_ERR_NOT_FOUND', 'Unknown promo code.', 'code'),
  expired: () => new GatewayError('TG_ERR_CONFLICT', 'This promo code has expired.', 'code'),
  disabled: () => new GatewayError('TG_ERR_CONFLICT', 'This promo code has been disabled.', 'code'),
  used_up: () => new GatewayError('TG_ERR_CONFLICT', 'This promo code has been used up.', 'code'),
  already_redeemed: () => new GatewayError('TG_ERR_CONFLICT', 'You have already redeemed this promo code.', 'code'),
  not_new_user: () => new GatewayError('TG_ERR_FORBIDDEN', 'This promo code is for new accounts only (created after the code).', 'code'),
};

/**
 * Promo codes: the admin creates, lists, views (with who redeemed) and disables them, each change audited;
 * a customer redeems one in the cabinet, which credits its amount with a `promo` ledger row in the same
 * transaction (store/repos/promo-repo.ts decides between concurrent redeemers). Failed redemptions are
 * throttled per user against guessing.
 */
export class PromoService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly throttle: RedeemThrottle,
  ) {}

  async create(input: unknown, origin: PromoOrigin): Promise<PromoCodeView> {
    const now = this.clock.now();
    const row = this.newRow(input, origin.actor.label, now);
    const explicit = row.code !== '';
    for (let attempt = 0; ; attempt++) {
      if (!explicit) row.code = generateCode();
      try {
        await this.store.promo.insert(row);
        break;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        if (explicit) throw new GatewayError('TG_ERR_CONFLICT', `A promo code ${row.code} already exists.`, 'code');
        if (attempt >= 4) throw err;
      }
    }
    const view = promoView(row, now);
    const { code, amount_micro, max_uses, expires_at, new_users_only, note } = view;
    await this.audit.record({ ...origin, action: 'promo.create', target: row.id, details: { code, amount_micro, max_uses, expires_at, new_users_only, note } });
    return view;
  }

  async list(): Promise<{ data: PromoCodeView[] }> {
    const now = this.clock.now();
    return { data: (await this.store.promo.list(LIST_LIMIT)).map((row) => promoView(row, now)) };
  }

  async detail(id: string): Promise<PromoDetailView> {
    const row = await this.requireCode(id);
    const redemptions = await this.store.promo.redemptions(id);
    return { code: promoView(row, this.clock.now()), redemptions: redemptions.map(redemptionView) };
  }

  /** Nobody can redeem it any more; a second disable changes nothing and is not audited. */
  async disable(id: string, origin: PromoOrigin): Promise<PromoCodeView> {
    const before = await this.requireCode(id);
    const now = this.clock.now();
    const after = (await this.store.promo.disable(id, now)) ?? before;
    if (before.disabled_at === null) {
      await this.audit.record({ ...origin, action: 'promo.disable', target: id, details: { code: after.code, uses: after.uses, max_uses: after.max_uses } });
    }
    return promoView(after, now);
  }

  /** The signed-in customer redeems a code: its amount is credited at once, or a 4xx says why not. */
  async redeem(userId: string, input: unknown): Promise<RedeemedView> {
    const body = v.asObject(input);
    v.rejectUnknown(body, ['code']);
    const text = body['code'];
    if (typeof text !== 'string' || text.trim() === '' || text.length > 100) throw badRequest("'code' must be a promo code.", 'code');
    await this.throttle.check(userId);
    const outcome = await this.store.promo.redeem(text.trim().toUpperCase(), userId, this.clock.now());
    if (!outcome.ok) {
      await this.throttle.fail(userId);
      throw REFUSALS[outcome.reason]();
    }
    // The SQLite store keeps the account's balance in memory: re-read it, as an admin credit does.
    this.store.billing.forget({ userId });
    await this.throttle.succeed(userId);
    return { amount_micro: outcome.redemption.amount_micro, balance_micro: outcome.balanceMicro };
  }

  private async requireCode(id: string): Promise<PromoCodeRow> {
    const row = await this.store.promo.findById(id);
    if (!row) throw notFound(`Promo code ${id} not found.`);
    return row;
  }

  /** The validated row of a create request; `code` is '' when one is to be generated. */
  private newRow(input: unknown, createdBy: string, now: number): PromoCodeRow {
    const body = v.asObject(input);
    v.rejectUnknown(body, CREATE_FIELDS);
    const amountMicro = v.rubles(body['amount'], 'amount');
    if (amountMicro <= 0 || amountMicro > MAX_AMOUNT_MICRO) throw badRequest("'amount' must be a positive amount in rubles.", 'amount');
    const maxUses = body['max_uses'] ?? 1;
    if (typeof maxUses !== 'number' || !Number.isSafeInteger(maxUses) || maxUses < 1 || maxUses > 1e9) {
      throw badRequest("'max_uses' must be a whole number from 1.", 'max_uses');
    }
    const expiresAt = v.optionalTime(body['expires_at'], 'expires_at') ?? null;
    if (expiresAt !== null && expiresAt <= now) throw badRequest("'expires_at' must be in the future.", 'expires_at');
    return {
      id: newId('pro', now),
      code: codeOf(body['code']),
      amount_micro: amountMicro,
      max_uses: maxUses,
      uses: 0,
      new_users_only: v.optionalBoolean(body['new_users_only'], 'new_users_only') ? 1 : 0,
      expires_at: expiresAt,
      disabled_at: null,
      note: v.optionalText(body['note'], 'note', 500) || null,
      created_by: createdBy,
      created_at: now,
    };
  }
}

/** A code as given (trimmed, upper-case), or '' when none was: one is generated. */
function codeOf(value: unknown): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return '';
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!CODE_PATTERN.test(code)) throw badRequest("'code' must be 3 to 64 letters, digits, dashes or underscores.", 'code');
  return code;
}

/** `TG-XXXX-XXXX` from 31 readable characters: about 40 bits, far beyond guessing at the throttle's pace. */
export function generateCode(): string {
  const part = () => Array.from({ length: 4 }, () => READABLE[randomInt(READABLE.length)]).join('');
  return `TG-${part()}-${part()}`;
}

function statusOf(row: PromoCodeRow, now: number): PromoStatus {
  if (row.disabled_at !== null) return 'disabled';
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  return row.uses >= row.max_uses ? 'used_up' : 'active';
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function promoView(row: PromoCodeRow, now: number): PromoCodeView {
  return {
    id: row.id,
    code: row.code,
    amount_micro: row.amount_micro,
    max_uses: row.max_uses,
    uses: row.uses,
    new_users_only: row.new_users_only === 1,
    expires_at: iso(row.expires_at),
    disabled_at: iso(row.disabled_at),
    status: statusOf(row, now),
    note: row.note,
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
  };
}

function redemptionView(row: PromoRedemptionWithEmail): PromoRedemptionView {
  return {
    id: row.id,
    user_id: row.user_id,
    email: row.email,
    amount_micro: row.amount_micro,
    ledger_entry_id: row.ledger_entry_id,
    created_at: new Date(row.created_at).toISOString(),
  };
}
