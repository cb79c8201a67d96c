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

/** HTTP statuses with a word of their own; any other is named by its class (2xx, 4xx, 5xx). 0: never answered. */
const NAMED_STATUSES = new Set([0, 200, 400, 401, 402, 403, 404, 408, 413, 422, 429, 499, 500, 502, 503, 504]);

/** A request's HTTP status in words ("Insufficient funds" for 402). */
export function httpStatusWord(status: number, t: (key: string) => string): string {
  const name = NAMED_STATUSES.has(status) ? String(status) : status < 300 ? '2xx' : status < 500 ? '4xx' : '5xx';
  return t(`history.httpStatus.${name}`);
}

/** An HTTP status: 2xx green, 4xx amber, 5xx red (0, never answered, amber); its word under the number. */
export function HttpStatus({ status }: { status: number }) {
  const { t } = useLang();
  const tone = status === 0 ? 'warn' : status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad';
  return (
    <>
      <span className={`badge badge-${tone}`} data-testid="http-status">{status}</span>
      <div className="muted small" data-testid="http-status-word">{httpStatusWord(status, t)}</div>
    </>
  );
}
