import type { OrderStatus } from '../api/payments';
import { useLang } from '../i18n';

const TONE: Record<OrderStatus, string> = { pending: 'info', succeeded: 'ok', canceled: 'bad', expired: 'muted' };

/** A top-up order's status as a coloured pill with a translated word. */
export function OrderBadge({ status }: { status: OrderStatus }) {
  const { t } = useLang();
  return (
    <span className={`badge badge-${TONE[status]}`} data-testid="order-status" data-status={status}>
      {t(`payments.status.${status}`)}
    </span>
  );
}
