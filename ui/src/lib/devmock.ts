// A pretend backend for looking at the screens in a plain browser (`vite build --mode mock`).
// main.ts imports it only when import.meta.env.MODE === 'mock', so the real app build never
// contains it. It answers every command of docs/commands.md with realistic data.
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  Article,
  Basket,
  BasketLine,
  CancellationDone,
  CardPaymentResult,
  QrPaymentResult,
  CardSale,
  Closing,
  ClosingListItem,
  DaySummary,
  JournalEntry,
  PaymentLine,
  PaymentMethod,
  PrinterConfig,
  Receipt,
  SaleDetail,
  Secucard,
  Settings,
  TillStatus,
  VatRate,
} from './api';
import { basketTotal, lineTotal, vatTotals, VAT_PERCENT } from './basket';
import { formatCents } from './money';

const W = 42;
const articles: Article[] = [
  { article_number: '30037', ean: null, text: 'Sandwich Romano', price: 349, vat: 'reduced' },
  { article_number: '30200', ean: null, text: 'Obstsalat, kleine Schale', price: 249, vat: 'reduced' },
  { article_number: '51', ean: '4999012345678', text: 'Wasser 0,25 l', price: 99, vat: 'standard' },
  { article_number: '1001', ean: null, text: 'Brötchen', price: 45, vat: 'reduced' },
  { article_number: '1002', ean: null, text: 'Croissant', price: 129, vat: 'reduced' },
  { article_number: '2001', ean: null, text: 'Kaffee', price: 220, vat: 'standard' },
  { article_number: '2002', ean: null, text: 'Cappuccino', price: 290, vat: 'standard' },
  { article_number: '3001', ean: null, text: 'Einkaufstasche', price: 50, vat: 'standard' },
];

const cards: Record<string, Secucard> = {
  '9276004429942845': card('9276004429942845', 'Geschenkgutschein', 'Max Mustermann', 1250, 250, 340),
  '9276004429940001': { ...card('9276004429940001', 'Kundenkarte', 'Erika Musterfrau', 800, 0, 12), lock_status: 'locked' },
  '9276004429940002': { ...card('9276004429940002', 'Kundenkarte', 'Jonas Beispiel', 2000, 500, 88), passcode_required: true },
};

function card(n: string, group: string, name: string, cash: number, bonus: number, points: number): Secucard {
  return {
    card_number: n,
    group_name: group,
    customer_name: name,
    balance: cash + bonus,
    cash_balance: cash,
    bonus_balance: bonus,
    points,
    lock_status: 'unlocked',
    stock_status: 'active',
    passcode_required: false,
    last_usage: '2026-11-18T16:22:36+01:00',
    expiry_date: null,
  };
}

const settings: Settings = {
  shop: {
    name: 'Smart Till Demo-Café',
    address_lines: ['Musterstraße 55', '09123 Musterstadt'],
    vat_id: 'DE123456789',
    tax_number: '215/123/45678',
    footer: 'Vielen Dank für Ihren Besuch!',
    till_id: 'KASSE-1',
  },
  connection: { environment: 'demo', auth_mode: 'client_credentials', client_id: null, has_client_secret: false, device_uuid: null, device_paired: false },
  printers: [
    { id: 'p1', name: 'Bondrucker Theke', transport: { kind: 'network', host: '192.168.1.50', port: 9100 }, kind: 'thermal', code_page: 'cp858', width: 42, drawer: true },
  ],
  receipt_printer_id: 'p1',
  language: 'de',
  customer_display: { message: null, open_at_start: true, monitor: null },
  log_dir: '/home/kasse/.local/share/de.smarttill.app/logs',
  problems: [],
};

const status: TillStatus = {
  online: true,
  environment: 'demo',
  demo: true,
  outbox_pending: 0,
  outbox_failed: 0,
  outbox_failed_sales: [],
  last_sync: new Date().toISOString(),
  printer: { state: 'ready', name: 'Bondrucker Theke', message: null, unprinted: [], offered: [] },
  tse: { state: 'ready', serial: null, problem: null },
  pending_card_payment: false,
  journal_problem: null,
};

interface StoredSale extends SaleDetail {}
const sales: StoredSale[] = [];
let nextReceipt = 1;
let nextZ = 4;
const closings: ClosingListItem[] = [
  { z_number: 3, closed_at: '2026-11-21T19:04:00+01:00', business_day: '2026-11-21', total: 84210, sales_count: 212, difference: 0 },
  { z_number: 2, closed_at: '2026-11-20T19:11:00+01:00', business_day: '2026-11-20', total: 79150, sales_count: 198, difference: -120 },
  { z_number: 1, closed_at: '2026-11-19T19:02:00+01:00', business_day: '2026-11-19', total: 91320, sales_count: 230, difference: 50 },
];

