import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useCreatePromo, useDisablePromo, usePromoCode, usePromoCodes, type PromoCode } from '../../api/promo';
import { Dialog } from '../../components/Dialog';
import { Checkbox, Field } from '../../components/Field';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatDate, formatDateTime } from '../../lib/format';
import { formatRub, parseRubToMicro } from '../../lib/money';

const TONE: Record<PromoCode['status'], string> = { active: 'ok', disabled: 'muted', expired: 'muted', used_up: 'warn' };
const CODE = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{1,62}[A-Za-z0-9])?$/;

/** Promo codes: create one, see each code's uses and status, disable it, and who redeemed it. */
export default function ConsolePromo() {
  const { t } = useLang();
  const [viewing, setViewing] = useState<string | null>(null);
  return (
    <>
      <PageHeader title={t('promo.consoleTitle')} subtitle={t('promo.consoleSubtitle')} />
      <PromoForm />
      <PromoList onView={setViewing} />
      <Redemptions id={viewing} onClose={() => setViewing(null)} />
    </>
  );
}

interface Draft {
  code: string;
  amount: string;
  uses: string;
  expires: string;
  newOnly: boolean;
  note: string;
}
const EMPTY: Draft = { code: '', amount: '', uses: '1', expires: '', newOnly: false, note: '' };

/** What the form would send, or null while a field is invalid. */
function bodyOf(draft: Draft, today: string) {
  const micro = parseRubToMicro(draft.amount);
  const ok = {
    amount: micro !== null && micro > 0n && micro <= 1_000_000_000_000_000n,
    uses: /^\d{1,9}$/.test(draft.uses.trim()) && Number(draft.uses) >= 1,
    code: draft.code.trim() === '' || CODE.test(draft.code.trim()),
    expires: draft.expires === '' || draft.expires >= today,
  };
  const body = {
    ...(draft.code.trim() ? { code: draft.code.trim() } : {}),
    amount: draft.amount.trim().replace(',', '.'),
    max_uses: Number(draft.uses),
    expires_at: draft.expires ? `${draft.expires}T23:59:59.000Z` : null,
    new_users_only: draft.newOnly,
    note: draft.note.trim() || null,
  };
  return { ok, micro, body: ok.amount && ok.uses && ok.code && ok.expires ? body : null };
}

function PromoForm() {
  const { t, lang } = useLang();
  const create = useCreatePromo();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [touched, setTouched] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const today = new Date().toISOString().slice(0, 10);
  const { ok, micro, body } = bodyOf(draft, today);
  const { code, amount, uses, expires, newOnly, note } = draft;
  const [amountOk, usesOk, codeOk, expiresOk] = [ok.amount, ok.uses, ok.code, ok.expires];
  const setCode = (v: string) => set('code', v);
  const setAmount = (v: string) => set('amount', v);
  const setUses = (v: string) => set('uses', v);
  const setExpires = (v: string) => set('expires', v);
  const setNewOnly = (v: boolean) => set('newOnly', v);
  const setNote = (v: string) => set('note', v);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!body) return;
    create.mutate(body, {
      onSuccess: () => {
        setDraft(EMPTY);
        setTouched(false);
      },
    });
  };

  return (
    <section className="panel" aria-labelledby="promo-create-title">
      <h2 id="promo-create-title" className="panel-title">{t('promo.createTitle')}</h2>
      <form className="form" onSubmit={submit} noValidate data-testid="promo-create-form">
        <div className="form-row">
          <Field label={t('promo.code')} value={code} onChange={(e) => setCode(e.target.value)} placeholder="TG-XXXX-XXXX" hint={t('promo.codeHint')} error={touched && !codeOk ? t('promo.codeInvalid') : null} maxLength={64} autoComplete="off" testId="promo-create-code" />
          <Field
            label={t('promo.amount')}
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            placeholder="500"
            hint={amountOk && micro !== null ? formatRub(micro, lang, { precision: 'precise' }) : t('promo.amountHint')}
            error={touched && !amountOk ? t('keys.amountInvalid') : null}
            testId="promo-create-amount"
          />
        </div>
        <div className="form-row">
          <Field label={t('promo.maxUses')} inputMode="numeric" value={uses} onChange={(e) => setUses(e.target.value)} hint={t('promo.maxUsesHint')} error={touched && !usesOk ? t('promo.maxUsesInvalid') : null} testId="promo-create-uses" />
          <Field label={t('promo.expires')} type="date" value={expires} min={today} onChange={(e) => setExpires(e.target.value)} hint={t('promo.expiresHint')} error={touched && !expiresOk ? t('keys.expiresPast') : null} testId="promo-create-expires" />
        </div>
        <Checkbox label={t('promo.newUsersOnly')} hint={t('promo.newUsersOnlyHint')} checked={newOnly} onChange={(e) => setNewOnly(e.target.checked)} testId="promo-create-new-only" />
        <Field label={t('promo.note')} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} testId="promo-create-note" />
        <FormError error={create.error} testId="promo-create-error" />
        <div>
          <button type="submit" className="btn btn-primary" disabled={create.isPending} data-testid="promo-create-submit">
            {t('promo.create')}
          </button>
        </div>
      </form>
      {create.isSuccess && (
        <p className="notice notice-success" role="status" data-testid="promo-created">
          {t('promo.created', { code: create.data.code })}
        </p>
      )}
    </section>
  );
}

