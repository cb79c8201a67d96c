import { useEffect, useState, type FormEvent } from 'react';
import { usePutSettings, useSettings } from '../../api/admin';
import { Field } from '../../components/Field';
import { ErrorState, FormError, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatScaled, multiplyDecimals, parseDecimal } from '../../lib/money';

const DECIMAL = /^[0-9]+(\.[0-9]{1,6})?$/;

/** The USD→RUB rate and the markup, with what $1 per 1M tokens becomes for a customer. */
export function RateSettings() {
  const { t, lang } = useLang();
  const settings = useSettings();
  const save = usePutSettings();
  const [rate, setRate] = useState('');
  const [markup, setMarkup] = useState('');
  useEffect(() => {
    if (!settings.data) return;
    setRate(settings.data.usd_rub_rate ?? '');
    setMarkup(settings.data.markup);
  }, [settings.data]);

  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  const normalized = (text: string) => text.trim().replace(',', '.');
  const rateOk = DECIMAL.test(normalized(rate)) && (parseDecimal(normalized(rate))?.units ?? 0n) > 0n;
  const markupOk = DECIMAL.test(normalized(markup)) && (parseDecimal(normalized(markup))?.units ?? 0n) > 0n;
  const preview = rateOk && markupOk ? multiplyDecimals('1', normalized(rate), normalized(markup)) : null;
  const changed = normalized(rate) !== (settings.data.usd_rub_rate ?? '') || normalized(markup) !== settings.data.markup;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!rateOk || !markupOk) return;
    save.mutate({ usd_rub_rate: normalized(rate), markup: normalized(markup) });
  };

  return (
    <section className="panel" aria-labelledby="rate-title">
      <h2 id="rate-title" className="panel-title">{t('console.rateTitle')}</h2>
      <form className="form form-inline" onSubmit={submit} noValidate data-testid="rate-form">
        <Field
          label={t('console.rate')}
          inputMode="decimal"
          value={rate}
          onChange={(e) => setRate(e.target.value)}
          hint={settings.data.usd_rub_rate_source ? t(`console.rateSource.${settings.data.usd_rub_rate_source}`) : t('console.noRate')}
          error={rate && !rateOk ? t('console.decimalInvalid') : null}
          testId="rate-input"
        />
        <Field label={t('console.markup')} inputMode="decimal" value={markup} onChange={(e) => setMarkup(e.target.value)} hint={t('console.markupHint')} error={markup && !markupOk ? t('console.decimalInvalid') : null} testId="markup-input" />
        <div className="preview" data-testid="rate-preview" aria-live="polite">
          <p className="card-label">{t('console.previewLabel')}</p>
          <p className="card-value card-value-small">{preview ? `${formatScaled(preview, lang, 2, 4)} ₽` : '—'}</p>
        </div>
        <button type="submit" className="btn btn-primary" disabled={!changed || !rateOk || !markupOk || save.isPending} data-testid="rate-save">
          {t('common.save')}
        </button>
      </form>
      <FormError error={save.error} testId="rate-error" />
      {save.isSuccess && !changed && <p className="notice notice-success" role="status" data-testid="rate-saved">{t('console.rateSaved')}</p>}
    </section>
  );
}
