import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useLang } from '../i18n';

export function Loading({ label }: { label?: string }) {
  const { t } = useLang();
  return (
    <div className="state state-loading" role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </div>
  );
}

export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="state state-empty" data-testid={testId ?? 'empty'}>
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** The server's message when it sent one (it is written for people), else a generic line. */
export function errorText(error: unknown, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfter) return t('errors.throttled', { seconds: error.retryAfter });
    if (error.status === 0 || error.status >= 500) return t('errors.server');
    return error.message;
  }
  if (error instanceof TypeError) return t('errors.network');
  return t('errors.unknown');
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useLang();
  return (
    <div className="state state-error" role="alert" data-testid="error">
      <p className="state-title">{t('errors.title')}</p>
      <p>{errorText(error, t)}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/**
 * A form's failure, announced to screen readers. `translate` gives the form's own words for the refusals
 * it expects (the server's messages are English); anything else shows the server's message.
 */
export function FormError({ error, testId, translate }: { error: unknown; testId?: string; translate?: (error: ApiError) => string | undefined }) {
  const { t } = useLang();
  if (!error) return null;
  const own = error instanceof ApiError ? translate?.(error) : undefined;
  return (
    <p className="form-error" role="alert" data-testid={testId ?? 'form-error'}>
      {own ?? errorText(error, t)}
    </p>
  );
}

/** Pages through a cursor list: "newer" goes back along the cursors seen, "older" takes next_before. */
export function Pager({ canBack, canForward, onBack, onForward, testId }: { canBack: boolean; canForward: boolean; onBack: () => void; onForward: () => void; testId?: string }) {
  const { t } = useLang();
  if (!canBack && !canForward) return null; // everything fits on one page
  return (
    <nav className="pager" aria-label={t('common.pages')} data-testid={testId ?? 'pager'}>
      <button type="button" className="btn" disabled={!canBack} onClick={onBack} data-testid="pager-newer">
        ← {t('common.newer')}
      </button>
      <button type="button" className="btn" disabled={!canForward} onClick={onForward} data-testid="pager-older">
        {t('common.older')} →
      </button>
    </nav>
  );
}
