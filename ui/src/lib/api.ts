// The one door to the Rust side: typed wrappers over invoke().
import { invoke } from '@tauri-apps/api/core';

export type VatRate = 'standard' | 'reduced' | 'zero';

export interface Article {
  article_number: string;
  ean: string | null;
  text: string;
  price: number;
  vat: VatRate;
}

export interface BasketLine {
  article_number: string | null;
  ean: string | null;
  text: string;
  quantity: number;
  unit_price: number;
  vat: VatRate;
}

export interface Basket {
  lines: BasketLine[];
}

export interface AppInfo {
  version: string;
  demo: boolean;
  shop_name: string;
  till_id: string;
}

export interface CompletedSale {
  sale_id: string;
  receipt_number: number;
  transaction_id: string;
  total: number;
  receipt_text: string;
}

/** The error shape every command fails with. */
export interface CommandError {
  code: string;
  message: string;
}

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** Turns whatever a command threw into words for the cashier. */
export function errorMessage(e: unknown): string {
  if (isCommandError(e)) return e.message;
  if (typeof e === 'string') return e;
  return 'Unexpected error. The sale is still open.';
}

export const api = {
  appInfo: () => invoke<AppInfo>('app_info'),
  articles: () => invoke<Article[]>('articles'),
  payCash: (basket: Basket, tendered: number | null) =>
    invoke<CompletedSale>('pay_cash', { basket, tendered }),
};
