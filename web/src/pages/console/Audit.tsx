import { useState, type FormEvent } from 'react';
import { useAudit, type AuditFilters } from '../../api/admin';
import { Field } from '../../components/Field';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, Loading, Pager } from '../../components/States';
import { useLang } from '../../i18n';
import { useCursor } from '../../lib/cursor';
import { formatDateTime } from '../../lib/format';

function detailsText(details: Record<string, unknown> | null): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

export default function ConsoleAudit() {
  const { t, lang } = useLang();
  const cursor = useCursor();
  const [draft, setDraft] = useState<AuditFilters>({});
  const [filters, setFilters] = useState<AuditFilters>({});
  const audit = useAudit(filters, cursor.current);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    cursor.reset();
    setFilters({ action: draft.action?.trim() || undefined, actor: draft.actor?.trim() || undefined });
  };

  return (
    <>
      <PageHeader title={t('console.auditTitle')} subtitle={t('console.auditSubtitle')} />
      <form className="filters" onSubmit={apply} aria-label={t('history.filters')}>
        <Field label={t('console.action')} value={draft.action ?? ''} onChange={(e) => setDraft((d) => ({ ...d, action: e.target.value }))} placeholder="user.credit" testId="audit-action" />
        <Field label={t('console.actor')} value={draft.actor ?? ''} onChange={(e) => setDraft((d) => ({ ...d, actor: e.target.value }))} placeholder="admin@example.com" testId="audit-actor" />
        <div className="filters-actions">
          <button type="submit" className="btn btn-primary" data-testid="audit-apply">
            {t('history.apply')}
          </button>
        </div>
      </form>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
      ) : audit.data.data.length === 0 && !cursor.canBack ? (
        <EmptyState title={t('console.noAudit')} testId="audit-empty" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">{t('ledger.time')}</th>
                  <th scope="col">{t('console.actor')}</th>
                  <th scope="col">{t('console.action')}</th>
                  <th scope="col">{t('console.target')}</th>
                  <th scope="col">{t('console.details')}</th>
                  <th scope="col">{t('profile.ip')}</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.data.map((row) => (
                  <tr key={row.id} data-testid="audit-row" data-action={row.action}>
                    <td data-label={t('ledger.time')}>{formatDateTime(row.created_at, lang)}</td>
                    <td data-label={t('console.actor')}>{row.actor}</td>
                    <td data-label={t('console.action')}><code>{row.action}</code></td>
                    <td data-label={t('console.target')} className="small">{row.target ?? '—'}</td>
                    <td data-label={t('console.details')} className="small details-cell">{detailsText(row.details)}</td>
                    <td data-label={t('profile.ip')} className="small">{row.ip ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager canBack={cursor.canBack} canForward={audit.data.has_more} onBack={cursor.back} onForward={() => cursor.forward(audit.data.next_before)} />
        </>
      )}
    </>
  );
}
