import { useLang } from '../i18n';

const TONE: Record<string, string> = {
  active: 'ok',
  paused: 'warn',
  revoked: 'muted',
  expired: 'muted',
  blocked: 'bad',
  admin: 'info',
  user: 'muted',
};

/** A key's or user's status as a coloured pill with a translated word (colour is never the only cue). */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useLang();
  return (
    <span className={`badge badge-${TONE[status] ?? 'muted'}`} data-testid="status-badge" data-status={status}>
      {t(`status.${status}`, { defaultValue: status })}
    </span>
  );
}

/** An HTTP status: 2xx green, 4xx amber, 5xx red. */
export function HttpStatus({ status }: { status: number }) {
  const tone = status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad';
  return <span className={`badge badge-${tone}`}>{status}</span>;
}
