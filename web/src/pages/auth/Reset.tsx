import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useResetConfirm, useResetRequest, useSession } from '../../api/auth';
import { Field } from '../../components/Field';
import { FormError } from '../../components/States';
import { useLang } from '../../i18n';
import { AuthShell } from './AuthShell';
import { MIN_PASSWORD } from './Signup';

/** `/reset`: ask for a link by email; `/reset?token=…` (the link): set a new password. */
export function ResetPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return token ? <SetPassword token={token} /> : <RequestLink />;
}

function RequestLink() {
  const { t } = useLang();
  const request = useResetRequest();
  const session = useSession();
  const [email, setEmail] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    request.mutate(email.trim());
  };
  return (
    <AuthShell title={t('reset.requestTitle')} footer={<Link to="/login">{t('auth.toLogin')}</Link>}>
      {request.isSuccess ? (
        <p className="notice notice-success" role="status" data-testid="reset-requested">
          {t('reset.requested')}
        </p>
      ) : (
        <form onSubmit={submit} className="form" data-testid="reset-request-form" noValidate>
          <p className="muted">{t('reset.requestHint')}</p>
          {session.data?.password_reset_mail === false && (
            <p className="notice notice-info" data-testid="reset-no-mail">
              {t('reset.noMail')}
            </p>
          )}
          <Field label={t('auth.email')} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} testId="reset-email" autoFocus />
          <FormError error={request.error} />
          <button type="submit" className="btn btn-primary btn-block" disabled={request.isPending || !email.trim()} data-testid="reset-request-submit">
            {t('reset.send')}
          </button>
        </form>
      )}
    </AuthShell>
  );
}

function SetPassword({ token }: { token: string }) {
  const { t } = useLang();
  const confirm = useResetConfirm();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [touched, setTouched] = useState(false);
  const tooShort = password.length < MIN_PASSWORD;
  const mismatch = password !== repeat;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!tooShort && !mismatch) confirm.mutate({ token, password });
  };
  return (
    <AuthShell title={t('reset.setTitle')} footer={<Link to="/login">{t('auth.toLogin')}</Link>}>
      {confirm.isSuccess ? (
        <p className="notice notice-success" role="status" data-testid="reset-done">
          {t('reset.done')} <Link to="/login">{t('auth.login')}</Link>
        </p>
      ) : (
        <form onSubmit={submit} className="form" data-testid="reset-set-form" noValidate>
          <Field
            label={t('reset.newPassword')}
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            hint={t('auth.passwordHint', { count: MIN_PASSWORD })}
            error={touched && tooShort ? t('auth.passwordShort', { count: MIN_PASSWORD }) : null}
            testId="reset-password"
            autoFocus
          />
          <Field
            label={t('auth.passwordRepeat')}
            type="password"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
            error={touched && mismatch ? t('auth.passwordMismatch') : null}
            testId="reset-password-repeat"
          />
          <FormError error={confirm.error} testId="reset-error" translate={(e) => (e.param === 'token' ? t('reset.invalidLink') : undefined)} />
          <button type="submit" className="btn btn-primary btn-block" disabled={confirm.isPending} data-testid="reset-set-submit">
            {t('reset.save')}
          </button>
        </form>
      )}
    </AuthShell>
  );
}
