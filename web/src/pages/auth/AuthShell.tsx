import { useEffect, type ReactNode } from 'react';
import { Brand, LanguageSwitch } from '../../components/Layout';

/** The signed-out pages: one card in the middle, the brand and the language switch. */
export function AuthShell({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Tollgate`;
  }, [title]);
  return (
    <div className="auth-page">
      <header className="auth-top">
        <Brand />
        <LanguageSwitch />
      </header>
      <main className="auth-card" id="main">
        <h1>{title}</h1>
        {children}
        {footer && <div className="auth-footer">{footer}</div>}
      </main>
    </div>
  );
}

/** Only same-site paths are followed after a login (`?next=https://evil` is ignored). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}
