import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import PricePrompt from './PricePrompt.svelte';
import App from '../App.svelte';
import type { Article } from '../lib/api';
import { articles, backend, resetTill } from '../test/backend';

beforeEach(resetTill);
afterEach(cleanup);

const cake: Article = { article_number: '1010', ean: null, text: 'Kuchen vom Blech', price: 0, vat: 'reduced', asks_for: 'price' };
const pralines: Article = { article_number: '5001', ean: null, text: 'Pralinen lose', price: 5990, vat: 'reduced', asks_for: 'weight' };

describe('PricePrompt', () => {
  it('asks an open-price article for its price on the keypad and adds what the till priced', async () => {
    const priced = { ...cake, price: 1250, asks_for: undefined };
    const b = backend({ priced_article: () => priced });
    const onDone = vi.fn();
    render(PricePrompt, { article: cake, onDone, onCancel: () => {} });
    for (const k of ['1', '2', 'comma', '5']) await fireEvent.click(screen.getByTestId(`ask-pad-${k}`));
    expect(screen.getByTestId('ask-shown').textContent?.trim()).toBe('12,50 €');
    await fireEvent.click(screen.getByTestId('ask-ok'));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(priced));
    expect(b.called('priced_article')).toEqual([{ number: '1010', entered: { kind: 'price', price: 1250 } }]);
  });

  it('asks a per-kg article for its weight in grams or in kg with a comma', async () => {
    const b = backend({ priced_article: () => ({ ...pralines, price: 1498, text: 'Pralinen lose 0,250 kg x 59,90 €/kg', asks_for: undefined }) });
    const onDone = vi.fn();
    render(PricePrompt, { article: pralines, onDone, onCancel: () => {} });
    expect(screen.getByText(/59,90 € je kg/)).toBeTruthy();
    const input = screen.getByTestId('ask-value');
    await fireEvent.input(input, { target: { value: '0,25' } });
    expect(screen.getByTestId('ask-shown').textContent?.trim()).toBe('0,250 kg');
    await fireEvent.input(input, { target: { value: '250' } });
    expect(screen.getByTestId('ask-shown').textContent?.trim()).toBe('0,250 kg');
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onDone).toHaveBeenCalledOnce());
    expect(b.called('priced_article')).toEqual([{ number: '5001', entered: { kind: 'weight', grams: 250 } }]);
  });

  it('refuses nonsense and zero before asking the till, and says the till\'s refusal', async () => {
    const b = backend({ priced_article: () => { throw { code: 'price_out_of_range', message: 'too large' }; } });
    const onDone = vi.fn();
    render(PricePrompt, { article: cake, onDone, onCancel: () => {} });
    const input = screen.getByTestId('ask-value');
    const ok = screen.getByTestId('ask-ok') as HTMLButtonElement;
    await fireEvent.input(input, { target: { value: 'zwölf' } });
    expect(ok.disabled).toBe(true);
    expect(screen.getByText(/Bitte einen Preis/)).toBeTruthy();
    await fireEvent.input(input, { target: { value: '0' } });
    expect(ok.disabled).toBe(true);
    await fireEvent.input(input, { target: { value: '9999999' } });
    await fireEvent.click(ok);
    expect(await screen.findByTestId('ask-error')).toBeTruthy();
    expect(onDone).not.toHaveBeenCalled();
    expect(b.called('priced_article')).toHaveLength(1);
  });

  it('on the sale screen: a tap asks, cancel leaves the basket as it was, a price adds the line', async () => {
    backend({
      articles: () => [...articles, cake],
      priced_article: (args) => ({ ...cake, price: (args.entered as { price: number }).price, asks_for: undefined }),
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('article-30037'));
    expect(screen.getAllByTestId('basket-line')).toHaveLength(1);
    await fireEvent.click(screen.getByTestId('article-1010'));
    expect(await screen.findByTestId('price-prompt')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('ask-cancel'));
    expect(screen.queryByTestId('price-prompt')).toBeNull();
    expect(screen.getAllByTestId('basket-line')).toHaveLength(1);
    expect(screen.getByTestId('basket-total').textContent).toBe('3,49 €');
    await fireEvent.click(screen.getByTestId('article-1010'));
    await fireEvent.input(await screen.findByTestId('ask-value'), { target: { value: '4,20' } });
    await fireEvent.click(screen.getByTestId('ask-ok'));
    await waitFor(() => expect(screen.getAllByTestId('basket-line')).toHaveLength(2));
    expect(screen.getByTestId('basket-total').textContent).toBe('7,69 €');
    expect(screen.queryByTestId('price-prompt')).toBeNull();
  });

  it('"+" on a weighed line asks for the next weight, on an open-price line for the price; "+" on a piece adds one', async () => {
    const b = backend({
      articles: () => [...articles, cake, pralines],
      priced_article: (args) => {
        const entered = args.entered as { kind: string; price?: number; grams?: number };
        if (entered.kind === 'price') return { ...cake, price: entered.price, asks_for: undefined };
        const grams = entered.grams as number;
        return { ...pralines, price: Math.round((5990 * grams) / 1000), text: `Pralinen lose ${grams} g`, asks_for: undefined };
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('article-5001'));
    await fireEvent.input(await screen.findByTestId('ask-value'), { target: { value: '250' } });
    await fireEvent.click(screen.getByTestId('ask-ok'));
    await waitFor(() => expect(screen.getAllByTestId('basket-line')).toHaveLength(1));
    expect(screen.getByTestId('line-plus-0').getAttribute('aria-label')).toBe('Weiteres Gewicht eingeben');
    // "+" asks for a weight; cancel adds nothing, a new weight adds a new line.
    await fireEvent.click(screen.getByTestId('line-plus-0'));
    expect(await screen.findByTestId('price-prompt')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('ask-cancel'));
    expect(screen.getAllByTestId('basket-line')).toHaveLength(1);
    expect(screen.getByTestId('line-qty-0').textContent).toBe('1');
    await fireEvent.click(screen.getByTestId('line-plus-0'));
    await fireEvent.input(await screen.findByTestId('ask-value'), { target: { value: '100' } });
    await fireEvent.click(screen.getByTestId('ask-ok'));
    await waitFor(() => expect(screen.getAllByTestId('basket-line')).toHaveLength(2));
    expect(screen.getByTestId('basket-total').textContent).toBe('20,97 €');
    // An open price: "+" asks for the price; the same price again is one more of that line.
    await fireEvent.click(screen.getByTestId('article-1010'));
    await fireEvent.input(await screen.findByTestId('ask-value'), { target: { value: '4,20' } });
    await fireEvent.click(screen.getByTestId('ask-ok'));
    await waitFor(() => expect(screen.getAllByTestId('basket-line')).toHaveLength(3));
    expect(screen.getByTestId('line-plus-2').getAttribute('aria-label')).toBe('Weiteren Preis eingeben');
    await fireEvent.click(screen.getByTestId('line-plus-2'));
    await fireEvent.input(await screen.findByTestId('ask-value'), { target: { value: '4,20' } });
    await fireEvent.click(screen.getByTestId('ask-ok'));
    await waitFor(() => expect(screen.getByTestId('line-qty-2').textContent).toBe('2'));
    expect(screen.getByTestId('basket-total').textContent).toBe('29,37 €');
    expect(b.called('priced_article')).toHaveLength(4);
    // A piece article's "+" still adds one without asking.
    await fireEvent.click(screen.getByTestId('article-30037'));
    await fireEvent.click(screen.getByTestId('line-plus-3'));
    expect(screen.getByTestId('line-qty-3').textContent).toBe('2');
    expect(screen.getByTestId('line-plus-3').getAttribute('aria-label')).toBe('Menge erhöhen');
    expect(screen.queryByTestId('price-prompt')).toBeNull();
  });
});
