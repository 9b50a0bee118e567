import type { Article, Basket, BasketLine, Discount, DiscountRequest, VatRate } from './api';

export const VAT_PERCENT: Record<VatRate, number> = { standard: 19, reduced: 7, zero: 0 };

/** Gross after the line discount, as the Rust side sums it. */
export function lineTotal(line: BasketLine): number {
  return line.unit_price * line.quantity - (line.discount ?? 0);
}

export function basketTotal(basket: Basket): number {
  return basket.lines.reduce((sum, l) => sum + lineTotal(l), 0);
}

/**
 * The basket without its discounts: the Rust side turns discounts into cents
 * for the lines as they are, so any change to the lines asks for them again.
 */
export function withoutDiscounts(basket: Basket): Basket {
  if (!basket.lines.some((l) => l.discount || l.discount_rule)) return basket;
  return {
    ...basket,
    lines: basket.lines.map((l) => {
      const { discount: _d, discount_rule: _r, ...rest } = l;
      return rest;
    }),
  };
}

/** The discounts given so far, read back from the priced lines (to add another). */
export function discountRequest(basket: Basket): DiscountRequest {
  return {
    lines: basket.lines.map((l) => l.discount_rule?.line ?? null),
    basket: basket.lines.map((l) => l.discount_rule?.basket ?? null).find((d) => d) ?? null,
  };
}

/** What the discounts take off the basket. */
export function discountTotal(basket: Basket): number {
  return basket.lines.reduce((s, l) => s + (l.discount ?? 0), 0);
}

export type { Discount };

/**
 * Adds an article; the same article again raises the quantity of its line.
 * A weighed article is a line of its own each time, with its weight and price per kg.
 */
export function addArticle(basket: Basket, article: Article, quantity = 1): Basket {
  basket = withoutDiscounts(basket);
  const i = article.weighed
    ? -1
    : basket.lines.findIndex(
        (l) => !l.weighed && l.article_number === article.article_number && l.unit_price === article.price,
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
        ...(article.weighed ? { weighed: article.weighed } : {}),
      },
    ],
  };
}

/**
 * The article a line's "+" must ask again, if it is one that asks for a price
 * or a weight: another weighing or another open price is a new entry, never a
 * copy of the last one. Looked up among the articles that asked in this sale,
 * then among the catalogue's.
 */
export function askingArticle(
  line: BasketLine,
  asked: Record<string, Article>,
  known: Article[],
): Article | null {
  const number = line.article_number;
  if (!number) return null;
  const found = asked[number] ?? known.find((a) => a.article_number === number);
  return found?.asks_for ? found : null;
}

/** A line for an amount typed on the keypad. */
export function addAmount(basket: Basket, cents: number, vat: VatRate, text: string): Basket {
  basket = withoutDiscounts(basket);
  return {
    lines: [
      ...basket.lines,
      { article_number: null, ean: null, text, quantity: 1, unit_price: cents, vat },
    ],
  };
}

/**
 * Sets a line's quantity; zero or less removes the line. A weighed line stays
 * one weighing (the till refuses more): another piece is weighed on its own.
 */
export function setQuantity(basket: Basket, index: number, quantity: number): Basket {
  if (quantity <= 0) return removeLine(basket, index);
  if (basket.lines[index]?.weighed) return basket;
  basket = withoutDiscounts(basket);
  return { lines: basket.lines.map((l, i) => (i === index ? { ...l, quantity } : l)) };
}

/** The special EAN that loads a secucard (provider's reference). */
export const CARD_LOAD_EAN = '4260447149502';

export function removeLine(basket: Basket, index: number): Basket {
  basket = withoutDiscounts(basket);
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
