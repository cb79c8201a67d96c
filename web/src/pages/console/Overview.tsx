import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useAdminOverview } from '../../api/admin';
import { Chart } from '../../components/Chart';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatCount } from '../../lib/format';
import { formatRub } from '../../lib/money';

const PERIODS = [7, 30, 90] as const;

export default function ConsoleOverview() {
  const { t, lang } = useLang();
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  const overview = useAdminOverview(days);
  const data = overview.data;
  const totalMicro = data ? data.days.reduce((sum, d) => sum + BigInt(d.cost_micro), 0n) : 0n;

  return (
    <>
      <PageHeader
        title={t('console.overviewTitle')}
        subtitle={t('console.overviewSubtitle')}
        actions={
          <div className="segmented" role="group" aria-label={t('usage.period')}>
            {PERIODS.map((period) => (
              <button key={period} type="button" aria-pressed={days === period} className={days === period ? 'active' : ''} onClick={() => setDays(period)} data-testid={`console-days-${period}`}>
                {t('usage.days', { count: period })}
              </button>
            ))}
          </div>
        }
      />
      {overview.isPending ? (
        <Loading />
      ) : overview.isError || !data ? (
        <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />
      ) : (
        <>
          <section className="cards" aria-label={t('usage.totals')}>
            <div className="card">
              <p className="card-label">{t('usage.spend')}</p>
              <p className="card-value" data-testid="console-total-spend">{formatRub(totalMicro, lang)}</p>
            </div>
            <div className="card">
              <p className="card-label">{t('usage.requests')}</p>
              <p className="card-value">{formatCount(data.days.reduce((s, d) => s + d.requests, 0), lang)}</p>
            </div>
            <div className="card">
              <p className="card-label">{t('usage.errors')}</p>
              <p className="card-value">{formatCount(data.days.reduce((s, d) => s + d.errors, 0), lang)}</p>
            </div>
          </section>
          <div className="grid-2">
            <section className="panel">
              <Chart title={t('console.spendChart')} days={data.days.map((d) => d.date)} series={[{ label: t('usage.spend'), values: data.days.map((d) => d.cost_micro / 1e6) }]} kind="stacked" format={(v) => formatRub(Math.round(v * 1e6), lang)} testId="console-chart-spend" />
            </section>
            <section className="panel">
              <Chart
                title={t('console.requestsChart')}
                days={data.days.map((d) => d.date)}
                series={[
                  { label: t('usage.requests'), values: data.days.map((d) => d.requests) },
                  { label: t('usage.errors'), values: data.days.map((d) => d.errors) },
                  { label: t('console.activeUsers'), values: data.days.map((d) => d.users_active) },
                ]}
                kind="line"
                integer
                format={(v) => formatCount(Math.round(v), lang)}
                testId="console-chart-requests"
              />
            </section>
          </div>
          <div className="grid-2">
            <TopTable
              title={t('console.topUsers')}
              testId="console-top-users"
              rows={data.top_users.map((u) => ({ key: u.id, name: <Link to={`/console/users/${encodeURIComponent(u.id)}`}>{u.email}</Link>, cost: u.cost_micro, requests: u.requests }))}
            />
            <TopTable title={t('console.topModels')} testId="console-top-models" rows={data.top_models.map((m) => ({ key: m.model ?? '—', name: <code>{m.model ?? '—'}</code>, cost: m.cost_micro, requests: m.requests }))} />
          </div>
        </>
      )}
    </>
  );
}

function TopTable({ title, rows, testId }: { title: string; rows: Array<{ key: string; name: ReactNode; cost: number; requests: number }>; testId: string }) {
  const { t, lang } = useLang();
  return (
    <section className="panel" aria-label={title}>
      <h2 className="panel-title">{title}</h2>
      {rows.length === 0 ? (
        <EmptyState title={t('console.noActivity')} />
      ) : (
        <table className="table" data-testid={testId}>
          <thead>
            <tr>
              <th scope="col">{t('console.name')}</th>
              <th scope="col" className="num">{t('usage.requests')}</th>
              <th scope="col" className="num">{t('usage.spend')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <td data-label={t('console.name')}>{row.name}</td>
                <td data-label={t('usage.requests')} className="num">{formatCount(row.requests, lang)}</td>
                <td data-label={t('usage.spend')} className="num">{formatRub(row.cost, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
