import { useSearchParams } from 'react-router';
import { useBalance } from '../../api/cabinet';
import { PageHeader } from '../../components/Layout';
import { Ledger } from '../../components/Ledger';
import { PromoRedeem } from '../../components/PromoRedeem';
import { ErrorState, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatDecimal, formatRub, formatUsd } from '../../lib/money';
import { TopupOrders } from './TopupOrders';
import { TopupPay } from './TopupPay';
import { TopupReturn } from './TopupReturn';

/**
 * Topping up: online payment when the gateway has a provider (amount → the provider's page → back here with
 * ?order=<id>, where the outcome shows), else how to reach the operator (TOPUP_CONTACT); promo codes either way.
 */
export function TopupPage() {
  const { t, lang } = useLang();
  const balance = useBalance();
  const [params] = useSearchParams();
  const returned = params.get('order');
  const online = balance.data?.topup.available === true;
  return (
    <>
      <PageHeader title={t('topup.title')} subtitle={t('topup.subtitle')} />
      {returned && <TopupReturn key={returned} id={returned} />}
      {balance.isPending ? (
        <Loading />
      ) : balance.isError ? (
        <ErrorState error={balance.error} onRetry={() => void balance.refetch()} />
      ) : (
        <div className="grid-2">
          <section className="card card-accent">
            <p className="card-label">{t('overview.balance')}</p>
            <p className="card-value" data-testid="topup-balance">{formatRub(balance.data.available_micro, lang)}</p>
            <p className="card-note">
              {balance.data.usd_rub_rate ? t('overview.usdAtRate', { usd: formatUsd(balance.data.usd, lang), rate: formatDecimal(balance.data.usd_rub_rate, lang, 2, 4) }) : t('overview.noRate')}
            </p>
          </section>
          {online ? (
            <section className="panel" aria-labelledby="topup-pay-title" data-testid="topup-pay-panel">
              <h2 id="topup-pay-title" className="panel-title">{t('payments.payTitle')}</h2>
              <TopupPay />
            </section>
          ) : (
            <section className="panel" data-testid="topup-contact">
              <h2 className="panel-title">{t('topup.howTitle')}</h2>
              {balance.data.topup.contact ? (
                <>
                  <p>{t('topup.contactIntro')}</p>
                  <p className="contact-box" data-testid="topup-contact-text">{balance.data.topup.contact}</p>
                </>
              ) : (
                <p>{t('topup.noContact')}</p>
              )}
              <p className="muted small">{t('topup.note')}</p>
            </section>
          )}
        </div>
      )}
      <PromoRedeem />
      {online && <TopupOrders />}
      <section className="panel" aria-labelledby="ledger-title">
        <h2 id="ledger-title" className="panel-title">{t('topup.ledger')}</h2>
        <Ledger />
      </section>
    </>
  );
}