function PromoList({ onView }: { onView: (id: string) => void }) {
  const { t } = useLang();
  const codes = usePromoCodes();
  const disable = useDisablePromo();
  if (codes.isPending) return <Loading />;
  if (codes.isError) return <ErrorState error={codes.error} onRetry={() => void codes.refetch()} />;
  if (codes.data.data.length === 0) return <EmptyState title={t('promo.none')} testId="promo-empty" />;
  return (
    <section className="panel" aria-labelledby="promo-list-title">
      <h2 id="promo-list-title" className="panel-title">{t('promo.listTitle')}</h2>
      <FormError error={disable.error} testId="promo-disable-error" />
      <div className="table-wrap">
        <table className="table" data-testid="promo-table">
          <thead>
            <tr>
              <th scope="col">{t('promo.code')}</th>
              <th scope="col">{t('promo.amount')}</th>
              <th scope="col">{t('promo.uses')}</th>
              <th scope="col">{t('promo.expires')}</th>
              <th scope="col">{t('promo.statusLabel')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {codes.data.data.map((code) => (
              <PromoRow key={code.id} code={code} onView={() => onView(code.id)} onDisable={() => disable.mutate(code.id)} disabling={disable.isPending && disable.variables === code.id} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PromoRow({ code, onView, onDisable, disabling }: { code: PromoCode; onView: () => void; onDisable: () => void; disabling: boolean }) {
  const { t, lang } = useLang();
  return (
    <tr data-testid="promo-row" data-code={code.code}>
      <td data-label={t('promo.code')}>
        <code>{code.code}</code>
        {code.new_users_only && <span className="badge badge-info">{t('promo.newOnlyBadge')}</span>}
        {code.note && <p className="muted small">{code.note}</p>}
      </td>
      <td data-label={t('promo.amount')}>{formatRub(code.amount_micro, lang)}</td>
      <td data-label={t('promo.uses')} data-testid="promo-uses">{`${code.uses} / ${code.max_uses}`}</td>
      <td data-label={t('promo.expires')}>{code.expires_at ? formatDate(code.expires_at, lang) : t('promo.never')}</td>
      <td data-label={t('promo.statusLabel')}>
        <span className={`badge badge-${TONE[code.status]}`} data-testid="promo-status" data-status={code.status}>{t(`promo.status.${code.status}`)}</span>
      </td>
      <td data-label={t('common.actions')}>
        <div className="inline-row">
          <button type="button" className="btn btn-small" onClick={onView} data-testid="promo-view">{t('promo.redemptions')}</button>
          {code.status !== 'disabled' && (
            <button type="button" className="btn btn-small btn-danger-ghost" onClick={onDisable} disabled={disabling} data-testid="promo-disable">{t('promo.disable')}</button>
          )}
        </div>
      </td>
    </tr>
  );
}

function Redemptions({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, lang } = useLang();
  const detail = usePromoCode(id);
  const title = detail.data ? t('promo.redemptionsOf', { code: detail.data.code.code }) : t('promo.redemptions');
  return (
    <Dialog open={id !== null} title={title} onClose={onClose} variant="drawer" testId="promo-redemptions">
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      ) : detail.data.redemptions.length === 0 ? (
        <EmptyState title={t('promo.noRedemptions')} />
      ) : (
        <table className="table" data-testid="promo-redemptions-table">
          <thead>
            <tr>
              <th scope="col">{t('console.email')}</th>
              <th scope="col">{t('promo.amount')}</th>
              <th scope="col">{t('common.date')}</th>
            </tr>
          </thead>
          <tbody>
            {detail.data.redemptions.map((r) => (
              <tr key={r.id} data-testid="promo-redemption">
                <td data-label={t('console.email')}><Link to={`/console/users/${encodeURIComponent(r.user_id)}`}>{r.email}</Link></td>
                <td data-label={t('promo.amount')}>{formatRub(r.amount_micro, lang)}</td>
                <td data-label={t('common.date')}>{formatDateTime(r.created_at, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Dialog>
  );
}
