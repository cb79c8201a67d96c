import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
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

const FILTERS = ['action', 'actor', 'target'] as const;

/** The filters that are set (trimmed, non-empty), as URL parameters. */
function filtersIn(source: { get(name: string): string | null | undefined }): Record<string, string> {
  const set: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = source.get(name)?.trim();
    if (value) set[name] = value;
  }
  return set;
}

/**
 * The audit log, filtered by action, actor and target. The filters live in the URL (?action=&actor=&target=),
 * so a user's page links to their log and Back returns to the previous filter.
 */
export default function ConsoleAudit() {
  const { t } = useLang();
  const [params, setParams] = useSearchParams();
  const filters = filtersIn(params);
  const [applied, setApplied] = useState(0); // applying the same filters again starts from the newest page too
  const shown = `${new URLSearchParams(filters).toString()}#${applied}`;
  const apply = (draft: AuditFilters) => {
    setApplied((n) => n + 1);
    setParams(filtersIn({ get: (name) => draft[name as keyof AuditFilters] }));
  };

  return (
    <>
      <PageHeader title={t('console.auditTitle')} subtitle={t('console.auditSubtitle')} />
      <AuditFilterForm key={`form?${shown}`} initial={filters} onApply={apply} />
      <AuditTable key={`table?${shown}`} filters={filters} />
    </>
  );
}

function AuditFilterForm({ initial, onApply }: { initial: AuditFilters; onApply: (draft: AuditFilters) => void }) {
  const { t } = useLang();
  const [draft, setDraft] = useState<AuditFilters>(initial);
  const bind = (name: keyof AuditFilters) => ({
    value: draft[name] ?? '',
    onChange: (e: ChangeEvent<HTMLInputElement>) => setDraft((d) => ({ ...d, [name]: e.target.value })),
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters" onSubmit={apply} aria-label={t('history.filters')}>
      <Field label={t('console.action')} {...bind('action')} placeholder="user.credit" testId="audit-action" />
      <Field label={t('console.actor')} {...bind('actor')} placeholder="admin@example.com" testId="audit-actor" />
      <Field label={t('console.target')} {...bind('target')} placeholder="openai/gpt-4o" title={t('console.targetHint')} testId="audit-target" />
      <div className="filters-actions">
        <button type="submit" className="btn btn-primary" data-testid="audit-apply">
          {t('history.apply')}
        </button>
      </div>
    </form>
  );
}

/** One filter's pages; a new filter mounts a new table, so paging starts again from the newest. */
function AuditTable({ filters }: { filters: AuditFilters }) {
  const { t, lang } = useLang();
  const cursor = useCursor();
  const audit = useAudit(filters, cursor.current);
  return (
    <>
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
                  <tr key={row.id} data-testid="audit-row" data-action={row.action} data-target={row.target ?? ''}>
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
