import { useState } from 'react';
import { useCreateKey, useKeys, useRevokeKey, useUpdateKey } from '../../api/cabinet';
import type { ApiKey, CreatedKey, KeyInput } from '../../api/types';
import { CopyButton } from '../../components/CopyButton';
import { ConfirmDialog, Dialog } from '../../components/Dialog';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { useLang } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { formatRub, type Lang } from '../../lib/money';
import { KeyFormDialog } from './KeyForm';
import { rateLimitsText } from '../../components/RateLimitFields';

export function KeysPage() {
  const { t } = useLang();
  const keys = useKeys();
  const create = useCreateKey();
  const update = useUpdateKey();
  const revoke = useRevokeKey();
  const [form, setForm] = useState<{ open: boolean; editing: ApiKey | null }>({ open: false, editing: null });
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const openForm = (editing: ApiKey | null) => {
    create.reset();
    update.reset();
    setForm({ open: true, editing });
  };
  const submit = (input: KeyInput) => {
    const editing = form.editing;
    if (editing) update.mutate({ id: editing.id, ...input }, { onSuccess: () => setForm({ open: false, editing: null }) });
    else
      create.mutate(input, {
        onSuccess: (result) => {
          setForm({ open: false, editing: null });
          setCreated(result);
        },
      });
  };

  return (
    <>
      <PageHeader
        title={t('keys.title')}
        subtitle={t('keys.subtitle')}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => openForm(null)} data-testid="create-key-button">
            {t('keys.create')}
          </button>
        }
      />
      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.data.length === 0 ? (
        <EmptyState title={t('keys.empty')} testId="keys-empty">
          <p>{t('keys.emptyHint')}</p>
        </EmptyState>
      ) : (
        <KeysTable keys={keys.data.data} onEdit={openForm} onRevoke={setRevoking} onToggle={(key) => update.mutate({ id: key.id, status: key.status === 'paused' ? 'active' : 'paused' })} busyId={update.isPending ? update.variables?.id : undefined} />
      )}
      {update.isError && !form.open && <FormError error={update.error} />}
      <KeyFormDialog open={form.open} editing={form.editing} busy={create.isPending || update.isPending} error={form.editing ? update.error : create.error} onSubmit={submit} onClose={() => setForm({ open: false, editing: null })} />
      <SecretDialog created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        open={revoking !== null}
        title={t('keys.revokeTitle')}
        message={<p>{t('keys.revokeMessage', { name: revoking?.name || revoking?.prefix })}</p>}
        confirmLabel={t('keys.revoke')}
        danger
        busy={revoke.isPending}
        error={<FormError error={revoke.error} />}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        testId="revoke-dialog"
      />
    </>
  );
}

function limitText(used: number, limit: number | null, lang: Lang, none: string): string {
  return limit === null ? none : `${formatRub(used, lang)} / ${formatRub(limit, lang)}`;
}

interface TableProps {
  keys: ApiKey[];
  onEdit: (key: ApiKey) => void;
  onRevoke: (key: ApiKey) => void;
  onToggle: (key: ApiKey) => void;
  busyId: string | undefined;
}

function KeysTable({ keys, onEdit, onRevoke, onToggle, busyId }: TableProps) {
  const { t, lang } = useLang();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="keys-table">
        <thead>
          <tr>
            <th scope="col">{t('keys.name')}</th>
            <th scope="col">{t('keys.status')}</th>
            <th scope="col">{t('keys.lastUsed')}</th>
            <th scope="col">{t('keys.spend')}</th>
            <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const live = key.status === 'active' || key.status === 'paused';
            return (
              <tr key={key.id} data-testid={`key-row-${key.id}`} data-key-prefix={key.prefix} data-status={key.status}>
                <td data-label={t('keys.name')}>
                  <div>{key.name || <span className="muted">{t('keys.unnamed')}</span>}</div>
                  <code className="muted">{key.prefix}…</code>
                </td>
                <td data-label={t('keys.status')}><StatusBadge status={key.status} /></td>
                <td data-label={t('keys.lastUsed')}>{key.last_used_at ? formatDateTime(key.last_used_at, lang) : <span className="muted">{t('keys.never')}</span>}</td>
                <td data-label={t('keys.spend')}>
                  <div className="num-left" data-testid="key-spend">{formatRub(key.spend_micro, lang, { precision: 'precise' })}</div>
                  <div className="muted small">
                    {t('keys.budgetShort')}: {limitText(key.budget_used_micro, key.budget_limit_micro, lang, t('keys.noLimit'))} · {t('keys.monthlyShort')}: {limitText(key.monthly_used_micro, key.monthly_limit_micro, lang, t('keys.noLimit'))}
                  </div>
                  {rateLimitsText(key, t) && <div className="muted small" data-testid="key-rate-limits">{rateLimitsText(key, t)}</div>}
                  {(key.models || key.expires_at) && (
                    <div className="muted small">
                      {key.models && t('keys.modelsSome', { count: key.models.length })}
                      {key.models && key.expires_at && ' · '}
                      {key.expires_at && t('keys.expiresOn', { date: formatDateTime(key.expires_at, lang) })}
                    </div>
                  )}
                </td>
                <td className="actions">
                  {live && (
                    <>
                      <button type="button" className="btn btn-small" onClick={() => onToggle(key)} disabled={busyId === key.id} data-testid="key-toggle" aria-label={`${key.status === 'paused' ? t('keys.resume') : t('keys.pause')} ${key.name ?? key.prefix}`}>
                        {key.status === 'paused' ? t('keys.resume') : t('keys.pause')}
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => onEdit(key)} data-testid="key-edit" aria-label={`${t('common.edit')} ${key.name ?? key.prefix}`}>
                        {t('common.edit')}
                      </button>
                      <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => onRevoke(key)} data-testid="key-revoke" aria-label={`${t('keys.revoke')} ${key.name ?? key.prefix}`}>
                        {t('keys.revoke')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The new key's secret, shown this once: the server keeps only its hash. */
function SecretDialog({ created, onClose }: { created: CreatedKey | null; onClose: () => void }) {
  const { t } = useLang();
  return (
    <Dialog open={created !== null} title={t('keys.secretTitle')} onClose={onClose} testId="key-secret-dialog">
      {created && (
        <div className="dialog-content">
          <p className="notice notice-warning" role="alert">
            {t('keys.secretWarning')}
          </p>
          <div className="secret-box">
            <code data-testid="key-secret">{created.secret}</code>
            <CopyButton text={created.secret} testId="key-secret-copy" label={t('keys.copySecret')} />
          </div>
          <p className="muted">{t('keys.secretHint')}</p>
          <footer className="dialog-actions">
            <button type="button" className="btn btn-primary" onClick={onClose} data-testid="key-secret-done">
              {t('keys.secretDone')}
            </button>
          </footer>
        </div>
      )}
    </Dialog>
  );
}
