import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../observability/log.js';
import type { Store } from '../../store/index.js';
import type { PaymentsService } from './payments-service.js';
import type { PaymentProvider } from './provider.js';
import type { RefundsService } from './refunds-service.js';

const MAX_LOGGED_BODY = 64 * 1024;
/** A refused sender's body is kept short: anyone can post here, and the log must not become their disk. */
const MAX_REFUSED_BODY = 1024;

export interface NotificationAnswer {
  /** 200 for anything from the provider's addresses (a repeat, a late one, an unknown id alike); 403 otherwise. */
  status: 200 | 403;
}

/**
 * A provider's notifications. They are not signed, so nothing in one is believed: each is written to the
 * event log first, refused unless it came from the provider's published addresses, and then only names a
 * payment (or refund) to read back from the provider. The answer goes at once; the reading back runs after
 * it, and what came of it is written on the event's row. A notification lost on the way, or a node that
 * stops before it finished, is made good by the reconciliation of pending orders.
 */
export class PaymentNotifications {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly provider: PaymentProvider,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async receive(rawBody: string, sourceIp: string): Promise<NotificationAnswer> {
    const parsed = this.provider.parseNotification(rawBody);
    const accepted = this.provider.acceptsNotificationFrom(sourceIp);
    const eventId = await this.store.payments.logEvent({
      provider: this.provider.id,
      received_at: this.clock.now(),
      source_ip: sourceIp,
      event: parsed?.event ?? null,
      object_id: parsed?.objectId ?? null,
      body: rawBody.slice(0, accepted ? MAX_LOGGED_BODY : MAX_REFUSED_BODY),
    });
    if (!accepted) {
      this.log.warn({ ip: sourceIp, event: eventId }, 'payment notification from an address the provider does not send from: refused');
      await this.store.payments.finishEvent(eventId, 'refused: source address', this.clock.now());
      return { status: 403 };
    }
    if (!parsed) {
      await this.store.payments.finishEvent(eventId, 'ignored: not a payment or refund notification', this.clock.now());
      return { status: 200 };
    }
    this.track(this.process(eventId, parsed));
    return { status: 200 };
  }

  /** Resolves when every notification received so far has been acted on (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async process(eventId: string, parsed: NonNullable<ReturnType<PaymentProvider['parseNotification']>>): Promise<void> {
    let outcome: string;
    try {
      outcome = parsed.kind === 'payment' ? await this.payments.settlePayment(parsed.objectId) : await this.refunds.settleRefund(parsed.objectId);
    } catch (err) {
      this.log.warn({ err, event: eventId }, 'acting on a payment notification failed; reconciliation will retry');
      outcome = `error: ${(err as Error).message}`;
    }
    await this.store.payments.finishEvent(eventId, outcome, this.clock.now()).catch((err: unknown) => this.log.warn({ err }, 'writing a notification outcome failed'));
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
