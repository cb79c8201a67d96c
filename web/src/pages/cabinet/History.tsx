import { useState, type FormEvent } from 'react';
import { useKeys, type RequestFilters } from '../../api/cabinet';
import { Field, SelectField } from '../../components/Field';
import { PageHeader } from '../../components/Layout';
import { RequestHistory } from '../../components/RequestHistory';
import { useLang } from '../../i18n';
import { useCursor } from '../../lib/cursor';
import { dayToIso } from '../../lib/format';

interface FilterDraft {
  key_id: string;
  model: string;
  status: string;
  from: string;
  to: string;
}

const EMPTY: FilterDraft = { key_id: '', model: '', status: '', from: '', to: '' };

function toFilters(draft: FilterDraft): RequestFilters {
  return {
    key_id: draft.key_id || undefined,
    model: draft.model.trim() || undefined,
    status: draft.status || undefined,
    from: dayToIso(draft.from),
    to: dayToIso(draft.to, true),
  };
}

export function HistoryPage() {
  const { t } = useLang();
  const keys = useKeys();
  const cursor = useCursor();
  const [draft, setDraft] = useState<FilterDraft>(EMPTY);
  const [filters, setFilters] = useState<RequestFilters>({});
  const set = (field: keyof FilterDraft, value: string) => setDraft((d) => ({ ...d, [field]: value }));
  const apply = (event?: FormEvent) => {
    event?.preventDefault();
    cursor.reset();
    setFilters(toFilters(draft));
  };

  return (
    <>
      <PageHeader title={t('history.title')} subtitle={t('history.subtitle')} />
      <form className="filters" onSubmit={apply} aria-label={t('history.filters')} data-testid="history-filters">
        <SelectField label={t('history.key')} value={draft.key_id} onChange={(e) => set('key_id', e.target.value)} testId="filter-key">
          <option value="">{t('history.allKeys')}</option>
          {keys.data?.data.map((key) => (
            <option key={key.id} value={key.id}>
              {key.name ? `${key.name} (${key.prefix}…)` : `${key.prefix}…`}
            </option>
          ))}
        </SelectField>
        <Field label={t('history.model')} value={draft.model} onChange={(e) => set('model', e.target.value)} placeholder="gpt-4o-mini" testId="filter-model" />
        <SelectField label={t('history.status')} value={draft.status} onChange={(e) => set('status', e.target.value)} testId="filter-status">
          <option value="">{t('history.allStatuses')}</option>
          <option value="ok">{t('history.statusOk')}</option>
          <option value="error">{t('history.statusError')}</option>
          <option value="429">429</option>
          <option value="402">402</option>
        </SelectField>
        <Field label={t('history.from')} type="date" value={draft.from} onChange={(e) => set('from', e.target.value)} testId="filter-from" />
        <Field label={t('history.to')} type="date" value={draft.to} onChange={(e) => set('to', e.target.value)} testId="filter-to" />
        <div className="filters-actions">
          <button type="submit" className="btn btn-primary" data-testid="filter-apply">
            {t('history.apply')}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDraft(EMPTY);
              cursor.reset();
              setFilters({});
            }}
            data-testid="filter-reset"
          >
            {t('history.reset')}
          </button>
        </div>
      </form>
      <RequestHistory filters={filters} cursor={cursor} />
    </>
  );
}
