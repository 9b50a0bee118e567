// The basket's business event for the TSE (KassenSichV): the app is told when
// the basket fills (its TSE transaction starts) and when it empties (after a
// sale nothing is left to do; without one the transaction ends as an abort).
// The calls go out one after the other and nobody waits for them: the TSE
// never holds up the cashier. Emptied, the basket as it stood last goes with
// the call: an abort's lines are kept for the tax export (AVBelegabbruch).
import { api, type Basket } from './api';
import { session } from './session.svelte';

export function watchBasketEvent(): () => void {
  let filled = false;
  let last: Basket | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  return $effect.root(() => {
    $effect(() => {
      const now = session.basket.lines.length > 0;
      if (now) last = $state.snapshot(session.basket) as Basket;
      if (now === filled) return;
      filled = now;
      const before = last;
      const call = now || !before ? () => api.basketChanged(now) : () => api.basketAbandoned(before);
      queue = queue.then(call).catch(() => {
        // A TSE or journal that cannot take it now: the payment starts the
        // transaction itself, and the till's clean-up ends what is left open.
      });
    });
  });
}
