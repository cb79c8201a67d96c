import { useState, type ReactNode } from 'react';
import { useRequestDetail, useRequests, type RequestFilters } from '../api/cabinet';
import type { RequestDetail, RequestRow } from '../api/types';
import { useLang } from '../i18n';
import { useCursor } from '../lib/cursor';
import { formatCount, formatDateTime, formatLatency } from '../lib/format';
import { formatDecimal, formatRub } from '../lib/money';
import { Dialog } from './Dialog';
import { EmptyState, ErrorState, Loading, Pager } from './States';
import { HttpStatus, httpStatusWord } from './StatusBadge';

/** The paged request table with its detail drawer; `base` is /api/requests or an admin user's requests. */
export function RequestHistory({ filters, base = '/api/requests', cursor }: { filters: RequestFilters; base?: string; cursor: ReturnType<typeof useCursor> }) {
  const { t } = useLang();
  const page = useRequests(filters, cursor.current, base);
  const [openId, setOpenId] = useState<string | null>(null);

  if (page.isPending) return <Loading />;
  if (page.isError) return <ErrorState error={page.error} onRetry={() => void page.refetch()} />;
  if (page.data.data.length === 0 && !cursor.canBack) {
    return (
      <EmptyState title={t('history.empty')} testId="history-empty">
        <p>{t('history.emptyHint')}</p>
      </EmptyState>
    );
  }
  return (
    <>
      <RequestTable rows={page.data.data} onOpen={setOpenId} />
      <Pager canBack={cursor.canBack} canForward={page.data.has_more} onBack={cursor.back} onForward={() => cursor.forward(page.data.next_before)} />
      <RequestDrawer id={openId} base={base} onClose={() => setOpenId(null)} />
    </>
  );
}

function tokens(row: RequestRow, lang: 'ru' | 'en'): string {
  return [row.input_tokens, row.cached_tokens, row.output_tokens, row.reasoning_tokens].map((n) => formatCount(n ?? 0, lang)).join(' / ');
}

function RequestTable({ rows, onOpen }: { rows: RequestRow[]; onOpen: (id: string) => void }) {
  const { t, lang } = useLang();
  return (
    <div className="table-wrap">
      <table className="table table-clickable" data-testid="history-table">
        <thead>
          <tr>
            <th scope="col">{t('history.time')}</th>
            <th scope="col">{t('history.model')}</th>
            <th scope="col">{t('history.surface')}</th>
            <th scope="col">{t('history.status')}</th>
            <th scope="col" className="num" title={t('history.tokensTitle')}>
              {t('history.tokens')}
              <div className="th-sub">{t('history.tokensSub')}</div>
            </th>
            <th scope="col" className="num">{t('history.cost')}</th>
            <th scope="col" className="num">{t('history.latency')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-testid={`request-row-${row.id}`} className="request-row">
              <td data-label={t('history.time')}>
                <button type="button" className="link-button" onClick={() => onOpen(row.id)} data-testid="request-open">
                  {formatDateTime(row.created_at, lang)}
                </button>
              </td>
              <td data-label={t('history.model')}>
                <div>{row.model ?? '—'}</div>
                <div className="muted small">{row.key_name ?? row.key_id ?? ''}</div>
              </td>
              <td data-label={t('history.surface')}>
                <div>{row.provider ?? '—'}</div>
                <div className="muted small">{row.surface ?? ''}{row.stream ? ` · ${t('history.stream')}` : ''}</div>
              </td>
              <td data-label={t('history.status')}><HttpStatus status={row.status} /></td>
              <td data-label={t('history.tokens')} className="num small">
                <div>{tokens(row, lang)}</div>
                <div className="muted phone-only">{t('history.tokensSub')}</div>
              </td>
              <td data-label={t('history.cost')} className="num" data-testid="request-cost">{row.cost_micro === null ? '—' : formatRub(row.cost_micro, lang, { precision: 'precise' })}</td>
              <td data-label={t('history.latency')} className="num">{formatLatency(row.latency_ms, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** How a request's usage was measured (src/services/metering/usage-columns.ts, relay.ts, billing). */
const USAGE_SOURCES = new Set(['reported', 'reported_cost', 'partial', 'counted', 'request', 'count_tokens', 'byte_bound', 'capped', 'estimated', 'none']);

/** The usage source in words, with what it means underneath; an unknown one as the server named it. */
function usageSource(source: string | null, t: (key: string) => string): ReactNode {
  if (!source) return null;
  if (!USAGE_SOURCES.has(source)) return source;
  return (
    <>
      <div data-testid="usage-source" data-source={source}>{t(`history.sources.${source}`)}</div>
      <div className="muted small">{t(`history.sourceHints.${source}`)}</div>
    </>
  );
}

function detailRows(detail: RequestDetail, t: (key: string) => string, lang: 'ru' | 'en'): Array<[string, ReactNode]> {
  const rows: Array<[string, ReactNode]> = [
    [t('history.id'), detail.id],
    [t('history.time'), formatDateTime(detail.created_at, lang)],
    [t('history.key'), detail.key_name ? `${detail.key_name} (${detail.key_id})` : detail.key_id],
    [t('history.model'), detail.model],
    [t('history.provider'), detail.provider],
    [t('history.api'), detail.surface],
    [t('history.endpoint'), `${detail.method} ${detail.path}`],
    [t('history.status'), `${detail.status} · ${httpStatusWord(detail.status, t)}`],
    [t('history.streamed'), detail.stream ? t('common.yes') : t('common.no')],
    [t('history.latency'), formatLatency(detail.latency_ms, lang)],
    [t('history.inputTokens'), formatCount(detail.input_tokens, lang)],
    [t('history.cachedTokens'), formatCount(detail.cached_tokens, lang)],
    [t('history.outputTokens'), formatCount(detail.output_tokens, lang)],
    [t('history.reasoningTokens'), formatCount(detail.reasoning_tokens, lang)],
    [t('history.cost'), detail.cost_micro === null ? '—' : formatRub(detail.cost_micro, lang, { precision: 'precise' })],
    [t('history.costUsd'), detail.cost_usd ? `$${formatDecimal(detail.cost_usd, lang, 2, 10)}` : null],
    [t('history.rate'), detail.usd_rub_rate ? formatDecimal(detail.usd_rub_rate, lang, 2, 4) : null],
    [t('history.usageSource'), usageSource(detail.usage_source, t)],
    [t('history.priceVersion'), detail.price_version === null || detail.price_version === undefined ? null : String(detail.price_version)],
    [t('history.upstreamId'), detail.upstream_request_id],
    [t('history.error'), detail.error],
  ];
  return rows.filter((row) => row[1] !== null && row[1] !== undefined && row[1] !== '');
}

function RequestDrawer({ id, base, onClose }: { id: string | null; base: string; onClose: () => void }) {
  const { t, lang } = useLang();
  const detail = useRequestDetail(id, base);
  return (
    <Dialog open={id !== null} title={t('history.detailTitle')} onClose={onClose} variant="drawer" testId="request-detail">
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      ) : (
        <>
          <dl className="detail-list">
            {detailRows(detail.data, t, lang).map(([term, value]) => (
              <div key={term} className="detail-item">
                <dt>{term}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <p className="muted small">{t('history.noBodies')}</p>
        </>
      )}
    </Dialog>
  );
}
