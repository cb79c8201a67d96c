import { useOrders, type Order } from '../../api/payments';
import { OrderBadge } from '../../components/OrderBadge';
import { EmptyState, ErrorState, Loading, Pager } from '../../components/States';
import { useLang } from '../../i18n';
import { useCursor } from '../../lib/cursor';
import { formatDateTime } from '../../lib/format';
import { formatRub } from '../../lib/money';
import { failureText } from '../../lib/topup';

/** The customer's top-up orders, newest first: what was paid, what failed, and a way back to a pending payment. */
export function TopupOrders() {
  const { t } = useLang();
  const cursor = useCursor();
  const page = useOrders(cursor.current);
  return (
    <section className="panel" aria-labelledby="topup-orders-title">
      <h2 id="topup-orders-title" className="panel-title">{t('payments.ordersTitle')}</h2>
      {page.isPending ? (
        <Loading />
      ) : page.isError ? (
        <ErrorState error={page.error} onRetry={() => void page.refetch()} />
      ) : page.data.data.length === 0 && !cursor.canBack ? (
        <EmptyState title={t('payments.noOrders')} testId="topup-orders-empty" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="topup-orders">
              <thead>
                <tr>
                  <th scope="col">{t('common.date')}</th>
                  <th scope="col" className="num">{t('ledger.amount')}</th>
                  <th scope="col">{t('payments.statusLabel')}</th>
                  <th scope="col">{t('payments.details')}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.data.map((order) => (
                  <OrderRow key={order.id} order={order} />
                ))}
              </tbody>
            </table>
          </div>
          <Pager canBack={cursor.canBack} canForward={page.data.has_more} onBack={cursor.back} onForward={() => cursor.forward(page.data.next_before)} testId="topup-orders-pager" />
        </>
      )}
    </section>
  );
}

function OrderRow({ order }: { order: Order }) {
  const { t, lang } = useLang();
  const reason = order.status === 'canceled' ? failureText(order.failure_reason, t) : null;
  return (
    <tr data-testid="topup-order" data-status={order.status} data-order-id={order.id}>
      <td data-label={t('common.date')}>{formatDateTime(order.created_at, lang)}</td>
      <td data-label={t('ledger.amount')} className="num">{formatRub(order.amount_micro, lang)}</td>
      <td data-label={t('payments.statusLabel')}>
        <OrderBadge status={order.status} />
      </td>
      <td data-label={t('payments.details')} className="small">
        {order.status === 'pending' && order.confirmation_url && (
          <a href={order.confirmation_url} className="btn btn-small btn-primary" data-testid="topup-continue">
            {t('payments.continue')}
          </a>
        )}
        {reason && <p className="order-note">{reason}</p>}
        {order.refunded_micro > 0 && <p className="order-note">{t('payments.refunded', { amount: formatRub(order.refunded_micro, lang) })}</p>}
        {order.receipt_email && order.status === 'succeeded' && (
          <p className="order-note muted" data-testid="topup-receipt">{t('payments.receiptSent', { email: order.receipt_email })}</p>
        )}
        {!reason && order.status !== 'pending' && !order.receipt_email && order.refunded_micro === 0 && '—'}
      </td>
    </tr>
  );
}
