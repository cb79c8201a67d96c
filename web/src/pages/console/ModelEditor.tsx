import { useState, type FormEvent } from 'react';
import { usePutModel } from '../../api/admin';
import type { AdminModel, AdminModelInput } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { Checkbox, Field } from '../../components/Field';
import { FormError } from '../../components/States';
import { useLang } from '../../i18n';
import { formatScaled, multiplyDecimals } from '../../lib/money';

export const PRICE_FIELDS = ['input_per_mtok', 'cached_input_per_mtok', 'output_per_mtok'] as const;
const OPS = ['chat', 'responses', 'completions', 'embeddings', 'images.generate', 'images.edit', 'audio.speech', 'audio.transcribe'] as const;
const PRICE = /^[0-9]+(\.[0-9]+)?$/;

interface Draft {
  ref: string;
  prices: Record<string, string>;
  fallbacks: string;
  enabled: boolean;
  ops: string[];
}

function draftOf(model: AdminModel | null): Draft {
  const prices: Record<string, string> = {};
  for (const field of PRICE_FIELDS) {
    const value = model?.prices[field];
    prices[field] = typeof value === 'string' ? value : '';
  }
  return { ref: model?.id ?? '', prices, fallbacks: (model?.fallbacks ?? []).join(', '), enabled: model?.enabled ?? true, ops: model ? [...model.ops] : ['chat'] };
}

/** The body for PUT /api/admin/models/<ref>: the edited prices over the model's other prices, kept as they are. */
function bodyOf(draft: Draft, model: AdminModel | null): AdminModelInput {
  const prices: Record<string, unknown> = { ...(model?.prices ?? {}) };
  for (const field of PRICE_FIELDS) {
    const value = (draft.prices[field] ?? '').trim().replace(',', '.');
    if (value) prices[field] = value;
    else delete prices[field];
  }
  const fallbacks = draft.fallbacks.split(/[\s,]+/).filter(Boolean);
  const body: AdminModelInput = { prices, fallbacks, enabled: draft.enabled };
  if (!model) body.ops = draft.ops;
  return body;
}

interface EditorProps {
  open: boolean;
  /** null: a new model. */
  model: AdminModel | null;
  rate: string | null;
  markup: string;
  onClose: () => void;
}

export function ModelEditor(props: EditorProps) {
  const { t } = useLang();
  const put = usePutModel();
  return (
    <Dialog open={props.open} title={props.model ? t('console.editModel', { id: props.model.id }) : t('console.addModel')} onClose={props.onClose} busy={put.isPending} testId="model-editor">
      {props.open && <EditorForm key={props.model?.id ?? 'new'} {...props} put={put} />}
    </Dialog>
  );
}

function EditorForm({ model, rate, markup, onClose, put }: EditorProps & { put: ReturnType<typeof usePutModel> }) {
  const { t, lang } = useLang();
  const [draft, setDraft] = useState<Draft>(() => draftOf(model));
  const [touched, setTouched] = useState(false);
  const badPrice = PRICE_FIELDS.find((f) => {
    const value = (draft.prices[f] ?? '').trim().replace(',', '.');
    return value !== '' && !PRICE.test(value);
  });
  const refOk = model !== null || /^[a-z0-9_-]+\/[A-Za-z0-9._:/@-]+$/.test(draft.ref.trim());
  const opsOk = model !== null || draft.ops.length > 0;
  const rubOf = (usd: string) => {
    const value = usd.trim().replace(',', '.');
    const product = PRICE.test(value) && rate ? multiplyDecimals(value, rate, markup) : null;
    return product ? `≈ ${formatScaled(product, lang, 2, 4)} ₽` : '';
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (badPrice || !refOk || !opsOk) return;
    put.mutate({ id: model?.id ?? draft.ref.trim(), body: bodyOf(draft, model) }, { onSuccess: onClose });
  };
  const setPrice = (field: string, value: string) => setDraft((d) => ({ ...d, prices: { ...d.prices, [field]: value } }));

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="model-form">
      {!model && (
        <Field label={t('console.modelRef')} value={draft.ref} onChange={(e) => setDraft((d) => ({ ...d, ref: e.target.value }))} placeholder="openai/gpt-4o-mini" hint={t('console.modelRefHint')} error={touched && !refOk ? t('console.modelRefInvalid') : null} testId="model-ref" autoFocus />
      )}
      <p className="field-hint">{t('console.pricesHint')}</p>
      <div className="form-row form-row-3">
        {PRICE_FIELDS.map((field) => (
          <Field
            key={field}
            label={t(`console.price.${field}`)}
            inputMode="decimal"
            value={draft.prices[field] ?? ''}
            onChange={(e) => setPrice(field, e.target.value)}
            hint={rubOf(draft.prices[field] ?? '')}
            error={touched && badPrice === field ? t('console.decimalInvalid') : null}
            testId={`model-price-${field}`}
          />
        ))}
      </div>
      <Field label={t('console.fallbacks')} value={draft.fallbacks} onChange={(e) => setDraft((d) => ({ ...d, fallbacks: e.target.value }))} placeholder="openrouter/anthropic/claude-sonnet-4" hint={t('console.fallbacksHint')} testId="model-fallbacks" />
      {!model && (
        <fieldset className="checkbox-group">
          <legend>{t('console.ops')}</legend>
          {OPS.map((op) => (
            <Checkbox key={op} label={op} checked={draft.ops.includes(op)} onChange={(e) => setDraft((d) => ({ ...d, ops: e.target.checked ? [...d.ops, op] : d.ops.filter((o) => o !== op) }))} testId={`model-op-${op}`} />
          ))}
          {touched && !opsOk && <p className="field-error">{t('console.opsRequired')}</p>}
        </fieldset>
      )}
      <Checkbox label={t('console.enabled')} checked={draft.enabled} onChange={(e) => setDraft((d) => ({ ...d, enabled: e.target.checked }))} testId="model-enabled" />
      <FormError error={put.error} testId="model-error" />
      <footer className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={put.isPending}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={put.isPending} data-testid="model-save">
          {t('common.save')}
        </button>
      </footer>
    </form>
  );
}
