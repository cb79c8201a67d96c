import { useState, type FormEvent } from 'react';
import type { ApiKey, KeyInput } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { Checkbox, Field } from '../../components/Field';
import { ModelPicker } from '../../components/ModelPicker';
import { RateLimitFields, rateLimitDraftOf, rateLimitsOf, type RateLimitDraft } from '../../components/RateLimitFields';
import { FormError } from '../../components/States';
import { useLang } from '../../i18n';
import { microToInput, parseRubToMicro } from '../../lib/money';

interface KeyFormProps {
  open: boolean;
  /** The key being edited; none: a new key. */
  editing: ApiKey | null;
  busy: boolean;
  error: unknown;
  onSubmit: (input: KeyInput) => void;
  onClose: () => void;
}

interface Draft {
  name: string;
  budget: string;
  monthly: string;
  models: string[];
  expires: string;
  allowBalance: boolean;
  limits: RateLimitDraft;
}

function draftOf(key: ApiKey | null): Draft {
  return {
    name: key?.name ?? '',
    budget: microToInput(key?.budget_limit_micro),
    monthly: microToInput(key?.monthly_limit_micro),
    models: key?.models ?? [],
    expires: key?.expires_at ? key.expires_at.slice(0, 10) : '',
    allowBalance: key?.allow_balance ?? false,
    limits: rateLimitDraftOf(key),
  };
}

/** '' → null (no limit); a positive ruble amount → micro-rubles; anything else → undefined (invalid). */
function limitOf(text: string): number | null | undefined {
  if (text.trim() === '') return null;
  const micro = parseRubToMicro(text);
  if (micro === null || micro <= 0n || micro > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(micro);
}

export function KeyFormDialog(props: KeyFormProps) {
  const { t } = useLang();
  return (
    <Dialog open={props.open} title={props.editing ? t('keys.editTitle') : t('keys.createTitle')} onClose={props.onClose} busy={props.busy} testId="key-form-dialog">
      {/* Remounted per opening, so a draft never leaks from one key to the next. */}
      {props.open && <KeyFormBody key={props.editing?.id ?? 'new'} {...props} />}
    </Dialog>
  );
}

function KeyFormBody({ editing, busy, error, onSubmit, onClose }: KeyFormProps) {
  const { t } = useLang();
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing));
  const [touched, setTouched] = useState(false);
  const set = <K extends keyof Draft>(field: K, value: Draft[K]) => setDraft((d) => ({ ...d, [field]: value }));
  const budget = limitOf(draft.budget);
  const monthly = limitOf(draft.monthly);
  const rateLimits = rateLimitsOf(draft.limits);
  const today = new Date().toISOString().slice(0, 10);
  const expiresInPast = draft.expires !== '' && draft.expires < today;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (budget === undefined || monthly === undefined || rateLimits === undefined || expiresInPast) return;
    onSubmit({
      name: draft.name.trim() || null,
      budget_limit_micro: budget,
      monthly_limit_micro: monthly,
      models: draft.models.length > 0 ? draft.models : null,
      // The end of the chosen day, UTC: a key "valid until 31 Dec" works through the 31st.
      expires_at: draft.expires ? `${draft.expires}T23:59:59.000Z` : null,
      allow_balance: draft.allowBalance,
      ...rateLimits,
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="key-form">
      <Field label={t('keys.name')} value={draft.name} onChange={(e) => set('name', e.target.value)} maxLength={100} placeholder={t('keys.namePlaceholder')} testId="key-name" autoFocus />
      <div className="form-row">
        <Field
          label={t('keys.budget')}
          inputMode="decimal"
          value={draft.budget}
          onChange={(e) => set('budget', e.target.value)}
          hint={t('keys.budgetHint')}
          error={touched && budget === undefined ? t('keys.amountInvalid') : null}
          testId="key-budget"
        />
        <Field
          label={t('keys.monthly')}
          inputMode="decimal"
          value={draft.monthly}
          onChange={(e) => set('monthly', e.target.value)}
          hint={t('keys.monthlyHint')}
          error={touched && monthly === undefined ? t('keys.amountInvalid') : null}
          testId="key-monthly"
        />
      </div>
      <Field
        label={t('keys.expires')}
        type="date"
        min={today}
        value={draft.expires}
        onChange={(e) => set('expires', e.target.value)}
        hint={t('keys.expiresHint')}
        error={touched && expiresInPast ? t('keys.expiresPast') : null}
        testId="key-expires"
      />
      <RateLimitFields draft={draft.limits} onChange={(limits) => set('limits', limits)} touched={touched} testIdPrefix="key-limit" />
      <ModelPicker value={draft.models} onChange={(models) => set('models', models)} />
      <Checkbox label={t('keys.allowBalance')} hint={t('keys.allowBalanceHint')} checked={draft.allowBalance} onChange={(e) => set('allowBalance', e.target.checked)} testId="key-allow-balance" />
      <FormError error={error} testId="key-form-error" />
      <footer className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="key-form-submit">
          {editing ? t('common.save') : t('keys.create')}
        </button>
      </footer>
    </form>
  );
}
