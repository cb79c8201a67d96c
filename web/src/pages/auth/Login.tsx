import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useLogin, useSession } from '../../api/auth';
import { Field } from '../../components/Field';
import { FormError, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { AuthShell, safeNext } from './AuthShell';

export function LoginPage() {
  const { t } = useLang();
  const session = useSession();
  const login = useLogin();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const next = safeNext(params.get('next'));

  if (session.isPending) return <Loading />;
  if (session.data?.account && !login.isPending) return <Navigate to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!email.trim() || !password) return;
    login.mutate({ email: email.trim(), password }, { onSuccess: () => void navigate(next, { replace: true }) });
  };

  return (
    <AuthShell
      title={t('auth.loginTitle')}
      footer={
        <>
          <Link to="/reset" data-testid="forgot-link">
            {t('auth.forgot')}
          </Link>
          {session.data?.signup !== 'closed' && (
            <span>
              {t('auth.noAccount')}{' '}
              <Link to="/signup" data-testid="signup-link">
                {t('auth.signupLink')}
              </Link>
            </span>
          )}
        </>
      }
    >
      <form onSubmit={submit} className="form" data-testid="login-form" noValidate>
        <Field label={t('auth.email')} type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={touched && !email.trim() ? t('common.required') : null} testId="login-email" autoFocus />
        <Field label={t('auth.password')} type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={touched && !password ? t('common.required') : null} testId="login-password" />
        <FormError error={login.error} testId="login-error" translate={(e) => (e.status === 401 ? t('auth.wrongCredentials') : e.status === 403 ? t('auth.blocked') : undefined)} />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending} data-testid="login-submit">
          {login.isPending ? t('auth.signingIn') : t('auth.login')}
        </button>
      </form>
    </AuthShell>
  );
}
