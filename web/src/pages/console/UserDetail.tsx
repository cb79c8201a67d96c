import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useAdminUser, useBlock, useResetLink, useSetRole } from '../../api/admin';
import type { AdminUserDetail, ApiKey } from '../../api/types';
import { CopyButton } from '../../components/CopyButton';
import { ConfirmDialog } from '../../components/Dialog';
import { PageHeader } from '../../components/Layout';
import { Ledger } from '../../components/Ledger';
import { RequestHistory } from '../../components/RequestHistory';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Tabs } from '../../components/Tabs';
import { useSession } from '../../api/auth';
import { useLang } from '../../i18n';
import { useCursor } from '../../lib/cursor';
import { formatDateTime } from '../../lib/format';
import { formatRub } from '../../lib/money';
import { CreditDialog } from './CreditDialog';
import { UserLimits } from './UserLimits';

const TABS = ['keys', 'history', 'ledger'] as const;
type Tab = (typeof TABS)[number];

export default function ConsoleUser() {
  const { id = '' } = useParams();
  const { t } = useLang();
  const detail = useAdminUser(id);
  const [tab, setTab] = useState<Tab>('keys');
  const cursor = useCursor();
  const base = `/api/admin/users/${encodeURIComponent(id)}`;

  if (detail.isPending) return <Loading />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const { user } = detail.data;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/console/users">← {t('console.usersTitle')}</Link>
      </p>
      <PageHeader
        title={user.email}
        subtitle={
          <>
            <StatusBadge status={user.status} /> <StatusBadge status={user.role} /> <span className="muted">{user.id}</span>
          </>
        }
      />
      <UserActions detail={detail.data} />
      <UserLimits key={user.id} user={user} />
      <Tabs label={t('console.userSections')} tabs={TABS.map((id) => ({ id, label: t(`console.tab.${id}`) }))} current={tab} onChange={setTab} panelPrefix="user" testIdPrefix="user-tab" />
      <section id={`user-${tab}`} role="tabpanel" aria-labelledby={`user-tab-${tab}`} className="panel">
        {tab === 'keys' && <UserKeys keys={detail.data.keys} />}
        {tab === 'history' && <RequestHistory filters={{}} base={`${base}/requests`} cursor={cursor} />}
        {tab === 'ledger' && <Ledger base={`${base}/ledger`} />}
      </section>
    </>
  );
}

function UserActions({ detail }: { detail: AdminUserDetail }) {
  const { t, lang } = useLang();
  const { user, balance } = detail;
  const session = useSession();
  const block = useBlock();
  const resetLink = useResetLink();
  const setRole = useSetRole();
  const [crediting, setCrediting] = useState(false);
  const [confirmBlock, setConfirmBlock] = useState(false);
  const blocked = user.status === 'blocked';
  const isSelf = session.data?.account?.id === user.id;

  return (
    <>
      <section className="cards" aria-label={t('console.balance')}>
        <div className="card card-accent">
          <p className="card-label">{t('console.balance')}</p>
          <p className="card-value" data-testid="user-balance">{formatRub(balance.balance_micro, lang)}</p>
          {balance.held_micro > 0 && <p className="card-note">{t('overview.held', { amount: formatRub(balance.held_micro, lang) })}</p>}
        </div>
        <div className="card">
          <p className="card-label">{t('overview.monthSpend')}</p>
          <p className="card-value" data-testid="user-month-spend">{formatRub(balance.month_spend_micro, lang)}</p>
        </div>
        <div className="card">
          <p className="card-label">{t('console.created')}</p>
          <p className="card-value card-value-small">{formatDateTime(user.created_at, lang)}</p>
          <p className="card-note">{t('console.lastRequestAt', { date: formatDateTime(user.last_request_at, lang) })}</p>
        </div>
      </section>
      <div className="toolbar">
        <button type="button" className="btn btn-primary" onClick={() => setCrediting(true)} data-testid="credit-button">
          {t('console.creditDebit')}
        </button>
        <button type="button" className={blocked ? 'btn' : 'btn btn-danger-ghost'} onClick={() => setConfirmBlock(true)} disabled={isSelf} data-testid={blocked ? 'unblock-button' : 'block-button'}>
          {blocked ? t('console.unblock') : t('console.block')}
        </button>
        <button type="button" className="btn" onClick={() => resetLink.mutate({ id: user.id, body: undefined })} disabled={resetLink.isPending} data-testid="reset-link-button">
          {t('console.resetLink')}
        </button>
        <button type="button" className="btn" disabled={isSelf || setRole.isPending} onClick={() => setRole.mutate({ id: user.id, body: user.role === 'admin' ? 'user' : 'admin' })} data-testid="role-button">
          {user.role === 'admin' ? t('console.makeUser') : t('console.makeAdmin')}
        </button>
        <Link className="btn" to={`/console/audit?target=${encodeURIComponent(user.id)}`} data-testid="user-audit-link">
          {t('console.userAudit')}
        </Link>
      </div>
      <FormError error={resetLink.error ?? setRole.error} />
      {resetLink.data && (
        <div className="notice notice-info" data-testid="reset-link">
          <p>{t('console.resetLinkReady', { date: formatDateTime(resetLink.data.expires_at, lang) })}</p>
          <div className="secret-box">
            <code data-testid="reset-link-url">{resetLink.data.url}</code>
            <CopyButton text={resetLink.data.url} testId="reset-link-copy" />
          </div>
        </div>
      )}
      <CreditDialog userId={user.id} email={user.email} open={crediting} onClose={() => setCrediting(false)} />
      <ConfirmDialog
        open={confirmBlock}
        title={blocked ? t('console.unblockTitle') : t('console.blockTitle')}
        message={<p>{blocked ? t('console.unblockMessage', { email: user.email }) : t('console.blockMessage', { email: user.email })}</p>}
        confirmLabel={blocked ? t('console.unblock') : t('console.block')}
        danger={!blocked}
        busy={block.isPending}
        error={<FormError error={block.error} />}
        onConfirm={() => block.mutate({ id: user.id, body: !blocked }, { onSuccess: () => setConfirmBlock(false) })}
        onClose={() => {
          block.reset();
          setConfirmBlock(false);
        }}
        testId="block-dialog"
      />
    </>
  );
}

function UserKeys({ keys }: { keys: ApiKey[] }) {
  const { t, lang } = useLang();
  if (keys.length === 0) return <EmptyState title={t('console.noKeys')} />;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="user-keys-table">
        <thead>
          <tr>
            <th scope="col">{t('keys.name')}</th>
            <th scope="col">{t('keys.prefix')}</th>
            <th scope="col">{t('keys.status')}</th>
            <th scope="col">{t('keys.lastUsed')}</th>
            <th scope="col" className="num">{t('keys.spend')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} data-status={key.status}>
              <td data-label={t('keys.name')}>{key.name ?? <span className="muted">{t('keys.unnamed')}</span>}</td>
              <td data-label={t('keys.prefix')}><code>{key.prefix}…</code></td>
              <td data-label={t('keys.status')}><StatusBadge status={key.status} /></td>
              <td data-label={t('keys.lastUsed')}>{formatDateTime(key.last_used_at, lang)}</td>
              <td data-label={t('keys.spend')} className="num">{formatRub(key.spend_micro, lang, { precision: 'precise' })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
