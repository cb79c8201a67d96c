import { useUpstreams } from '../../api/admin';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatDateTime } from '../../lib/format';

export default function ConsoleUpstreams() {
  const { t, lang } = useLang();
  const upstreams = useUpstreams();
  const now = Date.now();
  return (
    <>
      <PageHeader title={t('console.upstreamsTitle')} subtitle={t('console.upstreamsSubtitle')} />
      {upstreams.isPending ? (
        <Loading />
      ) : upstreams.isError ? (
        <ErrorState error={upstreams.error} onRetry={() => void upstreams.refetch()} />
      ) : upstreams.data.data.length === 0 ? (
        <EmptyState title={t('console.noUpstreams')} />
      ) : (
        <div className="upstreams" data-testid="upstreams">
          {upstreams.data.data.map((upstream) => (
            <section key={upstream.provider} className="panel" data-testid={`upstream-${upstream.provider}`} aria-labelledby={`up-${upstream.provider}`}>
              <div className="panel-head">
                <h2 id={`up-${upstream.provider}`} className="panel-title">{upstream.provider}</h2>
                <span className={upstream.configured ? 'badge badge-ok' : 'badge badge-muted'}>{upstream.configured ? t('console.configured') : t('console.notConfigured')}</span>
              </div>
              <dl className="detail-list detail-list-compact">
                <div className="detail-item"><dt>{t('console.baseUrl')}</dt><dd><code>{upstream.base_url}</code></dd></div>
                <div className="detail-item"><dt>{t('console.dialect')}</dt><dd>{upstream.dialect}</dd></div>
                <div className="detail-item"><dt>{t('console.mounts')}</dt><dd>{upstream.mounts.join(', ') || '—'}</dd></div>
              </dl>
              {upstream.keys.length === 0 ? (
                <p className="muted">{t('console.noUpstreamKeys')}</p>
              ) : (
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">{t('console.upstreamKey')}</th>
                      <th scope="col">{t('console.health')}</th>
                      <th scope="col">{t('console.lastError')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {upstream.keys.map((key) => {
                      const resting = key.resting_until !== null && Date.parse(key.resting_until) > now;
                      return (
                        <tr key={key.label} data-testid="upstream-key">
                          <td data-label={t('console.upstreamKey')}><code>{key.label}</code></td>
                          <td data-label={t('console.health')}>
                            <span className={resting ? 'badge badge-warn' : 'badge badge-ok'}>{resting ? t('console.resting', { date: formatDateTime(key.resting_until, lang) }) : t('console.healthy')}</span>
                          </td>
                          <td data-label={t('console.lastError')} className="small">
                            {key.last_error ? `${t(`console.upstreamError.${key.last_error}`)} · ${formatDateTime(key.last_error_at, lang)}` : '—'}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </section>
          ))}
        </div>
      )}
    </>
  );
}
