import { useMemo, useState } from 'react';
import { useModels } from '../../api/cabinet';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatCount } from '../../lib/format';
import { formatDecimal, type Lang } from '../../lib/money';

const rubPrice = (value: string | null, lang: Lang) => (value === null ? '—' : `${formatDecimal(value, lang, 2, 4)}${lang === 'ru' ? '\u00a0₽' : ' ₽'}`);

/** The catalog with ruble prices per 1M tokens (the markup applied), searchable. */
export function ModelsPage() {
  const { t, lang } = useLang();
  const models = useModels();
  const [search, setSearch] = useState('');
  const [provider, setProvider] = useState('');
  const providers = useMemo(() => [...new Set((models.data?.data ?? []).map((m) => m.provider))].sort(), [models.data]);
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (models.data?.data ?? []).filter((m) => (!provider || m.provider === provider) && (!needle || m.id.toLowerCase().includes(needle) || m.name.toLowerCase().includes(needle)));
  }, [models.data, search, provider]);

  return (
    <>
      <PageHeader title={t('models.title')} subtitle={t('models.subtitle')} />
      <div className="filters">
        <div className="field">
          <label htmlFor="model-search">{t('models.search')}</label>
          <input id="model-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="claude, gpt-4o, gemini" data-testid="models-search" />
        </div>
        <div className="field">
          <label htmlFor="model-provider">{t('models.provider')}</label>
          <select id="model-provider" value={provider} onChange={(e) => setProvider(e.target.value)} data-testid="models-provider">
            <option value="">{t('models.allProviders')}</option>
            {providers.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
      </div>
      {models.isPending ? (
        <Loading />
      ) : models.isError ? (
        <ErrorState error={models.error} onRetry={() => void models.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={t('models.empty')} />
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="models-table">
            <caption className="visually-hidden">{t('models.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('models.model')}</th>
                <th scope="col" className="num">{t('models.input')}</th>
                <th scope="col" className="num">{t('models.cached')}</th>
                <th scope="col" className="num">{t('models.output')}</th>
                <th scope="col" className="num">{t('models.context')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((model) => (
                <tr key={model.id} data-testid={`model-row-${model.id}`}>
                  <td data-label={t('models.model')}>
                    <code>{model.id}</code>
                    {model.deprecated ? <span className="badge badge-warn">{t('models.deprecated')}</span> : null}
                  </td>
                  <td data-label={t('models.input')} className="num">{rubPrice(model.input_rub_per_mtok, lang)}</td>
                  <td data-label={t('models.cached')} className="num">{rubPrice(model.cached_input_rub_per_mtok, lang)}</td>
                  <td data-label={t('models.output')} className="num">{rubPrice(model.output_rub_per_mtok, lang)}</td>
                  <td data-label={t('models.context')} className="num">{model.context_window ? formatCount(model.context_window, lang) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {models.data && <p className="muted small">{t('models.footnote', { count: models.data.data.length })}</p>}
    </>
  );
}
