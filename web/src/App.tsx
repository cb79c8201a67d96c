import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { sessionKey, useSession } from './api/auth';
import { setUnauthorizedHandler } from './api/client';
import { Layout } from './components/Layout';
import { ErrorState, Loading } from './components/States';
import { useLang } from './i18n';
import { LoginPage } from './pages/auth/Login';
import { ResetPage } from './pages/auth/Reset';
import { SignupPage } from './pages/auth/Signup';
import { HistoryPage } from './pages/cabinet/History';
import { KeysPage } from './pages/cabinet/Keys';
import { ModelsPage } from './pages/cabinet/Models';
import { OverviewPage } from './pages/cabinet/Overview';
import { ProfilePage } from './pages/cabinet/Profile';
import { QuickstartPage } from './pages/cabinet/Quickstart';
import { TopupPage } from './pages/cabinet/Topup';
import { UsagePage } from './pages/cabinet/Usage';

// The console is for admins only: its code loads when an admin opens it.
const ConsoleOverview = lazy(() => import('./pages/console/Overview'));
const ConsoleUsers = lazy(() => import('./pages/console/Users'));
const ConsoleUser = lazy(() => import('./pages/console/UserDetail'));
const ConsoleModels = lazy(() => import('./pages/console/Models'));
const ConsoleUpstreams = lazy(() => import('./pages/console/Upstreams'));
const ConsoleAudit = lazy(() => import('./pages/console/Audit'));
const ConsolePromo = lazy(() => import('./pages/console/Promo'));
const ConsolePayments = lazy(() => import('./pages/console/Payments'));

/** A 401 from any page means the session ended: forget it and go to the login page, coming back after. */
function useUnauthorizedRedirect() {
  const navigate = useNavigate();
  const client = useQueryClient();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      client.clear();
      void client.invalidateQueries({ queryKey: sessionKey });
      const here = window.location.pathname + window.location.search;
      if (!window.location.pathname.startsWith('/login')) void navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [navigate, client]);
}

function RequireAccount({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <Loading />;
  if (session.isError) return <ErrorState error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data.account) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  return <>{children}</>;
}

function RequireAdmin({ children }: { children: ReactNode }) {
  const session = useSession();
  const { t } = useLang();
  if (session.data?.account?.role !== 'admin') {
    return (
      <div className="state state-error" role="alert" data-testid="forbidden">
        <p className="state-title">{t('errors.forbiddenTitle')}</p>
        <p>{t('errors.forbidden')}</p>
      </div>
    );
  }
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function NotFound() {
  const { t } = useLang();
  return (
    <div className="state state-empty" data-testid="not-found">
      <p className="state-title">{t('errors.notFoundTitle')}</p>
      <p>{t('errors.notFound')}</p>
    </div>
  );
}

export function App() {
  useUnauthorizedRedirect();
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/signup" element={<SignupPage />} />
      <Route path="/reset" element={<ResetPage />} />
      <Route
        element={
          <RequireAccount>
            <Layout />
          </RequireAccount>
        }
      >
        <Route index element={<OverviewPage />} />
        <Route path="keys" element={<KeysPage />} />
        <Route path="history" element={<HistoryPage />} />
        <Route path="usage" element={<UsagePage />} />
        <Route path="quickstart" element={<QuickstartPage />} />
        <Route path="models" element={<ModelsPage />} />
        <Route path="topup" element={<TopupPage />} />
        <Route path="profile" element={<ProfilePage />} />
        <Route path="console" element={<RequireAdmin><ConsoleOverview /></RequireAdmin>} />
        <Route path="console/users" element={<RequireAdmin><ConsoleUsers /></RequireAdmin>} />
        <Route path="console/users/:id" element={<RequireAdmin><ConsoleUser /></RequireAdmin>} />
        <Route path="console/models" element={<RequireAdmin><ConsoleModels /></RequireAdmin>} />
        <Route path="console/upstreams" element={<RequireAdmin><ConsoleUpstreams /></RequireAdmin>} />
        <Route path="console/audit" element={<RequireAdmin><ConsoleAudit /></RequireAdmin>} />
        <Route path="console/promo" element={<RequireAdmin><ConsolePromo /></RequireAdmin>} />
        <Route path="console/payments" element={<RequireAdmin><ConsolePayments /></RequireAdmin>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
