// The mock YooKassa's confirmation page (confirmation_url): a plain HTML form, no script.
// "Оплатить" pays the payment, "Отменить" cancels it; the mock then notifies the webhook
// and 302-redirects to the payment's return_url.

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** "1234.50" → "1 234,50 ₽" */
export function rubles(value: string): string {
  const [int = '0', frac = '00'] = value.split('.');
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')},${frac}\u00a0₽`;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
.amount{font-size:2rem;font-weight:600;margin:.5rem 0 1.5rem}fieldset{border:1px solid #ddd;border-radius:.5rem;margin:0 0 1rem}
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.5rem;border:0;cursor:pointer;margin-right:.5rem}
.pay{background:#7b61ff;color:#fff}.cancel{background:#eee}</style></head>
<body><p><strong>ЮKassa</strong> · test mode (mock)</p>${body}</body></html>`;
}

export interface PageInfo { id: string; status: string; amount: { value: string }; description?: string; shop: string; returnUrl: string }

export function checkoutPage(p: PageInfo): string {
  const sum = rubles(p.amount.value);
  if (p.status !== 'pending') {
    return layout('ЮKassa — платёж', `<h1>Платёж ${esc(p.status === 'canceled' ? 'отменён' : 'оплачен')}</h1>
<p data-testid="yookassa-status">${esc(p.status)}</p><p class="amount">${esc(sum)}</p>
<p><a href="${esc(p.returnUrl)}" data-testid="yookassa-return">Вернуться в магазин</a></p>`);
  }
  return layout('ЮKassa — оплата', `<h1>Оплата заказа</h1>
<p data-testid="yookassa-description">${esc(p.description ?? '')}</p>
<p class="amount" data-testid="yookassa-amount">${esc(sum)}</p>
<p>Магазин ${esc(p.shop)} · платёж <code>${esc(p.id)}</code></p>
<form method="post" action="/checkout/${esc(p.id)}">
<fieldset><legend>Способ оплаты</legend>
<label><input type="radio" name="method" value="bank_card" checked data-testid="yookassa-method-card"> Банковская карта</label><br>
<label><input type="radio" name="method" value="sbp" data-testid="yookassa-method-sbp"> СБП</label></fieldset>
<button class="pay" type="submit" name="action" value="pay" data-testid="yookassa-pay">Оплатить ${esc(sum)}</button>
<button class="cancel" type="submit" name="action" value="cancel" data-testid="yookassa-cancel">Отменить (Cancel)</button>
</form>`);
}

export function notFoundPage(): string {
  return layout('ЮKassa — не найдено', '<h1>Платёж не найден</h1><p data-testid="yookassa-status">not_found</p>');
}
