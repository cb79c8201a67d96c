import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAdminUsers } from '../../api/admin';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, Loading, Pager } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { useLang } from '../../i18n';
import { useCursor } from '../../lib/cursor';
import { formatDateTime } from '../../lib/format';
import { formatRub } from '../../lib/money';

/** Users, searched by an email substring; the search is kept in the URL (?q=) so a link or Back returns to it. */
export default function ConsoleUsers() {
  const { t, lang } = useLang();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const cursor = useCursor();
  const users = useAdminUsers(q, cursor.current);
  const { reset } = cursor;

  useEffect(() => {
    const timer = setTimeout(() => {
      if (draft.trim() === q) return;
      reset();
      setParams(draft.trim() ? { q: draft.trim() } : {}, { replace: true });
    }, 300);
    return () => clearTimeout(timer);
  }, [draft, q, reset, setParams]);

  return (
    <>
      <PageHeader title={t('console.usersTitle')} subtitle={t('console.usersSubtitle')} />
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-wide">
          <label htmlFor="user-search">{t('console.searchEmail')}</label>
          <input id="user-search" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="name@example.com" data-testid="user-search" autoComplete="off" />
        </div>
      </form>
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.data.length === 0 ? (
        <EmptyState title={t('console.noUsers')} testId="users-empty" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="users-table">
              <thead>
                <tr>
                  <th scope="col">{t('console.email')}</th>
                  <th scope="col">{t('console.status')}</th>
                  <th scope="col" className="num">{t('console.balance')}</th>
                  <th scope="col" className="num">{t('console.keys')}</th>
                  <th scope="col">{t('console.lastRequest')}</th>
                  <th scope="col">{t('console.created')}</th>
                </tr>
              </thead>
              <tbody>
                {users.data.data.map((user) => (
                  <tr key={user.id} data-testid={`user-row-${user.id}`} data-email={user.email}>
                    <td data-label={t('console.email')}>
                      <Link to={`/console/users/${encodeURIComponent(user.id)}`} data-testid="user-link">
                        {user.email}
                      </Link>
                      {user.role === 'admin' && <StatusBadge status="admin" />}
                    </td>
                    <td data-label={t('console.status')}><StatusBadge status={user.status} /></td>
                    <td data-label={t('console.balance')} className="num">{formatRub(user.balance_micro, lang)}</td>
                    <td data-label={t('console.keys')} className="num">{user.keys}</td>
                    <td data-label={t('console.lastRequest')}>{formatDateTime(user.last_request_at, lang)}</td>
                    <td data-label={t('console.created')}>{formatDateTime(user.created_at, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager canBack={cursor.canBack} canForward={users.data.has_more} onBack={cursor.back} onForward={() => cursor.forward(users.data.next_before)} />
        </>
      )}
    </>
  );
}
