import { useState } from 'react';
import { useUsage } from '../../api/cabinet';
import { Chart } from '../../components/Chart';
import { PageHeader } from '../../components/Layout';
import { ErrorState, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatCount } from '../../lib/format';
import { formatRub } from '../../lib/money';
import { spendByModel, totalMicro } from '../../lib/usage-series';

const PERIODS = [7, 30, 90] as const;

export function UsagePage() {
  const { t, lang } = useLang();
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  const usage = useUsage(days);
  const rub = (v: number) => formatRub(Math.round(v * 1e6), lang);
  const count = (v: number) => formatCount(Math.round(v), lang);

  return (
    <>
      <PageHeader
        title={t('usage.title')}
        subtitle={t('usage.subtitle')}
        actions={
          <div className="segmented" role="group" aria-label={t('usage.period')} data-testid="usage-period">
            {PERIODS.map((period) => (
              <button key={period} type="button" aria-pressed={days === period} className={days === period ? 'active' : ''} onClick={() => setDays(period)} data-testid={`usage-days-${period}`}>
                {t('usage.days', { count: period })}
              </button>
            ))}
          </div>
        }
      />
      {usage.isPending ? (
        <Loading />
      ) : usage.isError ? (
        <ErrorState error={usage.error} onRetry={() => void usage.refetch()} />
      ) : (
        <>
          <section className="cards" aria-label={t('usage.totals')}>
            <div className="card">
              <p className="card-label">{t('usage.spend')}</p>
              <p className="card-value" data-testid="usage-total-spend">{formatRub(totalMicro(usage.data.days), lang)}</p>
            </div>
            <div className="card">
              <p className="card-label">{t('usage.requests')}</p>
              <p className="card-value" data-testid="usage-total-requests">{formatCount(usage.data.days.reduce((s, d) => s + d.requests, 0), lang)}</p>
            </div>
            <div className="card">
              <p className="card-label">{t('usage.tokens')}</p>
              <p className="card-value">{formatCount(usage.data.days.reduce((s, d) => s + d.input_tokens + d.output_tokens, 0), lang)}</p>
            </div>
          </section>
          <section className="panel">
            <Chart title={t('usage.spendChart')} days={usage.data.days.map((d) => d.date)} series={spendByModel(usage.data.days, t('usage.otherModels'))} kind="stacked" format={rub} testId="usage-chart-spend" />
          </section>
          <div className="grid-2">
            <section className="panel">
              <Chart
                title={t('usage.tokensChart')}
                days={usage.data.days.map((d) => d.date)}
                series={[
                  { label: t('usage.inputTokens'), values: usage.data.days.map((d) => d.input_tokens) },
                  { label: t('usage.outputTokens'), values: usage.data.days.map((d) => d.output_tokens) },
                ]}
                kind="line"
                integer
                format={count}
                testId="usage-chart-tokens"
              />
            </section>
            <section className="panel">
              <Chart
                title={t('usage.requestsChart')}
                days={usage.data.days.map((d) => d.date)}
                series={[
                  { label: t('usage.requests'), values: usage.data.days.map((d) => d.requests) },
                  { label: t('usage.errors'), values: usage.data.days.map((d) => d.errors) },
                ]}
                kind="line"
                integer
                format={count}
                testId="usage-chart-requests"
              />
            </section>
          </div>
        </>
      )}
    </>
  );
}
