import { afterEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { backend } from '../test/backend';
import { session } from './session.svelte';
import { watchBasketEvent } from './basketEvent.svelte';

const line = { article_number: null, ean: null, text: 'Brot', quantity: 1, unit_price: 250, vat: 'reduced' as const };

describe('the basket event', () => {
  let stop: (() => void) | null = null;
  afterEach(() => {
    stop?.();
    session.basket = { lines: [] };
  });

  it('tells the app once when the basket fills and once when it empties, with the lines it had', async () => {
    const b = backend({});
    session.basket = { lines: [] };
    stop = watchBasketEvent();
    flushSync();
    session.basket = { lines: [line] };
    flushSync();
    session.basket = { lines: [line, line] };
    flushSync();
    session.basket = { lines: [] };
    flushSync();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(b.called('basket_changed')).toEqual([{ filled: true }]);
    expect(b.called('basket_abandoned')).toEqual([{ basket: { lines: [line, line] } }]);
  });
});
