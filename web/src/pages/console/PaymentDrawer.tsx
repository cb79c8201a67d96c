import { useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useAdminOrder, useRefund, type AdminOrder } from '../../api/payments';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { OrderBadge } from '../../components/OrderBadge';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { formatRub } from '../../lib/money';
import { checkTopupAmount, failureText } from '../../lib/topup';

/** One order: its fields, a refund, the refunds made and every notification about it with what came of it. */
export function PaymentDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, lang } = useLang();
  const detail = useAdminOrder(id);
  const refund = useRefund(); // here, not in the form: its answer stays shown after the form goes (all refunded)
  const refunded = refund.isSuccess && refund.variables.id === id ? refund.data : null;
  return (
    <Dialog open={id !== null} title={t('payments.detailTitle', { id: id ?? '' })} onClose={onClose} variant="drawer" testId="payment-detail">
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      ) : (
        <>
          <OrderFields order={detail.data} />
          {refunded && (
            <p className="notice notice-success" role="status" data-testid="payment-refund-done">
              {t('payments.refundDone', {
                amount: formatRub(refunded.amount_micro, lang),
                status: t(`payments.refundStatus.${refunded.status}`),
                balance: formatRub(refunded.balance_micro, lang),
              })}
            </p>
          )}
          {detail.data.status === 'succeeded' && detail.data.refunded_micro < detail.data.amount_micro && (
            <RefundForm key={detail.data.refunded_micro} order={detail.data} refund={refund} />
          )}
          <Refunds order={detail.data} />
          <Events order={detail.data} />
        </>
      )}
    </Dialog>
  );
}

function OrderFields({ order }: { order: AdminOrder }) {
  const { t, lang } = useLang();
  const rows: Array<[string, ReactNode]> = [
    [t('payments.statusLabel'), <OrderBadge status={order.status} />],
    [t('ledger.amount'), formatRub(order.amount_micro, lang)],
    [t('payments.user'), <Link to={`/console/users/${encodeURIComponent(order.user_id)}`}>{order.user_id}</Link>],
    [t('payments.paymentId'), order.payment_id ? <code>{order.payment_id}</code> : '—'],
    [t('payments.created'), formatDateTime(order.created_at, lang)],
    [t('payments.settled'), formatDateTime(order.settled_at, lang)],
  ];
  if (order.refunded_micro > 0) rows.push([t('payments.refunds'), t('payments.refunded', { amount: formatRub(order.refunded_micro, lang) })]);
  if (order.failure_reason) rows.push([t('payments.outcome'), failureText(order.failure_reason, t)]);
  if (order.receipt_email) rows.push([t('auth.email'), t('payments.receiptSent', { email: order.receipt_email })]);
  return (
    <dl className="detail-list" data-testid="payment-fields">
      {rows.map(([term, value]) => (
        <div key={term} className="detail-item">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Refund all that is left (the field empty) or a part; a confirmation first, since money leaves the balance at once. */
function RefundForm({ order, refund }: { order: AdminOrder; refund: ReturnType<typeof useRefund> }) {
  const { t, lang } = useLang();
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const leftMicro = order.amount_micro - order.refunded_micro;
  const left = formatRub(leftMicro, lang);
  const check = text.trim() === '' ? null : checkTopupAmount(text, 10_000, leftMicro);
  const valid = check === null || check.ok;
  const amountText = check?.ok ? formatRub(check.micro, lang) : left;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (valid) setConfirming(true);
  };
  const confirm = () =>
    refund.mutate({ id: order.id, amount: check?.ok ? check.wire : undefined }, { onSuccess: () => setConfirming(false) });

  return (
    <section className="panel-section" data-testid="payment-refund">
      <h3>{t('payments.refund')}</h3>
      <form className="form form-inline" onSubmit={submit} noValidate>
        <Field
          label={t('payments.refundAmount')}
          inputMode="decimal"
          autoComplete="off"
          value={text}
          onChange={(e) => setText(e.target.value)}
          hint={t('payments.refundAmountHint', { left })}
          error={touched && !valid ? t('payments.refundInvalid', { left }) : null}
          testId="payment-refund-amount"
        />
        <button type="submit" className="btn btn-danger-ghost" disabled={refund.isPending} data-testid="payment-refund-button">
          {t('payments.refund')}
        </button>
      </form>
      <ConfirmDialog
        open={confirming}
        title={t('payments.refundConfirmTitle')}
        message={t('payments.refundConfirm', { amount: amountText })}
        confirmLabel={t('payments.refund')}
        danger
        busy={refund.isPending}
        error={<FormError error={refund.error} testId="payment-refund-error" />}
        onConfirm={confirm}
        onClose={() => setConfirming(false)}
        testId="payment-refund-confirm"
      />
    </section>
  );
}

function Refunds({ order }: { order: AdminOrder }) {
  const { t, lang } = useLang();
  return (
    <section className="panel-section">
      <h3>{t('payments.refunds')}</h3>
      {order.refunds.length === 0 ? (
        <p className="muted small" data-testid="payment-no-refunds">{t('payments.noRefunds')}</p>
      ) : (
        <ul className="event-list" data-testid="payment-refunds">
          {order.refunds.map((r) => (
            <li key={r.id} data-testid="payment-refund-row" data-status={r.status}>
              <div className="event-head">
                <strong>{formatRub(r.amount_micro, lang)}</strong>
                <span>{t(`payments.refundStatus.${r.status}`)}</span>
                <span className="muted small">{formatDateTime(r.created_at, lang)}</span>
              </div>
              <p className="small muted">{`${t('payments.createdBy')}: ${r.created_by}`}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Every notification that named the payment, as received: the event, where it came from, what came of it. */
function Events({ order }: { order: AdminOrder }) {
  const { t, lang } = useLang();
  return (
    <section className="panel-section">
      <h3>{t('payments.events')}</h3>
      {order.events.length === 0 ? (
        <EmptyState title={t('payments.noEvents')} testId="payment-no-events" />
      ) : (
        <ul className="event-list" data-testid="payment-events">
          {order.events.map((e) => (
            <li key={e.id} data-testid="payment-event" data-event={e.event ?? ''}>
              <div className="event-head">
                <code>{e.event ?? '—'}</code>
                <span className="muted small">{formatDateTime(e.received_at, lang)}</span>
              </div>
              <dl className="detail-list detail-list-compact">
                <div className="detail-item">
                  <dt>{t('payments.sourceIp')}</dt>
                  <dd>{e.source_ip ?? '—'}</dd>
                </div>
                <div className="detail-item">
                  <dt>{t('payments.outcome')}</dt>
                  <dd className="small">{e.outcome ?? '—'}</dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