/** What the pretend terminal does next. */
export const behaviour: { card: 'paid' | 'declined' | 'hang'; pairing: 'confirm' | 'wait' } = { card: 'paid', pairing: 'confirm' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pad = (l: string, r: string) => l + ' '.repeat(Math.max(1, W - l.length - r.length)) + r;
const center = (s: string) => ' '.repeat(Math.max(0, Math.floor((W - s.length) / 2))) + s;
const eur = (c: number) => formatCents(c).replace(' €', '');

function renderReceipt(no: number, at: Date, lines: BasketLine[], pay: { label: string; amount: number; tendered?: number | null }[], stx: string, title = ''): string {
  const out: string[] = [];
  out.push(center(settings.shop.name), ...settings.shop.address_lines.map(center), center(`USt-IdNr. ${settings.shop.vat_id}`), '');
  if (title) out.push(center(title), '');
  out.push(pad(`Beleg ${no}`, `${at.toLocaleDateString('de-DE')} ${at.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit' })}`), '-'.repeat(W));
  const mark = (l: BasketLine) => (l.vat === 'standard' ? 'A' : l.vat === 'reduced' ? 'B' : 'C');
  for (const l of lines) {
    if (l.quantity !== 1) out.push(`  ${l.quantity} x ${eur(l.unit_price)}`);
    out.push(pad(l.text.slice(0, 30), `${eur(l.unit_price * l.quantity)} ${mark(l)}`));
  }
  const basket = { lines };
  out.push('-'.repeat(W), pad('SUMME EUR', eur(basketTotal(basket))), '');
  for (const p of pay) {
    out.push(pad(p.label, eur(p.amount)));
    if (p.tendered != null) out.push(pad('Gegeben', eur(p.tendered)), pad('Rückgeld', eur(p.tendered - p.amount)));
  }
  out.push('', pad('MwSt', 'Netto    Steuer    Brutto'));
  for (const v of vatTotals(basket)) {
    const m = v.rate === 'standard' ? 'A' : v.rate === 'reduced' ? 'B' : 'C';
    out.push(`${m} ${String(VAT_PERCENT[v.rate]).padStart(2)}%` + `${eur(v.gross - v.tax)}`.padStart(16) + `${eur(v.tax)}`.padStart(10) + `${eur(v.gross)}`.padStart(10));
  }
  out.push('', `TA ${stx}`, 'DEMO – KEIN ECHTER BELEG', '', center(settings.shop.footer ?? ''));
  return out.join('\n');
}

function merchantReceipt(total: number, no: number): string {
  return [
    center('Kartenzahlung'), center('* * Händlerbeleg * *'), center(settings.shop.name), '',
    pad('Datum:', new Date().toLocaleDateString('de-DE')), pad('Beleg-Nr.', String(no).padStart(4, '0')), pad('Trace-Nr.', '000011'), '',
    'girocard', pad('Konto-Nr.', '1060093836'), 'Karte 1 gültig bis 12/28', pad('Terminal-ID', '72015255'), '',
    pad('Betrag EUR', eur(total)), '', center('Karte akzeptiert'), '', 'Unterschrift umseitig', '', '_'.repeat(W),
  ].join('\n');
}

function stxId(): string {
  const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  return 'STX_' + Array.from({ length: 30 }, () => chars[Math.floor(Math.random() * chars.length)]).join('');
}

function book(basket: Basket, method: PaymentMethod, tendered: number | null, at = new Date(), extra: PaymentMethod[] = []): CardSale {
  const total = basketTotal(basket);
  const no = nextReceipt++;
  const stx = stxId();
  const label = method === 'cash' ? 'Bar' : method === 'card' ? 'Karte (girocard)' : method === 'qr' ? 'QR-Code (PayPal)' : 'Kundenkarte';
  const text = renderReceipt(no, at, basket.lines, [{ label, amount: total, tendered: method === 'cash' ? (tendered ?? total) : null }], stx);
  const merchant = method === 'card' ? merchantReceipt(total, no) : null;
  const entry: StoredSale = {
    sale_id: `sale-${no}`,
    receipt_number: no,
    issued_at: at.toISOString(),
    total,
    methods: [method, ...extra],
    state: 'paid',
    cancels_sale_id: null,
    cancelled_by_sale_id: null,
    synced: status.online,
    lines: basket.lines,
    payments: [{ label, amount_cents: total, tendered_cents: tendered, change_cents: tendered !== null ? tendered - total : null }],
    transaction_id: stx,
    customer_receipt: text,
    merchant_receipt: merchant,
    can_cancel: true,
    cancel_blocked_reason: null,
    z_number: null,
  };
  sales.unshift(entry);
  return {
    sale_id: entry.sale_id,
    receipt_number: no,
    transaction_id: stx,
    total,
    receipt: receiptDoc(no, at, basket, entry.payments, stx),
    receipt_text: text,
    merchant_receipt_text: merchant,
    queued: !status.online,
    qr_svg: null,
    has_merchant_receipt: merchant !== null,
    merchant_receipt_print: merchant !== null,
  };
}

/** The receipt document the Rust side sends with a sale (crates/receipt `Receipt`). */
function receiptDoc(no: number, at: Date, basket: Basket, payments: PaymentLine[], stx: string): Receipt {
  const mark = (rate: VatRate) => (rate === 'standard' ? 'A' : rate === 'reduced' ? 'B' : 'C');
  const { name, address_lines, vat_id } = settings.shop;
  return {
    shop: { name, address_lines, vat_id },
    till_id: settings.shop.till_id,
    receipt_number: no,
    issued_at: `${at.toLocaleDateString('de-DE')} ${at.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit' })}`,
    lines: basket.lines.map((l) => ({ quantity: l.quantity, text: l.text, unit_price_cents: l.unit_price, total_cents: lineTotal(l), vat_mark: mark(l.vat) })),
    total_cents: basketTotal(basket),
    vat: vatTotals(basket).map((v) => ({ mark: mark(v.rate), rate_percent: VAT_PERCENT[v.rate], net_cents: v.gross - v.tax, tax_cents: v.tax, gross_cents: v.gross })),
    payments,
    transaction_id: stx,
    provider_lines: [],
    demo: true,
  };
}

function seedJournal() {
  const today = new Date();
  const at = (h: number, m: number) => new Date(today.getFullYear(), today.getMonth(), today.getDate(), h, m);
  const a = (n: string) => articles.find((x) => x.article_number === n)!;
  const line = (n: string, q = 1): BasketLine => ({ article_number: n, ean: a(n).ean, text: a(n).text, quantity: q, unit_price: a(n).price, vat: a(n).vat });
  const plan: [number, number, string[], PaymentMethod][] = [
    [7, 12, ['1001', '1001', '2001'], 'cash'],
    [7, 40, ['1002', '2002'], 'cash'],
    [8, 5, ['30037', '51'], 'card'],
    [8, 31, ['2001'], 'cash'],
    [9, 2, ['30200', '2002', '1002'], 'card'],
    [9, 48, ['1001', '1001', '1001', '1001'], 'cash'],
    [10, 15, ['3001', '51', '51'], 'secucard'],
    [10, 52, ['2002', '2002'], 'card'],
    [11, 20, ['30037', '30037', '51'], 'cash'],
  ];
  for (const [h, m, nums, method] of plan) {
    const lines: BasketLine[] = [];
    for (const n of nums) {
      const i = lines.findIndex((l) => l.article_number === n);
      if (i >= 0) lines[i] = { ...lines[i], quantity: lines[i].quantity + 1 };
      else lines.push(line(n));
    }
    const total = basketTotal({ lines });
    book({ lines }, method, method === 'cash' ? Math.ceil(total / 500) * 500 : null, at(h, m));
  }
  cancel(sales.find((s) => s.receipt_number === 4)!.sale_id, 'Falsch gebucht', at(8, 33));
}

function cancel(saleId: string, reason: string | null, at = new Date()): CancellationDone {
  const s = sales.find((x) => x.sale_id === saleId);
  if (!s) throw { code: 'not_found', message: 'Sale not found.' };
  if (s.state !== 'paid') throw { code: 'already_cancelled', message: 'Already cancelled.' };
  const no = nextReceipt++;
  const lines = s.lines.map((l) => ({ ...l, quantity: -l.quantity }));
  const text = renderReceipt(no, at, lines, [{ label: 'Storno ' + (s.methods[0] === 'cash' ? 'Bar' : 'Karte'), amount: -s.total }], s.transaction_id ?? '', `STORNO zu Beleg ${s.receipt_number}${reason ? ` (${reason})` : ''}`);
  const entry: StoredSale = { ...s, sale_id: `sale-${no}`, receipt_number: no, issued_at: at.toISOString(), total: -s.total, state: 'cancellation', cancels_sale_id: s.sale_id, lines, customer_receipt: text, merchant_receipt: null, can_cancel: false, cancel_blocked_reason: null };
  s.state = 'cancelled';
  s.cancelled_by_sale_id = entry.sale_id;
  s.can_cancel = false;
  sales.unshift(entry);
  return { sale_id: entry.sale_id, receipt_number: no, transaction_id: s.transaction_id ?? '', total: -s.total, receipt_text: text };
}

function summary(): DaySummary {
  // Only sales since the last closing belong to the running day.
  const open = sales.filter((s) => s.z_number === null);
  const paid = open.filter((s) => s.state !== 'cancellation');
  const byMethod = (['cash', 'card', 'secucard'] as PaymentMethod[]).map((m) => {
    const list = paid.filter((s) => s.methods[0] === m && s.state === 'paid');
    return { method: m, count: list.length, amount: list.reduce((a, s) => a + s.total, 0) };
  });
  const active = paid.filter((s) => s.state === 'paid');
  const all = { lines: active.flatMap((s) => s.lines) };
  const cancelled = open.filter((s) => s.state === 'cancelled');
  const numbers = open.map((s) => s.receipt_number);
  const cashSales = active.filter((s) => s.methods[0] === 'cash').reduce((a, s) => a + s.total, 0);
  return {
    business_day: new Date().toISOString().slice(0, 10),
    by_cashier: [],
    opened_at: open.at(-1)?.issued_at ?? null,
    sales_count: active.length + cancelled.length,
    cancellations_count: cancelled.length,
    cancellations_amount: cancelled.reduce((a, s) => a + s.total, 0),
    total: basketTotal(all),
    by_method: byMethod,
    by_vat: vatTotals(all).map((v) => ({ rate_percent: VAT_PERCENT[v.rate], net: v.gross - v.tax, tax: v.tax, gross: v.gross })),
    first_receipt: numbers.length ? Math.min(...numbers) : null,
    last_receipt: numbers.length ? Math.max(...numbers) : null,
    cash_start: 15000,
    cash_expected: 15000 + cashSales,
    terminal_closed: terminalClosed,
    outbox_pending: status.outbox_pending,
    drawer_openings: 0,
    cash_in: 0,
    cash_out: 0,
    drawer: { by_reason: [], returns_count: 0, returns_total: 0, discounts: 0 },
  };
}

let terminalClosed = false;
let pendingCard: ((r: CardPaymentResult) => void) | null = null;
/** The QR payment waiting for the pretend customer (pays after a few seconds). */
let pendingQr: { basket: Basket; resolve: ((r: QrPaymentResult) => void) | null } | null = null;
let pairingDeadline = 0;
let pairingPolls = 0;

function page<T>(list: T[], offset: number, limit: number) {
  return list.slice(offset, offset + limit);
}

async function handle(cmd: string, a: Record<string, unknown>): Promise<unknown> {
  switch (cmd) {
    case 'app_info':
      return { version: '0.1.0', demo: status.demo, shop_name: settings.shop.name, till_id: settings.shop.till_id };
    case 'till_status':
      return { ...status };
    case 'sync_now':
      await sleep(600);
      status.outbox_pending = 0;
      return { ...status };
    case 'articles':
      return articles;
    case 'article_by_code':
      return articles.find((x) => x.ean === a.code || x.article_number === a.code) ?? null;
    case 'basket_changed':
    case 'basket_abandoned':
      return null;
    case 'pay_cash':
      await sleep(400);
      return book(a.basket as Basket, 'cash', (a.tendered as number | null) ?? null);
    case 'pay_card': {
      if (!status.online) throw { code: 'card_offline', message: 'Card payments need the network.' };
      const basket = a.basket as Basket;
      return new Promise<CardPaymentResult>((resolve) => {
        pendingCard = resolve;
        if (behaviour.card === 'hang') return;
        setTimeout(() => {
          if (pendingCard !== resolve) return;
          pendingCard = null;
          if (behaviour.card === 'declined') resolve({ outcome: 'declined', message: 'Karte abgelehnt (05)', sale: null });
          else resolve({ outcome: 'paid', message: null, sale: book(basket, 'card', null) });
        }, 2500);
      });
    }
    case 'abort_card_payment':
      setTimeout(() => {
        pendingCard?.({ outcome: 'aborted', message: 'Abbruch durch Bediener', sale: null });
        pendingCard = null;
      }, 1200);
      return { requested: true };
    case 'check_card_payment':
      return null;
    // Pay by QR code: the pretend customer pays by PayPal after 6 s, unless the cashier aborts first.
    case 'qr_available':
      return { available: status.online };
    case 'start_qr_payment': {
      if (!status.online) throw { code: 'qr_offline', message: 'Pay by QR code needs the network.' };
      const basket = a.basket as Basket;
      const qr = { basket, resolve: null as ((r: QrPaymentResult) => void) | null };
      pendingQr = qr;
      setTimeout(() => {
        if (pendingQr !== qr) return;
        pendingQr = null;
        qr.resolve?.({ outcome: 'paid', sale: book(basket, 'qr', null) });
      }, 6000);
      return {
        sale_id: 'sale-qr',
        link: 'https://pay-dev.secuconnect.com?stx=STX_DEMO&server=testing',
        amount_cents: basketTotal(basket),
        expires_at: new Date(Date.now() + 180_000).toISOString(),
        timeout_secs: 180,
        qr_svg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><rect width="21" height="21" fill="#fff"/><path d="M1 1h7v7h-7zM13 1h7v7h-7zM1 13h7v7h-7zM10 10h2v2h-2z" fill="#000"/></svg>',
      };
    }
    case 'wait_qr_payment':
      return new Promise<QrPaymentResult>((resolve) => {
        if (pendingQr) pendingQr.resolve = resolve;
        else resolve({ outcome: 'failed', sale: null });
      });
    case 'abort_qr_payment': {
      const qr = pendingQr;
      pendingQr = null;
      setTimeout(() => qr?.resolve?.({ outcome: 'aborted', sale: null }), 800);
      return { requested: qr !== null };
    }
    case 'check_qr_payment':
      return null;
    case 'qr_settings':
      return { checkout_template: null, language: null, timeout_secs: 180 };
    case 'save_qr_settings':
      return a.settings;
    case 'open_drawer':
      return null;
    case 'secucard_lookup': {
      await sleep(500);
      const c = cards[String(a.cardNumber)];
      if (!c) throw { code: 'card_not_found', message: 'Unknown card.' };
      return c;
    }
    case 'secucard_check_passcode':
      await sleep(400);
      return { valid: a.passcode === '1234' };
    case 'secucard_split': {
      const total = basketTotal(a.basket as Basket);
      const c = cards[String(a.cardNumber)];
      const fromCard = Math.min(total, c?.balance ?? 0);
      return { total, from_card: fromCard, rest: total - fromCard };
    }
    case 'pay_secucard': {
      await sleep(500);
      const c = cards[String(a.cardNumber)];
      const total = basketTotal(a.basket as Basket);
      const fromCard = Math.min(total, c.balance);
      c.balance -= fromCard;
      c.cash_balance = Math.max(0, c.balance - c.bonus_balance);
      return book(a.basket as Basket, 'secucard', (a.tendered as number | null) ?? null, new Date(), fromCard < total ? ['cash'] : []);
    }
    case 'load_secucard': {
      await sleep(a.method === 'card' ? 2500 : 500);
      const c = cards[String(a.cardNumber)];
      const amount = a.amount as number;
      c.balance += amount;
      c.cash_balance += amount;
      const line: BasketLine = { article_number: null, ean: '4260447149502', text: `Kartenaufladung ${formatCents(amount)}`, quantity: 1, unit_price: amount, vat: 'zero' };
      return { outcome: 'paid', message: null, sale: book({ lines: [line] }, a.method === 'card' ? 'card' : 'cash', null) };
    }
    case 'receipt_preview':
    case 'journal_sale': {
      const s = sales.find((x) => x.sale_id === a.saleId);
      if (!s) throw { code: 'not_found', message: 'Sale not found.' };
      if (cmd === 'journal_sale') {
        const card = s.methods.includes('card');
        return { ...s, can_cancel: s.state === 'paid' && (!card || !terminalClosed), cancel_blocked_reason: card && terminalClosed ? 'terminal_closed' : null };
      }
      return { sale_id: s.sale_id, copy: a.copy, text: a.copy === 'merchant' ? (s.merchant_receipt ?? '') : s.customer_receipt, signature_required: a.copy === 'merchant' };
    }
    case 'print_receipt':
    case 'reprint_receipt':
    case 'print_z_report':
    case 'test_print':
      await sleep(700);
      if (status.printer.state !== 'ready') throw { code: 'printer_offline', message: 'Printer offline.' };
      return null;
    case 'print_missed_receipt':
    case 'dismiss_missed_receipt': {
      const n = Number(a.receiptNumber);
      if (!status.printer.unprinted.includes(n)) throw { code: 'already_printed', message: 'Not waiting.' };
      if (cmd === 'print_missed_receipt') await sleep(700);
      status.printer.unprinted = status.printer.unprinted.filter((x) => x !== n);
      status.printer.offered = status.printer.offered.filter((x) => x !== n);
      return null;
    }
    case 'export_receipt_pdf':
      await sleep(600);
      return { path: `/home/kasse/Belege/Beleg-${String(a.saleId).replace('sale-', '')}.pdf` };
    case 'export_z_report_pdf':
      await sleep(600);
      return { path: `/home/kasse/Belege/Z-${a.zNumber}.pdf` };
    case 'export_dsfinvk': {
      // The progress channel as the real command drives it.
      const channel = a.progress as { onmessage?: (n: number) => void } | undefined;
      for (const p of [0, 25, 50, 75, 100]) {
        channel?.onmessage?.(p);
        await sleep(150);
      }
      return { path: `/home/kasse/DSFinV-K_KASSE-1_${a.from}_${a.to}.zip`, zip: true, closings: [1, 2], receipts: 184, bytes: 48213 };
    }
    case 'journal_search': {
      let list = sales.slice();
      if (a.receiptNumber != null) list = list.filter((s) => s.receipt_number === a.receiptNumber);
      if (a.amount != null) list = list.filter((s) => Math.abs(s.total) === a.amount);
      if (a.date != null) list = list.filter((s) => s.issued_at.slice(0, 10) === a.date);
      const entries: JournalEntry[] = page(list, a.offset as number, a.limit as number).map((s) => ({
        sale_id: s.sale_id, receipt_number: s.receipt_number, issued_at: s.issued_at, total: s.total, methods: s.methods, state: s.state,
        cancels_sale_id: s.cancels_sale_id, cancelled_by_sale_id: s.cancelled_by_sale_id, synced: s.synced,
      }));
      return { total_count: list.length, entries };
    }
    case 'cancel_sale':
      await sleep(800);
      return cancel(String(a.saleId), (a.reason as string | null) ?? null);
    case 'day_summary':
      return summary();
    case 'terminal_end_of_day': {
      await sleep(2000);
      terminalClosed = true;
      const card = sales.filter((s) => s.methods[0] === 'card' && s.state === 'paid');
      return { ok: true, at: new Date().toISOString(), count: card.length, amount: card.reduce((x, s) => x + s.total, 0), receipt_text: 'Kassenschnitt erfolgreich' };
    }
    case 'close_day': {
      await sleep(900);
      const sum = summary();
      const z = nextZ++;
      const difference = (a.cashCounted as number) - sum.cash_expected;
      const closing: Closing = {
        z_number: z, closed_at: new Date().toISOString(), business_day: sum.business_day, summary: sum,
        cash_counted: a.cashCounted as number, difference, note: (a.note as string | null) ?? null, terminal: null,
        retained: (a.retained as number | null) ?? null,
        report_text: [center('Z-BON ' + z), center(settings.shop.name), '', pad('Umsatz', eur(sum.total)), ...sum.by_method.map((m) => pad(`${{ cash: 'Bar', card: 'Karte', secucard: 'Kundenkarte', qr: 'QR-Code' }[m.method]} (${m.count})`, eur(m.amount))), '', pad('Bar erwartet', eur(sum.cash_expected)), pad('Bar gezählt', eur(a.cashCounted as number)), pad('Differenz', eur(difference))].join('\n'),
      };
      for (const s of sales) if (s.z_number === null) s.z_number = z;
      terminalClosed = false;
      closings.unshift({ z_number: z, closed_at: closing.closed_at, business_day: sum.business_day, total: sum.total, sales_count: sum.sales_count, difference });
      return closing;
    }
    case 'closings':
      return page(closings, a.offset as number, a.limit as number);
    case 'float_state':
      return { amount: 15000, suggestion: 15000, locked: true };
    case 'set_float':
      return { amount: a.amount as number, suggestion: 15000, locked: false };
    case 'apply_discounts':
      // The pretend backend gives no discounts: the basket comes back as it was.
      return a.basket;
    case 'cash_movement':
    case 'return_lines':
      return { receipt_number: nextReceipt++, amount: 0, receipt_text: 'Beleg', card_cancelled: false };
    case 'x_report_text':
      return [center('X-Bericht'), center(settings.shop.name)].join('\n');
    case 'print_x_report':
      return undefined;
    case 'export_x_report_pdf':
      return { path: '/tmp/X-Bericht.pdf' };
    case 'closing': {
      const c = closings.find((x) => x.z_number === a.zNumber);
      if (!c) throw { code: 'not_found', message: 'No such closing.' };
      const sum = { ...summary(), business_day: c.business_day, total: c.total, sales_count: c.sales_count };
      const closing: Closing = {
        z_number: c.z_number, closed_at: c.closed_at, business_day: c.business_day, summary: sum,
        cash_counted: sum.cash_expected + c.difference, difference: c.difference, note: null, terminal: null, retained: null,
        report_text: [center('Z-BON ' + c.z_number), center(settings.shop.name), '', pad('Umsatz', eur(c.total)), pad('Verkäufe', String(c.sales_count)), pad('Differenz', eur(c.difference))].join('\n'),
      };
      return closing;
    }
    case 'settings':
      return structuredClone(settings);
    case 'save_shop':
      Object.assign(settings.shop, a.shop);
      return structuredClone(settings);
    case 'set_language':
      settings.language = a.language as Settings['language'];
      return structuredClone(settings);
    case 'set_environment':
      await sleep(900);
      settings.connection.environment = a.environment as Settings['connection']['environment'];
      settings.connection.client_id = (a.clientId as string | null) ?? null;
      settings.connection.has_client_secret = !!a.clientSecret || settings.connection.has_client_secret;
      status.environment = settings.connection.environment;
      status.demo = status.environment === 'demo';
      return structuredClone(settings);
    case 'pairing_start':
      await sleep(700);
      pairingDeadline = Date.now() + 1200 * 1000;
      pairingPolls = 0;
      return { user_code: 'KXWD-7PQM', verification_url: 'https://connect-testing.secuconnect.com/device', expires_in: 1200, interval: 2 };
    case 'pairing_status': {
      pairingPolls++;
      const left = Math.max(0, Math.round((pairingDeadline - Date.now()) / 1000));
      if (behaviour.pairing === 'confirm' && pairingPolls >= 4) {
        settings.connection.auth_mode = 'device';
        settings.connection.device_paired = true;
        return { state: 'paired', seconds_left: left, message: null };
      }
      return { state: left > 0 ? 'waiting' : 'expired', seconds_left: left, message: null };
    }
    case 'tse_status':
      // The built-in TSE of demo mode, as the settings screen shows it.
      return {
        environment: status.environment,
        demo: status.demo,
        fiskaly_env: 'test',
        has_credentials: true,
        has_admin_pin: true,
        step: 'done',
        needs_puk: false,
        tss_id: 'b8b0a7a2-1c55-4c7e-9a51-0d6c1a3f0e01',
        client_serial: 'SMART-TILL-DEMO-1',
        tss_state: 'INITIALIZED',
        serial: '5f0c2a9be3d14c7a8e61b0f2d93a47c65e8b1d0a29f74c3e6b5a18d0c2e9f731',
        bsi_certification_id: 'BSI-K-TR-0000-SIMULATED',
        puk: null,
        signing: true,
        problem: null,
        purchase_date: null,
        start_of_use: null,
      };
    case 'print_tse_data_sheet':
      await sleep(400);
      return null;
    case 'export_tse_data_sheet_pdf':
      return { path: '/home/kasse/TSE-Datenblatt-KASSE-1.pdf' };
    case 'pairing_cancel':
      pairingDeadline = 0;
      return null;
    case 'printers_discover':
      await sleep(500);
      return { serial_ports: ['/dev/ttyUSB0', '/dev/ttyS0'], os_queues: ['Büro-Laser', 'PDF'] };
    case 'save_printer': {
      const p = a.printer as PrinterConfig;
      const i = settings.printers.findIndex((x) => x.id === p.id);
      if (i >= 0) settings.printers[i] = p;
      else settings.printers.push(p);
      if (a.useForReceipts) settings.receipt_printer_id = p.id;
      return structuredClone(settings);
    }
    case 'remove_printer':
      settings.printers = settings.printers.filter((p) => p.id !== a.printerId);
      if (settings.receipt_printer_id === a.printerId) settings.receipt_printer_id = null;
      return structuredClone(settings);
  }
  throw { code: 'unknown_command', message: `The mock backend does not know ${cmd}.` };
}

export function installMockBackend(scene: string | null = null, lang: string | null = null): void {
  seedJournal();
  if (lang === 'en' || lang === 'de') settings.language = lang;
  if (scene === 'offline') {
    status.online = false;
    status.outbox_pending = 3;
    status.printer = { state: 'paper_out', name: 'Bondrucker Theke', message: null, unprinted: [], offered: [] };
  }
  mockIPC((cmd, args) => handle(cmd, (args ?? {}) as Record<string, unknown>));
}

// ---- scenes: drive the UI into a state, for screenshots (`?scene=card`) ----

const wait = (ms: number) => sleep(ms);
function el(testid: string): HTMLElement | null {
  return document.querySelector(`[data-testid="${testid}"]`);
}
async function until(testid: string, ms = 5000): Promise<HTMLElement> {
  const end = Date.now() + ms;
  for (;;) {
    const e = el(testid);
    if (e) return e;
    if (Date.now() > end) throw new Error(`scene: ${testid} did not appear`);
    await wait(50);
  }
}
async function click(testid: string) {
  (await until(testid)).click();
  await wait(80);
}
async function type(testid: string, value: string) {
  const input = (await until(testid)) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await wait(80);
}

async function fillBasket() {
  await click('article-51');
  await click('article-51');
  await click('article-30037');
  await click('article-2002');
  await click('article-1002');
}

const scenes: Record<string, () => Promise<void>> = {
  sale: fillBasket,
  cash: async () => {
    await fillBasket();
    await click('pay-cash');
    await type('tendered', '20');
  },
  card: async () => {
    behaviour.card = 'hang';
    await fillBasket();
    await click('pay-card');
  },
  'card-declined': async () => {
    behaviour.card = 'declined';
    await fillBasket();
    await click('pay-card');
    await until('card-outcome', 8000);
  },
  receipt: async () => {
    await fillBasket();
    await click('pay-card');
    await until('show-merchant', 8000);
    await click('show-merchant');
  },
  secucard: async () => {
    await click('nav-secucard');
    await type('card-number', '9276004429942845');
    await click('card-lookup');
    await until('secucard-details');
  },
  'secucard-locked': async () => {
    await click('nav-secucard');
    await type('card-number', '9276004429940001');
    await click('card-lookup');
  },
  'secucard-passcode': async () => {
    await click('nav-secucard');
    await type('card-number', '9276004429940002');
    await click('card-lookup');
  },
  'secucard-pay': async () => {
    await click('nav-secucard');
    await type('card-number', '9276004429942845');
    await click('card-lookup');
    await click('use-card');
    await fillBasket();
    await click('article-30200');
    await click('article-30200');
    await click('article-30037');
    await click('pay-secucard');
    await type('tendered', '5');
  },
  journal: async () => {
    await click('nav-journal');
    await until('journal-row');
    const rows = document.querySelectorAll<HTMLElement>('[data-testid="journal-row"]');
    rows[rows.length - 3]?.click();
  },
  closing: async () => {
    await click('nav-closing');
    await until('day-summary');
    for (const [d, n] of [['5000', '2'], ['2000', '3'], ['1000', '4'], ['500', '3'], ['200', '7'], ['100', '5'], ['50', '6'], ['20', '4']]) await type(`count-${d}`, n);
  },
  'closing-done': async () => {
    await scenes.closing();
    await click('close-day');
    await type('close-note', 'Wechselgeld falsch herausgegeben');
    await click('close-day-yes');
    await until('z-result');
  },
  settings: async () => {
    await click('nav-settings');
  },
  'settings-pairing': async () => {
    behaviour.pairing = 'wait';
    await click('nav-settings');
    await click('tab-connection');
    await click('env-testing');
    await click('auth-device');
    await type('client-id', '00563697073442633035025909838580');
    await type('client-secret', 'secret');
    await click('pairing-start');
    await until('pairing-code');
  },
  'settings-printers': async () => {
    await click('nav-settings');
    await click('tab-printers');
    await click('edit-printer-p1');
  },
  offline: fillBasket,
};

export async function playScene(name: string | null): Promise<void> {
  if (!name || !scenes[name]) return;
  await until('articles');
  await wait(200);
  try {
    await scenes[name]();
  } catch (e) {
    console.error(e);
  }
}
