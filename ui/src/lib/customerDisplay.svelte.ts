// The cashier's side of the customer display: the basket lives in this window,
// so every change of it (and whether a payment screen is open) is reported to
// the Rust side, which pushes the display's view to its window. Nobody waits:
// the display never holds up the cashier.
import { api, type Basket } from './api';
import { nav, type Screen } from './nav.svelte';
import { session } from './session.svelte';

/** The screens on which the customer is paying. */
const PAYING: Screen[] = ['cash', 'card', 'secucard-pay', 'qr'];

export function watchCustomerDisplay(): () => void {
  let last = '';
  return $effect.root(() => {
    $effect(() => {
      // Reading it whole tracks every field of every line; a plain copy crosses the IPC.
      const text = JSON.stringify(session.basket);
      const basket = JSON.parse(text) as Basket;
      const paying = PAYING.includes(nav.screen) && basket.lines.length > 0;
      const now = `${paying}${text}`;
      if (now === last) return;
      last = now;
      api.customerBasket(basket, paying).catch(() => {
        // The display shows the next change; the sale goes on without it.
      });
    });
  });
}
