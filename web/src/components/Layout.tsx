import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useLogout, useSession } from '../api/auth';
import { chooseLanguage, LANGUAGES, useLang } from '../i18n';

interface NavItem {
  to: string;
  label: string;
  testId: string;
  end?: boolean;
}

export function LanguageSwitch() {
  const { t, lang } = useLang();
  return (
    <div className="lang-switch" role="group" aria-label={t('nav.language')} data-testid="language-switch">
      {LANGUAGES.map((code) => (
        <button
          key={code}
          type="button"
          className={code === lang ? 'lang active' : 'lang'}
          aria-pressed={code === lang}
          onClick={() => chooseLanguage(code)}
          data-testid={`lang-${code}`}
          lang={code}
        >
          {code === 'ru' ? 'RU' : 'EN'}
        </button>
      ))}
    </div>
  );
}

function NavSection({ title, items, onNavigate }: { title: string; items: NavItem[]; onNavigate: () => void }) {
  return (
    <div className="nav-section">
      <p className="nav-title">{title}</p>
      <ul>
        {items.map((item) => (
          <li key={item.to}>
            <NavLink to={item.to} end={item.end} className="nav-link" data-testid={item.testId} onClick={onNavigate}>
              {item.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </div>
  );
}

function useCabinetNav(): NavItem[] {
  const { t } = useLang();
  return [
    { to: '/', label: t('nav.overview'), testId: 'nav-overview', end: true },
    { to: '/keys', label: t('nav.keys'), testId: 'nav-keys' },
    { to: '/history', label: t('nav.history'), testId: 'nav-history' },
    { to: '/usage', label: t('nav.usage'), testId: 'nav-usage' },
    { to: '/topup', label: t('nav.topup'), testId: 'nav-topup' },
    { to: '/quickstart', label: t('nav.quickstart'), testId: 'nav-quickstart' },
    { to: '/models', label: t('nav.models'), testId: 'nav-models' },
    { to: '/profile', label: t('nav.profile'), testId: 'nav-profile' },
  ];
}

function useConsoleNav(): NavItem[] {
  const { t } = useLang();
  return [
    { to: '/console', label: t('nav.consoleOverview'), testId: 'nav-console', end: true },
    { to: '/console/users', label: t('nav.users'), testId: 'nav-console-users' },
    { to: '/console/models', label: t('nav.consoleModels'), testId: 'nav-console-models' },
    { to: '/console/upstreams', label: t('nav.upstreams'), testId: 'nav-console-upstreams' },
    { to: '/console/payments', label: t('nav.payments'), testId: 'nav-console-payments' },
    { to: '/console/promo', label: t('nav.promo'), testId: 'nav-console-promo' },
    { to: '/console/audit', label: t('nav.audit'), testId: 'nav-console-audit' },
  ];
}

/**
 * Closes the phone menu on every navigation and, after the first page, moves focus to the new
 * page's content: screen readers and keyboard users start there, as after a full page load.
 */
function usePageChange(mainRef: RefObject<HTMLElement | null>, setMenuOpen: (open: boolean) => void): void {
  const location = useLocation();
  const firstPage = useRef(true);
  useEffect(() => {
    setMenuOpen(false);
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [location.pathname, mainRef, setMenuOpen]);
}

function MenuButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  const { t } = useLang();
  return (
    <button
      type="button"
      className="btn-icon menu-button"
      aria-expanded={open}
      aria-controls="sidebar"
      onClick={onToggle}
      data-testid="menu-button"
    >
      <span aria-hidden="true">☰</span>
      <span className="visually-hidden">{t('nav.menu')}</span>
    </button>
  );
}

function SidebarFooter() {
  const { t } = useLang();
  const session = useSession();
  const logout = useLogout();
  const navigate = useNavigate();
  const account = session.data?.account;
  return (
    <div className="sidebar-footer">
      <LanguageSwitch />
      <p className="account-email" data-testid="account-email" title={account?.email}>
        {account?.email}
      </p>
      <button
        type="button"
        className="btn btn-block"
        data-testid="logout-button"
        disabled={logout.isPending}
        onClick={() => logout.mutate(undefined, { onSettled: () => void navigate('/login') })}
      >
        {t('nav.logout')}
      </button>
    </div>
  );
}

/** The signed-in shell: a sidebar on wide screens, a top bar with a menu button on phones. */
export function Layout() {
  const { t } = useLang();
  const session = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const closeMenu = () => setMenuOpen(false);
  const mainRef = useRef<HTMLElement>(null);
  usePageChange(mainRef, setMenuOpen);
  const cabinet = useCabinetNav();
  const consoleItems = useConsoleNav();
  const isAdmin = session.data?.account?.role === 'admin';

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <Brand />
        <MenuButton open={menuOpen} onToggle={() => setMenuOpen((open) => !open)} />
      </header>
      <aside id="sidebar" className={menuOpen ? 'sidebar open' : 'sidebar'} aria-label={t('nav.main')}>
        <Brand />
        <nav aria-label={t('nav.main')}>
          <NavSection title={t('nav.cabinet')} items={cabinet} onNavigate={closeMenu} />
          {isAdmin && <NavSection title={t('nav.console')} items={consoleItems} onNavigate={closeMenu} />}
        </nav>
        <SidebarFooter />
      </aside>
      <main id="main" className="main" tabIndex={-1} ref={mainRef}>
        <Outlet />
      </main>
    </div>
  );
}

export function Brand() {
  return (
    <NavLink to="/" className="brand" aria-label="Tollgate">
      <span className="brand-mark" aria-hidden="true">
        T
      </span>
      <span>Tollgate</span>
    </NavLink>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Tollgate`;
  }, [title]);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
