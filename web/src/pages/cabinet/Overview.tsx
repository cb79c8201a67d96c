import { Link } from 'react-router';
import { useBalance, useKeys, useUsage } from '../../api/cabinet';
import { Chart } from '../../components/Chart';
import { PageHeader } from '../../components/Layout';
import { ErrorState, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatDecimal, formatRub, formatUsd } from '../../lib/money';
import { spendByModel, totalMicro } from '../../lib/usage-series';
import { useSession } from '../../api/auth';

function BalanceCards() {
  const { t, lang } = useLang();
  const balance = useBalance();
  const usage = useUsage(30);
  const keys = useKeys();
  const activeKeys = keys.data?.data.filter((k) => k.status === 'active').length;
  if (balance.isPending) return <Loading />;
  if (balance.isError) return <ErrorState error={balance.error} onRetry={() => void balance.refetch()} />;
  return (
    <section className="cards" aria-label={t('overview.balanceSection')}>
      <div className="card card-accent" data-testid="balance-card">
        <p className="card-label">{t('overview.balance')}</p>
        <p className="card-value" data-testid="balance-rub">
          {formatRub(balance.data.available_micro, lang)}
        </p>
        <p className="card-note" data-testid="balance-usd">
          {balance.data.usd_rub_rate
            ? t('overview.usdAtRate', { usd: formatUsd(balance.data.usd, lang), rate: formatDecimal(balance.data.usd_rub_rate, lang, 2, 4) })
            : t('overview.noRate')}
        </p>
        {balance.data.held_micro > 0 && <p className="card-note">{t('overview.held', { amount: formatRub(balance.data.held_micro, lang) })}</p>}
        <Link to="/topup" className="btn btn-primary btn-small" data-testid="overview-topup">
          {t('overview.topup')}
        </Link>
      </div>
      <div className="card" data-testid="month-spend-card">
        <p className="card-label">{t('overview.monthSpend')}</p>
        <p className="card-value" data-testid="month-spend">
          {formatRub(balance.data.month_spend_micro, lang)}
        </p>
        <p className="card-note">
          {usage.data ? t('overview.last30', { amount: formatRub(totalMicro(usage.data.days), lang) }) : '\u00a0'}
        </p>
      </div>
      <div className="card" data-testid="keys-card">
        <p className="card-label">{t('overview.activeKeys')}</p>
        <p className="card-value">{activeKeys ?? '—'}</p>
        <Link to="/keys" className="card-link">
          {t('overview.manageKeys')} →
        </Link>
      </div>
    </section>
  );
}

function SpendChartPanel() {
  const { t, lang } = useLang();
  const usage = useUsage(30);
  return (
    <section className="panel" aria-label={t('overview.chartTitle')}>
      {usage.isPending ? (
        <Loading />
      ) : usage.isError ? (
        <ErrorState error={usage.error} onRetry={() => void usage.refetch()} />
      ) : (
        <Chart
          title={t('overview.chartTitle')}
          days={usage.data.days.map((d) => d.date)}
          series={spendByModel(usage.data.days, t('usage.otherModels'))}
          kind="stacked"
          format={(v) => formatRub(Math.round(v * 1e6), lang)}
          height={200}
          testId="overview-chart"
        />
      )}
    </section>
  );
}

const QUICK_LINKS = [
  { to: '/keys', testId: 'quick-keys', title: 'overview.linkKeys', hint: 'overview.linkKeysHint' },
  { to: '/quickstart', testId: 'quick-quickstart', title: 'overview.linkQuickstart', hint: 'overview.linkQuickstartHint' },
  { to: '/history', testId: 'quick-history', title: 'overview.linkHistory', hint: 'overview.linkHistoryHint' },
  { to: '/models', testId: 'quick-models', title: 'overview.linkModels', hint: 'overview.linkModelsHint' },
] as const;

function QuickLinks() {
  const { t } = useLang();
  return (
    <section className="quick-links" aria-label={t('overview.quickLinks')}>
      {QUICK_LINKS.map((link) => (
        <Link key={link.to} to={link.to} className="quick-link" data-testid={link.testId}>
          <strong>{t(link.title)}</strong>
          <span>{t(link.hint)}</span>
        </Link>
      ))}
    </section>
  );
}

export function OverviewPage() {
  const { t } = useLang();
  const session = useSession();
  return (
    <>
      <PageHeader title={t('overview.title')} subtitle={session.data?.account?.email} />
      <BalanceCards />
      <SpendChartPanel />
      <QuickLinks />
    </>
  );
}
