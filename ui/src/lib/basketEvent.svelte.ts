// The basket's business event for the TSE (KassenSichV): the app is told when
// the basket fills (its TSE transaction starts) and when it empties (after a
// sale nothing is left to do; without one the transaction ends as an abort).
// The calls go out one after the other and nobody waits for them: the TSE
// never holds up the cashier.
import { api } from './api';
import { session } from './session.svelte';

export function watchBasketEvent(): () => void {
  let filled = false;
  let queue: Promise<unknown> = Promise.resolve();
  return $effect.root(() => {
    $effect(() => {
      const now = session.basket.lines.length > 0;
      if (now === filled) return;
      filled = now;
      queue = queue.then(() => api.basketChanged(now)).catch(() => {
        // A TSE or journal that cannot take it now: the payment starts the
        // transaction itself, and the till's clean-up ends what is left open.
      });
    });
  });
}
