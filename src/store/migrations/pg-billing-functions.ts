import { REQUEST_COLUMNS } from '../request-columns.js';

/**
 * PostgreSQL side of admission and settlement (the SQLite side is `repos/billing-sqlite.ts`: keep the
 * two in step). Each function runs as one statement, so one round trip and one transaction. Every
 * function locks the key row before the account row, so concurrent calls never deadlock.
 *
 * The functions are always created in their latest form (plpgsql bodies bind to tables when they run);
 * a migration that changes a signature drops the superseded one (`PG_SUPERSEDED_FUNCTIONS`).
 */
export const PG_BILLING_FUNCTION_NAMES = ['tollgate_reserve', 'tollgate_settle', 'tollgate_release'] as const;

/** Signatures replaced by later migrations (0005 added the request row to reserve and settle). */
export const PG_SUPERSEDED_FUNCTIONS = [
  'tollgate_reserve(text, text, text, bigint, text, text, bigint, bigint)',
  'tollgate_settle(text, text, text, bigint, text, bigint, text, text, text, bigint)',
];

const UPDATED = REQUEST_COLUMNS.filter((c) => c !== 'id')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/** Writes `p_request` (a requests row as JSON), replacing an earlier version of the same row. */
const UPSERT_REQUEST = `insert into requests select * from jsonb_populate_record(null::requests, v_request)
       on conflict (id) do update set ${UPDATED};`;

