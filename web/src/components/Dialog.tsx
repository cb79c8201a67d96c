import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useLang } from '../i18n';

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** `drawer`: slides in from the right (details); `modal`: centred (forms). */
  variant?: 'modal' | 'drawer';
  testId?: string;
  /** Set while a request is in flight: Escape and the backdrop do not close it then. */
  busy?: boolean;
}

/**
 * The native <dialog> in modal mode: the browser traps focus, makes the page behind it inert, closes on
 * Escape and returns focus to the opener — no focus-trap code of our own to get wrong.
 */
export function Dialog({ open, title, onClose, children, variant = 'modal', testId, busy = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useLang();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${variant}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current && !busy) onClose(); // a click on the backdrop
      }}
    >
      {open && (
        <div className="dialog-body">
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="btn-icon" onClick={onClose} disabled={busy} aria-label={t('common.close')} data-testid="dialog-close">
              ×
            </button>
          </header>
          {children}
        </div>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: ReactNode;
  onConfirm: () => void;
  onClose: () => void;
  testId?: string;
}

export function ConfirmDialog({ open, title, message, confirmLabel, danger, busy, error, onConfirm, onClose, testId }: ConfirmProps) {
  const { t } = useLang();
  return (
    <Dialog open={open} title={title} onClose={onClose} busy={busy} testId={testId ?? 'confirm-dialog'}>
      <div className="dialog-content">{message}</div>
      {error}
      <footer className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className={danger ? 'btn btn-danger' : 'btn btn-primary'} onClick={onConfirm} disabled={busy} data-testid="confirm-button">
          {confirmLabel}
        </button>
      </footer>
    </Dialog>
  );
}
