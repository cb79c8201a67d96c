import { useId, useMemo, useState } from 'react';
import { useModels } from '../api/cabinet';
import { useLang } from '../i18n';

const SHOWN = 60;

/**
 * The key's model allow-list: picked from the catalog (/api/models) with a search, or typed as a pattern
 * (`anthropic/*`, `gpt-4o*`). An empty list means every model.
 */
export function ModelPicker({ value, onChange }: { value: string[]; onChange: (models: string[]) => void }) {
  const { t } = useLang();
  const models = useModels();
  const [search, setSearch] = useState('');
  const searchId = useId();
  const selected = new Set(value);
  const matches = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const all = models.data?.data ?? [];
    return needle ? all.filter((m) => m.id.toLowerCase().includes(needle) || m.name.toLowerCase().includes(needle)) : all;
  }, [models.data, search]);
  const toggle = (id: string) => onChange(selected.has(id) ? value.filter((m) => m !== id) : [...value, id]);
  const pattern = search.trim();
  const canAddPattern = pattern.includes('*') && !selected.has(pattern);

  return (
    <fieldset className="model-picker" data-testid="model-picker">
      <legend>{t('keys.models')}</legend>
      <p className="field-hint">{value.length === 0 ? t('keys.modelsAll') : t('keys.modelsSome', { count: value.length })}</p>
      {value.length > 0 && (
        <ul className="chips" aria-label={t('keys.modelsChosen')}>
          {value.map((model) => (
            <li key={model} className="chip">
              <span>{model}</span>
              <button type="button" className="chip-remove" aria-label={t('keys.modelRemove', { model })} onClick={() => toggle(model)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor={searchId}>{t('keys.modelSearch')}</label>
      <div className="inline-row">
        <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="gpt-4o, claude, anthropic/*" data-testid="model-search" />
        {canAddPattern && (
          <button type="button" className="btn btn-small" onClick={() => onChange([...value, pattern])} data-testid="model-add-pattern">
            {t('keys.addPattern')}
          </button>
        )}
      </div>
      <div className="model-options" role="group" aria-label={t('keys.modelOptions')}>
        {models.isPending && <p className="muted">{t('common.loading')}</p>}
        {models.isError && <p className="field-error">{t('errors.server')}</p>}
        {matches.slice(0, SHOWN).map((model) => (
          <label key={model.id} className="model-option">
            <input type="checkbox" checked={selected.has(model.id)} onChange={() => toggle(model.id)} data-testid={`model-option-${model.id}`} />
            <span>{model.id}</span>
          </label>
        ))}
        {matches.length > SHOWN && <p className="muted">{t('keys.moreModels', { count: matches.length - SHOWN })}</p>}
        {models.data && matches.length === 0 && <p className="muted">{t('keys.noModelMatch')}</p>}
      </div>
    </fieldset>
  );
}
