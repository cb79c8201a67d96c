import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useCreateOrder, useTopupOptions } from '../../api/payments';
import { Field } from '../../components/Field';
import { ErrorState, FormError, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { microToInput } from '../../lib/money';
import { checkTopupAmount, wholeRub } from '../../lib/topup';

/**
 * Pay online: a preset or a typed amount (checked against the gateway's bounds, at most two decimals), then
 * the order is created and the browser goes to the provider's payment page, which sends it back to
 * /topup?order=<id>.
 */
export function TopupPay() {
  const { t, lang } = useLang();
  const options = useTopupOptions();
  const create = useCreateOrder();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [leaving, setLeaving] = useState(false);

  if (options.isPending) return <Loading />;
  if (options.isError) return <ErrorState error={options.error} onRetry={() => void options.refetch()} />;
  const { min_micro: min, max_micro: max, presets_micro: presets } = options.data;
  const check = checkTopupAmount(text, min, max);
  const bounds = { min: wholeRub(min, lang), max: wholeRub(max, lang) };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!check.ok || create.isPending || leaving) return;
    create.mutate(check.wire, {
      onSuccess: (order) => {
        if (!order.confirmation_url) return void navigate(`/topup?order=${encodeURIComponent(order.id)}`);
        setLeaving(true);
        window.location.assign(order.confirmation_url);
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="topup-form">
      <div className="presets" role="group" aria-label={t('payments.presets')}>
        {presets.map((micro) => {
          const value = microToInput(micro);
          return (
            <button
              key={micro}
              type="button"
              className={text.trim() === value ? 'btn btn-preset active' : 'btn btn-preset'}
              aria-pressed={text.trim() === value}
              onClick={() => setText(value)}
              data-testid={`topup-preset-${value}`}
            >
              {wholeRub(micro, lang)}
            </button>
          );
        })}
      </div>
      <Field
        label={t('payments.amountLabel')}
        inputMode="decimal"
        autoComplete="off"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={microToInput(presets[0] ?? min)}
        hint={t('payments.amountHint', bounds)}
        error={touched && !check.ok ? t(`payments.amountErrors.${check.reason}`, bounds) : null}
        testId="topup-amount"
      />
      <FormError error={create.error} testId="topup-pay-error" />
      <div className="inline-row">
        <button type="submit" className="btn btn-primary" disabled={create.isPending || leaving} data-testid="topup-pay">
          {t('payments.pay')}
        </button>
        {(create.isPending || leaving) && (
          <span className="muted small" role="status">
            {t('payments.redirecting')}
          </span>
        )}
      </div>
      <p className="muted small">{t('payments.payNote')}</p>
    </form>
  );
}
