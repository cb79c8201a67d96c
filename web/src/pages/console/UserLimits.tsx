import { useState, type FormEvent } from 'react';
import { useSetLimits } from '../../api/admin';
import type { AdminUserRow } from '../../api/types';
import { RateLimitFields, rateLimitDraftOf, rateLimitsOf } from '../../components/RateLimitFields';
import { FormError } from '../../components/States';
import { useLang } from '../../i18n';

/** The account's own fair-use limits, for all its keys together (each key may have tighter ones of its own). */
export function UserLimits({ user }: { user: AdminUserRow }) {
  const { t } = useLang();
  const setLimits = useSetLimits();
  const [draft, setDraft] = useState(() => rateLimitDraftOf(user));
  const [touched, setTouched] = useState(false);
  const limits = rateLimitsOf(draft);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (limits === undefined) return;
    setLimits.mutate({ id: user.id, body: limits }, { onSuccess: (saved) => setDraft(rateLimitDraftOf(saved)) });
  };

  return (
    <section className="panel" aria-labelledby="user-limits-title">
      <h2 id="user-limits-title">{t('limits.accountTitle')}</h2>
      <p className="muted small">{t('limits.accountHint')}</p>
      <form className="form" onSubmit={submit} noValidate data-testid="user-limits-form">
        <RateLimitFields
          draft={draft}
          onChange={(next) => {
            setDraft(next);
            setLimits.reset();
          }}
          touched={touched}
          testIdPrefix="user-limit"
        />
        <FormError error={setLimits.error} testId="user-limits-error" />
        <div className="toolbar">
          <button type="submit" className="btn btn-primary" disabled={setLimits.isPending} data-testid="user-limits-save">
            {t('common.save')}
          </button>
          {setLimits.isSuccess && (
            <span className="muted" role="status" data-testid="user-limits-saved">
              {t('limits.saved')}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
