import { useState, type FormEvent } from 'react';
import { useChangeEmail, useChangePassword, useRevokeOtherSessions, useRevokeSession, useSession, useSessions } from '../../api/auth';
import { ConfirmDialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { PageHeader } from '../../components/Layout';
import { ErrorState, FormError, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { describeUserAgent } from '../../lib/user-agent';
import { MIN_PASSWORD } from '../auth/Signup';

export function ProfilePage() {
  const { t } = useLang();
  const session = useSession();
  return (
    <>
      <PageHeader title={t('profile.title')} subtitle={session.data?.account?.email} />
      <div className="grid-2">
        <PasswordForm />
        <EmailForm current={session.data?.account?.email ?? ''} />
      </div>
      <SessionsPanel />
    </>
  );
}

function PasswordForm() {
  const { t } = useLang();
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [touched, setTouched] = useState(false);
  const tooShort = next.length < MIN_PASSWORD;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (tooShort) return;
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          setTouched(false);
        },
      },
    );
  };
  return (
    <section className="panel" aria-labelledby="pw-title">
      <h2 id="pw-title" className="panel-title">{t('profile.password')}</h2>
      <form className="form" onSubmit={submit} noValidate data-testid="password-form">
        <Field label={t('profile.currentPassword')} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required testId="password-current" />
        <Field
          label={t('reset.newPassword')}
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          required
          hint={t('profile.passwordHint', { count: MIN_PASSWORD })}
          error={touched && tooShort ? t('auth.passwordShort', { count: MIN_PASSWORD }) : null}
          testId="password-new"
        />
        <FormError error={change.error} translate={(e) => (e.status === 403 ? t('profile.wrongPassword') : undefined)} />
        {change.isSuccess && <p className="notice notice-success" role="status" data-testid="password-changed">{t('profile.passwordChanged')}</p>}
        <button type="submit" className="btn btn-primary" disabled={change.isPending} data-testid="password-submit">
          {t('profile.changePassword')}
        </button>
      </form>
    </section>
  );
}

function EmailForm({ current }: { current: string }) {
  const { t } = useLang();
  const change = useChangeEmail();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate({ email: email.trim(), password }, { onSuccess: () => setPassword('') });
  };
  return (
    <section className="panel" aria-labelledby="email-title">
      <h2 id="email-title" className="panel-title">{t('profile.email')}</h2>
      <form className="form" onSubmit={submit} noValidate data-testid="email-form">
        <p className="muted">{t('profile.currentEmail', { email: current })}</p>
        <Field label={t('profile.newEmail')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required testId="email-new" />
        <Field label={t('profile.confirmPassword')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required testId="email-password" />
        <FormError error={change.error} translate={(e) => (e.status === 403 ? t('profile.wrongPassword') : e.status === 409 ? t('profile.emailTaken') : undefined)} />
        {change.isSuccess && <p className="notice notice-success" role="status">{t('profile.emailChanged')}</p>}
        <button type="submit" className="btn btn-primary" disabled={change.isPending} data-testid="email-submit">
          {t('profile.changeEmail')}
        </button>
      </form>
    </section>
  );
}

function SessionsPanel() {
  const { t, lang } = useLang();
  const sessions = useSessions();
  const revokeOthers = useRevokeOtherSessions();
  const revokeOne = useRevokeSession();
  const [confirming, setConfirming] = useState(false);
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <div className="panel-head">
        <h2 id="sessions-title" className="panel-title">{t('profile.sessions')}</h2>
        <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirming(true)} data-testid="logout-everywhere">
          {t('profile.logoutEverywhere')}
        </button>
      </div>
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="sessions-table">
            <thead>
              <tr>
                <th scope="col">{t('profile.device')}</th>
                <th scope="col">{t('profile.ip')}</th>
                <th scope="col">{t('profile.started')}</th>
                <th scope="col">{t('profile.lastSeen')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.data.map((s) => (
                <tr key={s.id} data-testid="session-row">
                  <td data-label={t('profile.device')} title={s.user_agent ?? undefined}>
                    {describeUserAgent(s.user_agent)} {s.current && <span className="badge badge-info">{t('profile.thisDevice')}</span>}
                  </td>
                  <td data-label={t('profile.ip')}>{s.ip ?? '—'}</td>
                  <td data-label={t('profile.started')}>{formatDateTime(s.created_at, lang)}</td>
                  <td data-label={t('profile.lastSeen')}>{formatDateTime(s.last_seen_at, lang)}</td>
                  <td className="actions">
                    {!s.current && (
                      <button type="button" className="btn btn-small" onClick={() => revokeOne.mutate(s.id)} disabled={revokeOne.isPending} data-testid="session-revoke">
                        {t('profile.endSession')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={t('profile.logoutEverywhere')}
        message={<p>{t('profile.logoutEverywhereMessage')}</p>}
        confirmLabel={t('profile.logoutEverywhereConfirm')}
        danger
        busy={revokeOthers.isPending}
        error={<FormError error={revokeOthers.error} />}
        onConfirm={() => revokeOthers.mutate(undefined, { onSuccess: () => setConfirming(false) })}
        onClose={() => setConfirming(false)}
      />
    </section>
  );
}
