import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useAdminOrders, useReconcile, type AdminOrderFilters, type AdminOrderRow, type OrderStatus } from '../../api/payments';
import { Field, SelectField } from '../../components/Field';
import { OrderBadge } from '../../components/OrderBadge';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, FormError, Loading, Pager } from '../../components/States';
import { useLang } from '../../i18n';
import { useCursor } from '../../lib/cursor';
import { formatDateTime } from '../../lib/format';
import { formatRub } from '../../lib/money';
import { PaymentDrawer } from './PaymentDrawer';

const STATUSES: readonly OrderStatus[] = ['pending', 'succeeded', 'canceled', 'expired'];

/** Every customer's top-up orders: filter by status and user, open one (refunds, notifications, refund), reconcile. */
export default function ConsolePayments() {
  const { t } = useLang();
  const [filters, setFilters] = useState<AdminOrderFilters>({});
  const [applied, setApplied] = useState(0);
  const [viewing, setViewing] = useState<string | null>(null);
  return (
    <>
      <PageHeader title={t('payments.consoleTitle')} subtitle={t('payments.consoleSubtitle')} />
      <Reconcile />
      <PaymentFilters
        onApply={(next) => {
          setFilters(next);
          setApplied((n) => n + 1);
        }}
      />
      <OrdersTable key={applied} filters={filters} onView={setViewing} />
      <PaymentDrawer id={viewing} onClose={() => setViewing(null)} />
    </>
  );
}

function Reconcile() {
  const { t } = useLang();
  const reconcile = useReconcile();
  return (
    <section className="panel" data-testid="payments-reconcile">
      <div className="inline-row">
        <button type="button" className="btn" onClick={() => reconcile.mutate()} disabled={reconcile.isPending} data-testid="payments-reconcile-button">
          {t('payments.reconcile')}
        </button>
      </div>
      <FormError error={reconcile.error} testId="payments-reconcile-error" />
      {reconcile.isSuccess && (
        <p className="notice notice-info report" role="status" data-testid="payments-reconcile-report">
          {t('payments.reconcileReport', { ...reconcile.data })}
        </p>
      )}
    </section>
  );
}

function PaymentFilters({ onApply }: { onApply: (filters: AdminOrderFilters) => void }) {
  const { t } = useLang();
  const [status, setStatus] = useState('');
  const [userId, setUserId] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ ...(status ? { status: status as OrderStatus } : {}), ...(userId.trim() ? { user_id: userId.trim() } : {}) });
  };
  return (
    <form className="filters" onSubmit={submit} aria-label={t('history.filters')} data-testid="payments-filters">
      <SelectField label={t('payments.statusLabel')} value={status} onChange={(e) => setStatus(e.target.value)} testId="payments-status">
        <option value="">{t('payments.allStatuses')}</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`payments.status.${s}`)}
          </option>
        ))}
      </SelectField>
      <Field label={t('payments.userId')} value={userId} onChange={(e) => setUserId(e.target.value)} placeholder="usr_…" autoComplete="off" testId="payments-user" />
      <div className="filters-actions">
        <button type="submit" className="btn btn-primary" data-testid="payments-apply">
          {t('history.apply')}
        </button>
      </div>
    </form>
  );
}

/** One filter's pages; new filters mount a new table, so paging starts again from the newest. */
function OrdersTable({ filters, onView }: { filters: AdminOrderFilters; onView: (id: string) => void }) {
  const { t } = useLang();
  const cursor = useCursor();
  const page = useAdminOrders(filters, cursor.current);
  if (page.isPending) return <Loading />;
  if (page.isError) return <ErrorState error={page.error} onRetry={() => void page.refetch()} />;
  if (page.data.data.length === 0 && !cursor.canBack) return <EmptyState title={t('payments.noOrdersFound')} testId="payments-empty" />;
  return (
    <>
      <div className="table-wrap">
        <table className="table" data-testid="payments-table">
          <thead>
            <tr>
              <th scope="col">{t('payments.created')}</th>
              <th scope="col">{t('payments.user')}</th>
              <th scope="col" className="num">{t('ledger.amount')}</th>
              <th scope="col">{t('payments.statusLabel')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.data.map((order) => (
              <OrderRow key={order.id} order={order} onView={() => onView(order.id)} />
            ))}
          </tbody>
        </table>
      </div>
      <Pager canBack={cursor.canBack} canForward={page.data.has_more} onBack={cursor.back} onForward={() => cursor.forward(page.data.next_before)} />
    </>
  );
}

function OrderRow({ order, onView }: { order: AdminOrderRow; onView: () => void }) {
  const { t, lang } = useLang();
  return (
    <tr data-testid="payment-row" data-status={order.status} data-order-id={order.id}>
      <td data-label={t('payments.created')}>{formatDateTime(order.created_at, lang)}</td>
      <td data-label={t('payments.user')} className="small">
        <Link to={`/console/users/${encodeURIComponent(order.user_id)}`}>{order.user_id}</Link>
      </td>
      <td data-label={t('ledger.amount')} className="num">
        {formatRub(order.amount_micro, lang)}
        {order.refunded_micro > 0 && <p className="order-note small muted">{t('payments.refunded', { amount: formatRub(order.refunded_micro, lang) })}</p>}
      </td>
      <td data-label={t('payments.statusLabel')}>
        <OrderBadge status={order.status} />
      </td>
      <td data-label={t('common.actions')}>
        <button type="button" className="btn btn-small" onClick={onView} data-testid="payment-view">
          {t('payments.details')}
        </button>
      </td>
    </tr>
  );
}