export const PG_BILLING_FUNCTIONS = [
  // 'ok', or which limit refused: 'key_budget', 'key_monthly', 'balance' ('key_limit': no such key). With the hold, the request
  // is recorded as in flight (p_request), so a node that dies leaves it in history as interrupted.
  `create or replace function tollgate_reserve(
     p_request_id text, p_user_id text, p_key_id text, p_amount bigint, p_period text,
     p_node_id text, p_now bigint, p_expires_at bigint, p_request jsonb default null)
   returns text language plpgsql as $$
   declare
     v_request jsonb := p_request;
     v_key api_keys%rowtype;
   begin
     update api_keys set held_micro = held_micro + p_amount
      where id = p_key_id
        and (budget_limit_micro is null or budget_limit_micro - budget_used_micro - held_micro >= p_amount)
        and (monthly_limit_micro is null
             or monthly_limit_micro - (case when monthly_period = p_period then monthly_used_micro else 0 end) - held_micro >= p_amount);
     if not found then
       select * into v_key from api_keys where id = p_key_id;
       if not found then return 'key_limit'; end if;
       if v_key.budget_limit_micro is not null and v_key.budget_limit_micro - v_key.budget_used_micro - v_key.held_micro < p_amount then
         return 'key_budget';
       end if;
       return 'key_monthly';
     end if;
     update users set held_micro = held_micro + p_amount
      where id = p_user_id and balance_micro - held_micro >= p_amount;
     if not found then
       update api_keys set held_micro = held_micro - p_amount where id = p_key_id;
       return 'balance';
     end if;
     insert into holds (request_id, user_id, key_id, amount_micro, node_id, created_at, expires_at)
     values (p_request_id, p_user_id, p_key_id, p_amount, p_node_id, p_now, p_expires_at);
     if v_request is not null then
       ${UPSERT_REQUEST}
     end if;
     return 'ok';
   end $$`,

  // Releases the request's hold (if any) and charges min(cost, what the key and account can still pay
  // without touching other requests' holds). Returns the amount charged, or -1 when already charged.
  // p_request, the finished request's history row, is written in the same transaction, its cost being
  // what was charged (so history and ledger never disagree); p_note marks interrupted calls.
  `create or replace function tollgate_settle(
     p_request_id text, p_user_id text, p_key_id text, p_cost bigint, p_cost_usd text, p_usd_nano bigint,
     p_rate text, p_period text, p_ledger_id text, p_now bigint, p_request jsonb default null, p_note text default null)
   returns bigint language plpgsql as $$
   declare
     v_hold bigint;
     v_key api_keys%rowtype;
     v_month_used bigint;
     v_balance bigint;
     v_held bigint;
     v_charge bigint;
     v_after bigint;
     v_request jsonb := p_request;
   begin
     select * into v_key from api_keys where id = p_key_id for update;
     delete from holds where request_id = p_request_id returning amount_micro into v_hold;
     if not found then
       v_hold := 0;
       perform 1 from ledger_entries where request_id = p_request_id and kind = 'charge';
       if found then return -1; end if;
     end if;
     if v_request is not null then
       update api_keys set last_used_at = greatest(coalesce(last_used_at, 0), (v_request->>'created_at')::bigint) where id = p_key_id;
     end if;
     v_month_used := case when v_key.monthly_period = p_period then v_key.monthly_used_micro else 0 end;
     v_charge := greatest(p_cost, 0);
     if v_key.budget_limit_micro is not null then
       v_charge := least(v_charge, greatest(0, v_key.budget_limit_micro - v_key.budget_used_micro - (v_key.held_micro - v_hold)));
     end if;
     if v_key.monthly_limit_micro is not null then
       v_charge := least(v_charge, greatest(0, v_key.monthly_limit_micro - v_month_used - (v_key.held_micro - v_hold)));
     end if;
     select balance_micro, held_micro into v_balance, v_held from users where id = p_user_id for update;
     if p_cost <= 0 then
       update api_keys set held_micro = held_micro - v_hold where id = p_key_id;
       update users set held_micro = held_micro - v_hold where id = p_user_id;
       if v_request is not null then
         ${UPSERT_REQUEST}
       end if;
       return 0;
     end if;
     v_charge := least(v_charge, greatest(0, v_balance - (v_held - v_hold)));
     -- A node whose clock is behind may settle in last month after another started this one: such a
     -- charge counts in the budget but never moves the month back (which would reset this month's use).
     update api_keys
        set held_micro = held_micro - v_hold,
            budget_used_micro = budget_used_micro + v_charge,
            monthly_used_micro = case when monthly_period > p_period then monthly_used_micro else v_month_used + v_charge end,
            monthly_period = case when monthly_period > p_period then monthly_period else p_period end
      where id = p_key_id;
     update users
        set held_micro = held_micro - v_hold, balance_micro = balance_micro - v_charge, updated_at = p_now
      where id = p_user_id
      returning balance_micro into v_after;
     insert into ledger_entries (id, user_id, kind, amount_micro, balance_after_micro, request_id, key_id, note,
                                 created_at, cost_usd, usd_rub_rate, usd_nano)
     values (p_ledger_id, p_user_id, 'charge', -v_charge, v_after, p_request_id, p_key_id,
             nullif(concat_ws('; ', p_note, case when v_charge < p_cost then 'capped: cost ' || p_cost || ' micro-RUB' end), ''),
             p_now, p_cost_usd, p_rate, p_usd_nano);
     if v_request is not null then
       v_request := v_request || jsonb_build_object('cost_micro', v_charge);
       ${UPSERT_REQUEST}
     end if;
     return v_charge;
   end $$`,

  // Releases a hold with no charge (failed call, expiry, orphan). True when there was one.
  `create or replace function tollgate_release(p_request_id text)
   returns boolean language plpgsql as $$
   declare
     v_user text;
     v_key text;
     v_amount bigint;
   begin
     select user_id, key_id, amount_micro into v_user, v_key, v_amount from holds where request_id = p_request_id;
     if not found then return false; end if;
     perform 1 from api_keys where id = v_key for update;
     delete from holds where request_id = p_request_id;
     if not found then return false; end if;
     update api_keys set held_micro = held_micro - v_amount where id = v_key;
     update users set held_micro = held_micro - v_amount where id = v_user;
     return true;
   end $$`,
];
