import { useState, type FormEvent } from 'react';
import type { ApiError } from '../api/client';
import { useRedeemPromo } from '../api/promo';
import { useLang } from '../i18n';
import { formatRub } from '../lib/money';
import { Field } from './Field';
import { FormError } from './States';

/** The server's refusals in the reader's language (its messages are English); anything else as sent. */
export function promoRefusal(error: ApiError, t: (key: string, options?: Record<string, unknown>) => string): string | undefined {
  if (error.status === 404) return t('promo.errors.unknown');
  if (error.status === 403 && /new accounts/i.test(error.message)) return t('promo.errors.notNew');
  if (error.status === 429) return error.retryAfter ? t('errors.throttled', { seconds: error.retryAfter }) : t('promo.errors.throttled');
  if (error.status !== 409) return undefined;
  if (/expired/i.test(error.message)) return t('promo.errors.expired');
  if (/disabled/i.test(error.message)) return t('promo.errors.disabled');
  if (/used up/i.test(error.message)) return t('promo.errors.usedUp');
  if (/already/i.test(error.message)) return t('promo.errors.already');
  return undefined;
}

/** A box to redeem a promo code: the amount credited shows at once, with the balance and ledger refreshed. */
export function PromoRedeem() {
  const { t, lang } = useLang();
  const redeem = useRedeemPromo();
  const [code, setCode] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim() || redeem.isPending) return;
    redeem.mutate(code.trim(), { onSuccess: () => setCode('') });
  };

  return (
    <section className="panel" aria-labelledby="promo-title" data-testid="promo-redeem">
      <h2 id="promo-title" className="panel-title">{t('promo.redeemTitle')}</h2>
      <form className="form form-inline" onSubmit={submit} noValidate data-testid="promo-form">
        <Field
          label={t('promo.codeLabel')}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          placeholder="TG-XXXX-XXXX"
          maxLength={100}
          autoComplete="off"
          spellCheck={false}
          testId="promo-code"
        />
        <button type="submit" className="btn btn-primary" disabled={!code.trim() || redeem.isPending} data-testid="promo-submit">
          {t('promo.redeem')}
        </button>
      </form>
      <FormError error={redeem.error} testId="promo-error" translate={(error) => promoRefusal(error, t)} />
      {redeem.isSuccess && (
        <p className="notice notice-success" role="status" data-testid="promo-success">
          {t('promo.credited', { amount: formatRub(redeem.data.amount_micro, lang, { precision: 'precise' }) })}
        </p>
      )}
    </section>
  );
}
