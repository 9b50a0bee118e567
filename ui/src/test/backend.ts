// A scripted backend for component tests: mockIPC with per-command handlers and a call log.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { Article, CardSale, CompletedSale, PaymentLine, TillStatus } from '../lib/api';
import { resetSession } from '../lib/session.svelte';
import { nav } from '../lib/nav.svelte';
import { clearBanner } from '../lib/banner.svelte';
import { setLanguage } from '../lib/i18n.svelte';
import { status } from '../lib/status.svelte';

export type Handler = (args: Record<string, unknown>) => unknown;

export const articles: Article[] = [
  { article_number: '30037', ean: null, text: 'Sandwich Romano', price: 349, vat: 'reduced' },
  { article_number: '51', ean: '4999012345678', text: 'Wasser 0,25 l', price: 99, vat: 'standard' },
];

export const onlineStatus: TillStatus = {
  online: true,
  environment: 'demo',
  demo: true,
  outbox_pending: 0,
  outbox_failed: 0,
  outbox_failed_sales: [],
  last_sync: null,
  printer: { state: 'ready', name: 'Bondrucker', message: null, unprinted: [], offered: [] },
  tse: { state: 'ready', serial: null, problem: null },
  pending_card_payment: false,
  journal_problem: null,
};

/** The cash payment line as the Rust side writes it: tendered and change where cash was given. */
export function cashLine(amount: number, tendered: number | null = null): PaymentLine {
  return { label: 'Bar', amount_cents: amount, tendered_cents: tendered, change_cents: tendered === null ? null : tendered - amount };
}

/** A sale as the Rust side answers it (`CompletedSale`), with the receipt document it sends. */
export function completedSale(
  fields: Partial<Omit<CompletedSale, 'receipt'>> & { total: number; payments?: PaymentLine[] },
): CompletedSale {
  const { payments, ...rest } = fields;
  const receipt_number = fields.receipt_number ?? 1;
  return {
    sale_id: `sale-${receipt_number}`,
    receipt_number,
    transaction_id: `STX_${receipt_number}`,
    receipt_text: `SUMME EUR ${fields.total}`,
    merchant_receipt_text: null,
    queued: false,
    qr_svg: null,
    ...rest,
    receipt: {
      shop: { name: 'Testladen', address_lines: [], vat_id: null },
      till_id: 'KASSE-1',
      receipt_number,
      issued_at: '21.11.2026 14:03',
      lines: [],
      total_cents: fields.total,
      vat: [],
      payments: payments ?? [cashLine(fields.total)],
      transaction_id: `STX_${receipt_number}`,
      provider_lines: [],
      demo: true,
    },
  };
}

/** A card sale as `pay_card` answers it: a merchant copy, to be signed unless said otherwise. */
export function cardSale(fields: Parameters<typeof completedSale>[0], merchant_receipt_print = true): CardSale {
  const sale = completedSale({ merchant_receipt_text: 'Händlerbeleg', payments: [{ label: 'Karte', amount_cents: fields.total, tendered_cents: null, change_cents: null }], ...fields });
  return { ...sale, has_merchant_receipt: sale.merchant_receipt_text !== null, merchant_receipt_print };
}

export interface Backend {
  calls: { cmd: string; args: Record<string, unknown> }[];
  called: (cmd: string) => Record<string, unknown>[];
}

/** Installs handlers; commands without one fail like an unknown command would. */
export function backend(handlers: Record<string, Handler>): Backend {
  const calls: Backend['calls'] = [];
  const base: Record<string, Handler> = {
    app_info: () => ({ version: '0.1.0', demo: true, shop_name: 'Testladen', till_id: 'KASSE-1' }),
    articles: () => articles,
    till_status: () => onlineStatus,
    basket_changed: () => null,
    basket_abandoned: () => null,
    customer_basket: () => null,
    qr_settings: () => ({ checkout_template: null, language: null, timeout_secs: 180 }),
    settings: () => {
      throw { code: 'not_found', message: 'no settings' };
    },
  };
  const all = { ...base, ...handlers };
  mockIPC(async (cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const h = all[cmd];
    if (!h) throw { code: 'unknown_command', message: `no handler for ${cmd}` };
    return h(args);
  });
  return { calls, called: (cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.args) };
}

/** Every test starts from a fresh till: empty sale, sale screen, German, no banner. */
export function resetTill(): void {
  clearMocks();
  resetSession();
  nav.screen = 'sale';
  nav.locked = false;
  clearBanner();
  setLanguage('de');
  status.till = null;
  status.info = null;
  status.reachable = true;
}

/** A promise the test resolves when it wants the pretend backend to answer. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
