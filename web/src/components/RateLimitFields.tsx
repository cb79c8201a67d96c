import { Field } from './Field';
import { useLang } from '../i18n';
import { countOf, type RateLimitDraft } from '../lib/rate-limits';

export { rateLimitDraftOf, rateLimitsOf, rateLimitsText, type RateLimitDraft, type RateLimits } from '../lib/rate-limits';

interface RateLimitFieldsProps {
  draft: RateLimitDraft;
  onChange: (draft: RateLimitDraft) => void;
  /** Show the errors (after a submit). */
  touched: boolean;
  /** data-testid prefix: `${prefix}-rpm`, `-tpm`, `-concurrency`. */
  testIdPrefix: string;
}

/** Requests per minute, tokens per minute, requests in flight: optional whole numbers, empty = no limit. */
export function RateLimitFields({ draft, onChange, touched, testIdPrefix }: RateLimitFieldsProps) {
  const { t } = useLang();
  const field = (name: keyof RateLimitDraft, label: string) => (
    <Field
      label={label}
      inputMode="numeric"
      value={draft[name]}
      onChange={(e) => onChange({ ...draft, [name]: e.target.value })}
      placeholder={t('limits.none')}
      error={touched && countOf(draft[name]) === undefined ? t('limits.invalid') : null}
      testId={`${testIdPrefix}-${name}`}
    />
  );
  return (
    <fieldset className="form-row" data-testid={`${testIdPrefix}-fields`}>
      <legend className="field-hint">{t('limits.hint')}</legend>
      {field('rpm', t('limits.rpm'))}
      {field('tpm', t('limits.tpm'))}
      {field('concurrency', t('limits.concurrency'))}
    </fieldset>
  );
}
