import { useEffect, useState } from 'react';
import { useLang } from '../i18n';

/** Copies with the Clipboard API, or (plain-http LAN addresses are no secure context) a hidden textarea. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the old way
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

/** `label`: the visible text (default "Copy"); `ariaLabel`: a longer name when several copy buttons share a page. */
export function CopyButton({ text, label, ariaLabel, testId }: { text: string; label?: string; ariaLabel?: string; testId?: string }) {
  const { t } = useLang();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const shown = state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : (label ?? t('common.copy'));
  return (
    <button
      type="button"
      className="btn btn-small"
      data-testid={testId ?? 'copy-button'}
      aria-label={ariaLabel ?? label ?? t('common.copy')}
      onClick={() => void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))}
    >
      <span aria-live="polite">{shown}</span>
    </button>
  );
}

/** A code block with its copy button. */
export function CodeBlock({ code, label, testId }: { code: string; label: string; testId?: string }) {
  return (
    <div className="code-block" data-testid={testId}>
      <div className="code-block-bar">
        <span>{label}</span>
        <CopyButton text={code} testId={testId ? `${testId}-copy` : undefined} />
      </div>
      <pre tabIndex={0} aria-label={label}>
        <code>{code}</code>
      </pre>
    </div>
  );
}
