import type { Article, Basket, BasketLine, VatRate } from './api';

export const VAT_PERCENT: Record<VatRate, number> = { standard: 19, reduced: 7, zero: 0 };

/** Gross after the line discount, as the Rust side sums it. */
export function lineTotal(line: BasketLine): number {
  return line.unit_price * line.quantity - (line.discount ?? 0);
}

export function basketTotal(basket: Basket): number {
  return basket.lines.reduce((sum, l) => sum + lineTotal(l), 0);
}

/** Adds an article; the same article again raises the quantity of its line. */
export function addArticle(basket: Basket, article: Article, quantity = 1): Basket {
  const i = basket.lines.findIndex(
    (l) => l.article_number === article.article_number && l.unit_price === article.price,
  );
  if (i >= 0) {
    const lines = basket.lines.slice();
    lines[i] = { ...lines[i], quantity: lines[i].quantity + quantity };
    return { lines };
  }
  return {
    lines: [
      ...basket.lines,
      {
        article_number: article.article_number,
        ean: article.ean,
        text: article.text,
        quantity,
        unit_price: article.price,
        vat: article.vat,
      },
    ],
  };
}

/** A line for an amount typed on the keypad. */
export function addAmount(basket: Basket, cents: number, vat: VatRate, text: string): Basket {
  return {
    lines: [
      ...basket.lines,
      { article_number: null, ean: null, text, quantity: 1, unit_price: cents, vat },
    ],
  };
}

/** Sets a line's quantity; zero or less removes the line. */
export function setQuantity(basket: Basket, index: number, quantity: number): Basket {
  if (quantity <= 0) return removeLine(basket, index);
  return { lines: basket.lines.map((l, i) => (i === index ? { ...l, quantity } : l)) };
}

/** The special EAN that loads a secucard (provider's reference). */
export const CARD_LOAD_EAN = '4260447149502';

export function removeLine(basket: Basket, index: number): Basket {
  return { lines: basket.lines.filter((_, i) => i !== index) };
}

/**
 * The VAT contained per rate, computed on each rate's gross total (as the receipt does),
 * rounded half away from zero — the same rule as the Rust side.
 */
export function vatTotals(basket: Basket): { rate: VatRate; gross: number; tax: number }[] {
  const order: VatRate[] = ['standard', 'reduced', 'zero'];
  return order
    .map((rate) => {
      const gross = basket.lines.filter((l) => l.vat === rate).reduce((s, l) => s + lineTotal(l), 0);
      const p = VAT_PERCENT[rate];
      const q = Math.floor((Math.abs(gross) * p * 2 + (100 + p)) / (2 * (100 + p)));
      return { rate, gross, tax: gross < 0 ? -q : q };
    })
    .filter((v) => basket.lines.some((l) => l.vat === v.rate));
}
