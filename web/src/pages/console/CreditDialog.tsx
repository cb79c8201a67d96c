import { useState, type FormEvent } from 'react';
import { useCredit } from '../../api/admin';
import { newIdempotencyKey } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { FormError } from '../../components/States';
import { useLang } from '../../i18n';
import { formatRub, parseRubToMicro } from '../../lib/money';

/** Credit or debit with a note; one Idempotency-Key per opening, so a retried submit is applied once. */
export function CreditDialog({ userId, email, open, onClose }: { userId: string; email: string; open: boolean; onClose: () => void }) {
  const { t } = useLang();
  const credit = useCredit();
  return (
    <Dialog open={open} title={t('console.creditTitle', { email })} onClose={onClose} busy={credit.isPending} testId="credit-dialog">
      {open && <CreditForm userId={userId} credit={credit} onClose={onClose} />}
    </Dialog>
  );
}

function CreditForm({ userId, credit, onClose }: { userId: string; credit: ReturnType<typeof useCredit>; onClose: () => void }) {
  const { t, lang } = useLang();
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [direction, setDirection] = useState<'credit' | 'debit'>('credit');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [touched, setTouched] = useState(false);
  const micro = parseRubToMicro(amount);
  // The API takes up to 10^15 micro-rubles (a billion rubles) in one operation.
  const valid = micro !== null && micro > 0n && micro <= 1_000_000_000_000_000n;
  const signed = valid ? (direction === 'credit' ? micro : -micro) : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (signed === null || !note.trim()) return;
    credit.mutate({ id: userId, body: { amount_micro: Number(signed), note: note.trim(), idempotencyKey } }, { onSuccess: onClose });
  };

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="credit-form">
      <fieldset className="segmented" aria-label={t('console.direction')}>
        <label className={direction === 'credit' ? 'active' : ''}>
          <input type="radio" name="direction" value="credit" checked={direction === 'credit'} onChange={() => setDirection('credit')} data-testid="credit-direction-credit" />
          {t('console.credit')}
        </label>
        <label className={direction === 'debit' ? 'active' : ''}>
          <input type="radio" name="direction" value="debit" checked={direction === 'debit'} onChange={() => setDirection('debit')} data-testid="credit-direction-debit" />
          {t('console.debit')}
        </label>
      </fieldset>
      <Field
        label={t('console.amount')}
        inputMode="decimal"
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        placeholder="1000"
        hint={signed !== null ? t('console.amountPreview', { amount: formatRub(signed, lang, { precision: 'precise' }) }) : t('console.amountHint')}
        error={touched && !valid ? t('keys.amountInvalid') : null}
        testId="credit-amount"
        autoFocus
      />
      <Field label={t('console.note')} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} required error={touched && !note.trim() ? t('console.noteRequired') : null} testId="credit-note" />
      <FormError error={credit.error} testId="credit-error" />
      <footer className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={credit.isPending}>
          {t('common.cancel')}
        </button>
        <button type="submit" className={direction === 'credit' ? 'btn btn-primary' : 'btn btn-danger'} disabled={credit.isPending} data-testid="credit-submit">
          {direction === 'credit' ? t('console.doCredit') : t('console.doDebit')}
        </button>
      </footer>
    </form>
  );
}
