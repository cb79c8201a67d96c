import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useBalance } from '../../api/cabinet';
import { ApiError } from '../../api/client';
import { ORDER_POLL_FOR_MS, useReturnedOrder, type Order } from '../../api/payments';
import { ErrorState } from '../../components/States';
import { useLang } from '../../i18n';
import { formatRub } from '../../lib/money';
import { failureText } from '../../lib/topup';

/**
 * Back from the payment page (/topup?order=<id>): the order is asked about every 1.5 s while it is pending
 * (for two minutes at most), then the outcome: the amount credited and the new balance, or why it failed.
 */
export function TopupReturn({ id }: { id: string }) {
  const { t } = useLang();
  const [startedAt] = useState(() => Date.now());
  const [gaveUp, setGaveUp] = useState(false);
  const order = useReturnedOrder(id, startedAt);
  useEffect(() => {
    const timer = setTimeout(() => setGaveUp(true), ORDER_POLL_FOR_MS);
    return () => clearTimeout(timer);
  }, []);

  if (order.isError) {
    if (order.error instanceof ApiError && order.error.status === 404) {
      return (
        <p className="notice notice-warning" role="alert" data-testid="topup-result" data-status="not_found">
          {t('payments.result.notFound')}
        </p>
      );
    }
    return <ErrorState error={order.error} />;
  }
  const status = order.data?.status ?? 'pending';
  return (
    <section className="topup-result" aria-live="polite" data-testid="topup-result" data-status={status}>
      {!order.data || status === 'pending' ? (
        <div className={gaveUp ? 'notice notice-info' : 'notice notice-info notice-busy'} role="status">
          {!gaveUp && <span className="spinner" aria-hidden="true" />}
          {gaveUp ? t('payments.result.stillPending') : t('payments.result.checking')}
        </div>
      ) : (
        <Outcome order={order.data} />
      )}
    </section>
  );
}

function Outcome({ order }: { order: Order }) {
  const { t, lang } = useLang();
  const balance = useBalance();
  if (order.status === 'succeeded') {
    return (
      <div className="notice notice-success" role="status">
        <p className="result-title" data-testid="topup-result-text">{t('payments.result.succeeded', { amount: formatRub(order.amount_micro, lang) })}</p>
        {balance.data && !balance.isFetching && (
          <p data-testid="topup-result-balance">{t('payments.result.newBalance', { balance: formatRub(balance.data.available_micro, lang) })}</p>
        )}
      </div>
    );
  }
  const reason = order.status === 'canceled' ? failureText(order.failure_reason, t) : null;
  return (
    <div className="notice notice-warning" role="alert">
      <p className="result-title" data-testid="topup-result-text">{t(`payments.result.${order.status}`)}</p>
      {reason && <p data-testid="topup-result-reason">{reason}</p>}
      <Link to="/topup" className="btn btn-small" data-testid="topup-try-again">
        {t('payments.result.tryAgain')}
      </Link>
    </div>
  );
}
