import { useLedger } from '../api/cabinet';
import { useLang } from '../i18n';
import { useCursor } from '../lib/cursor';
import { formatDateTime } from '../lib/format';
import { formatRub } from '../lib/money';
import { EmptyState, ErrorState, Loading, Pager } from './States';

/** Notes the gateway itself writes (in English), shown in the page's language; an operator's own notes are shown as written. */
const SYSTEM_NOTES: Record<string, string> = { 'Welcome credit': 'ledger.welcomeNote' };
/** Notes the gateway writes with an id in them: a top-up's payment, a refunded order, a promo code. */
const SYSTEM_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/^Top-up: \S+ payment (\S+)$/, 'ledger.topupNote'],
  [/^Refund of order (\S+)$/, 'ledger.refundNote'],
  [/^Promo code (\S+)$/, 'ledger.promoNote'],
];

function noteText(note: string, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (SYSTEM_NOTES[note]) return t(SYSTEM_NOTES[note]);
  for (const [pattern, key] of SYSTEM_PATTERNS) {
    const id = pattern.exec(note)?.[1];
    if (id) return t(key, { id });
  }
  return note;
}

/** Balance movements (credits, debits, charges), newest first; `base` is /api/ledger or an admin user's. */
export function Ledger({ base = '/api/ledger' }: { base?: string }) {
  const { t, lang } = useLang();
  const cursor = useCursor();
  const page = useLedger(cursor.current, base);
  if (page.isPending) return <Loading />;
  if (page.isError) return <ErrorState error={page.error} onRetry={() => void page.refetch()} />;
  if (page.data.data.length === 0 && !cursor.canBack) return <EmptyState title={t('ledger.empty')} testId="ledger-empty" />;
  return (
    <>
      <div className="table-wrap">
        <table className="table" data-testid="ledger-table">
          <thead>
            <tr>
              <th scope="col">{t('ledger.time')}</th>
              <th scope="col">{t('ledger.kind')}</th>
              <th scope="col" className="num">{t('ledger.amount')}</th>
              <th scope="col" className="num">{t('ledger.after')}</th>
              <th scope="col">{t('ledger.note')}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.data.map((entry) => (
              <tr key={entry.id} data-testid="ledger-row" data-kind={entry.kind}>
                <td data-label={t('ledger.time')}>{formatDateTime(entry.created_at, lang)}</td>
                <td data-label={t('ledger.kind')}>{t(`ledger.kinds.${entry.kind}`, { defaultValue: entry.kind })}</td>
                <td data-label={t('ledger.amount')} className={entry.amount_micro < 0 ? 'num negative' : 'num positive'}>
                  {entry.amount_micro > 0 ? '+' : ''}
                  {formatRub(entry.amount_micro, lang, { precision: 'precise' })}
                </td>
                <td data-label={t('ledger.after')} className="num">{formatRub(entry.balance_after_micro, lang)}</td>
                <td data-label={t('ledger.note')} className="small">{entry.note ? noteText(entry.note, t) : entry.request_id ? <code>{entry.request_id}</code> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager canBack={cursor.canBack} canForward={page.data.has_more} onBack={cursor.back} onForward={() => cursor.forward(page.data.next_before)} testId="ledger-pager" />
    </>
  );
}
