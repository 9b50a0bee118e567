import { describe, expect, it } from 'vitest';
import type { Article } from './api';
import { addAmount, addArticle, basketTotal, removeLine, setQuantity, vatTotals } from './basket';

const water: Article = { article_number: '51', ean: '4999012345678', text: 'Wasser', price: 99, vat: 'standard' };
const sandwich: Article = { article_number: '30037', ean: null, text: 'Sandwich', price: 349, vat: 'reduced' };

describe('basket', () => {
  it('adds, counts up and removes', () => {
    let b = addArticle({ lines: [] }, water);
    b = addArticle(b, water);
    b = addArticle(b, sandwich);
    expect(b.lines).toHaveLength(2);
    expect(b.lines[0].quantity).toBe(2);
    expect(basketTotal(b)).toBe(547);
    b = removeLine(b, 0);
    expect(basketTotal(b)).toBe(349);
  });

  it('keeps a weighed article on a line of its own, with its weight', () => {
    const weighed = { grams: 250, price_per_kg: 5990 };
    const pralines: Article = { article_number: '5001', ean: null, text: 'Pralinen lose 0,250 kg x 59,90 €/kg', price: 1498, vat: 'reduced', weighed };
    let b = addArticle({ lines: [] }, pralines);
    b = addArticle(b, pralines);
    expect(b.lines).toHaveLength(2);
    expect(b.lines.map((l) => [l.quantity, l.weighed])).toEqual([[1, weighed], [1, weighed]]);
    // One weighing a line: its quantity stays 1; removing it works.
    expect(setQuantity(b, 0, 3).lines[0].quantity).toBe(1);
    expect(setQuantity(b, 0, 0).lines).toHaveLength(1);
    // A line sold by the piece carries no weight.
    expect('weighed' in addArticle({ lines: [] }, water).lines[0]).toBe(false);
  });

  it('computes VAT per rate like the receipt', () => {
    let b = addArticle({ lines: [] }, water);
    b = addArticle(b, water);
    b = addAmount(b, 598, 'reduced', 'Warengruppe 7 %');
    expect(vatTotals(b)).toEqual([
      { rate: 'standard', gross: 198, tax: 32 },
      { rate: 'reduced', gross: 598, tax: 39 },
    ]);
  });
});
