import { useMemo, useState } from 'react';
import { useAdminModels, usePutModel } from '../../api/admin';
import type { AdminModel } from '../../api/types';
import { PageHeader } from '../../components/Layout';
import { EmptyState, ErrorState, FormError, Loading } from '../../components/States';
import { useLang } from '../../i18n';
import { formatDecimal, type Lang } from '../../lib/money';
import { ModelEditor, PRICE_FIELDS } from './ModelEditor';
import { RateSettings } from './RateSettings';

const PAGE = 50;

function usd(value: unknown, lang: Lang): string {
  return typeof value === 'string' ? `$${formatDecimal(value, lang, 2, 4)}` : '—';
}

function rub(model: AdminModel, field: string, lang: Lang): string {
  const value = model.rub_prices?.[field];
  return value ? `${formatDecimal(value, lang, 2, 4)} ₽` : '';
}

function ModelFilters({ search, onSearch, provider, onProvider, providers }: {
  search: string;
  onSearch: (value: string) => void;
  provider: string;
  onProvider: (value: string) => void;
  providers: string[];
}) {
  const { t } = useLang();
  return (
    <div className="filters">
      <div className="field">
        <label htmlFor="console-model-search">{t('models.search')}</label>
        <input id="console-model-search" type="search" value={search} onChange={(e) => onSearch(e.target.value)} data-testid="console-model-search" />
      </div>
      <div className="field">
        <label htmlFor="console-model-provider">{t('models.provider')}</label>
        <select id="console-model-provider" value={provider} onChange={(e) => onProvider(e.target.value)}>
          <option value="">{t('models.allProviders')}</option>
          {providers.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </div>
    </div>
  );
}

type ModelToggle = ReturnType<typeof usePutModel>;

function ModelRow({ model, toggle, onEdit }: { model: AdminModel; toggle: ModelToggle; onEdit: () => void }) {
  const { t, lang } = useLang();
  return (
    <tr data-testid={`console-model-row-${model.id}`} data-enabled={model.enabled}>
      <td data-label={t('models.model')}>
        <code>{model.id}</code>
        <div className="muted small">{t(`console.origin.${model.origin}`)}</div>
      </td>
      {PRICE_FIELDS.map((field) => (
        <td key={field} data-label={t(`console.price.${field}`)} className="num">
          <div>{usd(model.prices[field], lang)}</div>
          <div className="muted small" data-testid={`rub-${field}`}>{rub(model, field, lang)}</div>
        </td>
      ))}
      <td data-label={t('console.fallbacks')} className="small">{model.fallbacks.length ? model.fallbacks.join(', ') : '—'}</td>
      <td data-label={t('console.enabled')} className="actions">
        <input
          type="checkbox"
          className="switch"
          role="switch"
          checked={model.enabled}
          aria-checked={model.enabled}
          aria-label={`${t('console.enabled')}: ${model.id}`}
          disabled={toggle.isPending && toggle.variables?.id === model.id}
          onChange={(e) => toggle.mutate({ id: model.id, body: { enabled: e.target.checked } })}
          data-testid="model-enabled-toggle"
        />
        <button type="button" className="btn btn-small" onClick={onEdit} data-testid="model-edit" aria-label={`${t('common.edit')} ${model.id}`}>
          {t('common.edit')}
        </button>
      </td>
    </tr>
  );
}

function ModelsTable({ models, toggle, onEdit }: { models: AdminModel[]; toggle: ModelToggle; onEdit: (model: AdminModel) => void }) {
  const { t } = useLang();
  return (
    <div className="table-wrap">
      <table className="table table-models" data-testid="console-models-table">
        <thead>
          <tr>
            <th scope="col">{t('models.model')}</th>
            {PRICE_FIELDS.map((field) => (
              <th key={field} scope="col" className="num">{t(`console.price.${field}`)}</th>
            ))}
            <th scope="col">{t('console.fallbacks')}</th>
            <th scope="col">{t('console.enabled')}</th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <ModelRow key={model.id} model={model} toggle={toggle} onEdit={() => onEdit(model)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function ConsoleModels() {
  const { t } = useLang();
  const models = useAdminModels();
  const toggle = usePutModel();
  const [search, setSearch] = useState('');
  const [provider, setProvider] = useState('');
  const [shownCount, setShownCount] = useState(PAGE);
  const [editor, setEditor] = useState<{ open: boolean; model: AdminModel | null }>({ open: false, model: null });
  const all = models.data?.data;
  const providers = useMemo(() => [...new Set((all ?? []).map((m) => m.provider))].sort(), [all]);
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (all ?? []).filter((m) => (!provider || m.provider === provider) && (!needle || m.id.toLowerCase().includes(needle)));
  }, [all, search, provider]);

  return (
    <>
      <PageHeader
        title={t('console.modelsTitle')}
        subtitle={t('console.modelsSubtitle')}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setEditor({ open: true, model: null })} data-testid="add-model-button">
            {t('console.addModel')}
          </button>
        }
      />
      <RateSettings />
      <ModelFilters search={search} onSearch={setSearch} provider={provider} onProvider={setProvider} providers={providers} />
      <FormError error={toggle.error} />
      {models.isPending ? (
        <Loading />
      ) : models.isError ? (
        <ErrorState error={models.error} onRetry={() => void models.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={t('models.empty')} />
      ) : (
        <ModelsTable models={shown.slice(0, shownCount)} toggle={toggle} onEdit={(model) => setEditor({ open: true, model })} />
      )}
      {shown.length > shownCount && (
        <button type="button" className="btn" onClick={() => setShownCount((n) => n + PAGE * 4)} data-testid="models-show-more">
          {t('console.moreModels', { count: shown.length - shownCount })}
        </button>
      )}
      <ModelEditor open={editor.open} model={editor.model} rate={models.data?.usd_rub_rate ?? null} markup={models.data?.markup ?? '1'} onClose={() => setEditor({ open: false, model: null })} />
    </>
  );
}
