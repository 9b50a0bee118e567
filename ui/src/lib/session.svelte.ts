// The sale in progress: its basket, an attached secucard and the last completed sale.
import type { Article, Basket, CompletedSale, Secucard } from './api';

export interface AttachedCard {
  card: Secucard;
  /** Kept only for this sale, sent with the payment, never stored. */
  passcode: string | null;
}

export const session = $state<{
  basket: Basket;
  card: AttachedCard | null;
  sale: CompletedSale | null;
  /** A secucard number scanned on the sale screen, for the secucard screen to look up. */
  scannedCard: string | null;
  /**
   * The articles of this sale that asked for a price or a weight, by number, as
   * they were before the cashier typed it: "+" on their line asks again.
   */
  asked: Record<string, Article>;
}>({ basket: { lines: [] }, card: null, sale: null, scannedCard: null, asked: {} });

export function finishSale(sale: CompletedSale): void {
  session.sale = sale;
  session.basket = { lines: [] };
  session.card = null;
  session.asked = {};
}

export function resetSession(): void {
  session.basket = { lines: [] };
  session.card = null;
  session.sale = null;
  session.scannedCard = null;
  session.asked = {};
}

/** Secucard numbers: 16 digits starting 9276 (the provider's prefix). */
export function isSecucardNumber(code: string): boolean {
  return /^9276\d{12}$/.test(code);
}

/** A plain copy for invoke(): no reactive proxies cross the IPC boundary. */
export function basketSnapshot(): Basket {
  return $state.snapshot(session.basket) as Basket;
}
