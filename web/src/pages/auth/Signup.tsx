import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { useSession, useSignup } from '../../api/auth';
import { Field } from '../../components/Field';
import { FormError, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { AuthShell } from './AuthShell';

export const MIN_PASSWORD = 8;

export function SignupPage() {
  const { t } = useLang();
  const session = useSession();
  const signup = useSignup();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [touched, setTouched] = useState(false);

  if (session.isPending) return <Loading />;
  if (session.data?.account && !signup.isPending) return <Navigate to="/" replace />;
  if (session.data?.signup === 'closed') {
    return (
      <AuthShell title={t('auth.signupTitle')} footer={<Link to="/login">{t('auth.toLogin')}</Link>}>
        <p data-testid="signup-closed">{t('auth.signupClosed')}</p>
      </AuthShell>
    );
  }

  const tooShort = password.length < MIN_PASSWORD;
  const mismatch = repeat !== password;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!email.trim() || tooShort || mismatch) return;
    signup.mutate({ email: email.trim(), password }, { onSuccess: () => void navigate('/', { replace: true }) });
  };

  return (
    <AuthShell
      title={t('auth.signupTitle')}
      footer={
        <span>
          {t('auth.haveAccount')} <Link to="/login">{t('auth.login')}</Link>
        </span>
      }
    >
      <form onSubmit={submit} className="form" data-testid="signup-form" noValidate>
        <Field label={t('auth.email')} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={touched && !email.trim() ? t('common.required') : null} testId="signup-email" autoFocus />
        <Field
          label={t('auth.password')}
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={t('auth.passwordHint', { count: MIN_PASSWORD })}
          error={touched && tooShort ? t('auth.passwordShort', { count: MIN_PASSWORD }) : null}
          testId="signup-password"
        />
        <Field
          label={t('auth.passwordRepeat')}
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          error={touched && mismatch ? t('auth.passwordMismatch') : null}
          testId="signup-password-repeat"
        />
        <FormError error={signup.error} testId="signup-error" translate={(e) => (e.status === 409 ? t('auth.emailTaken') : e.status === 403 ? t('auth.signupClosed') : undefined)} />
        <button type="submit" className="btn btn-primary btn-block" disabled={signup.isPending} data-testid="signup-submit">
          {signup.isPending ? t('auth.creating') : t('auth.signup')}
        </button>
      </form>
    </AuthShell>
  );
}
