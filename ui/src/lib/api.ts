// The one door to the Rust side: typed wrappers over invoke().
//
// Conventions (see docs/commands.md):
// - command names are snake_case; top-level arguments are camelCase (Tauri 2 maps them
//   to the Rust parameter names); fields inside objects are snake_case, as serde writes them;
// - every amount is an integer number of cents, never a float;
// - every command fails with one shape, `{code, message}`.
import { invoke } from '@tauri-apps/api/core';

export type Cents = number;
export type VatRate = 'standard' | 'reduced' | 'zero';
export type Language = 'de' | 'en';

// ---------- catalogue and basket ----------

export interface Article {
  article_number: string;
  ean: string | null;
  text: string;
  price: Cents;
  vat: VatRate;
}

export interface BasketLine {
  article_number: string | null;
  ean: string | null;
  text: string;
  quantity: number;
  unit_price: Cents;
  vat: VatRate;
}

export interface Basket {
  lines: BasketLine[];
}

// ---------- status ----------

export interface AppInfo {
  version: string;
  demo: boolean;
  shop_name: string;
  till_id: string;
  /** No receipt issued yet: the sale screen shows the first steps. */
  first_start?: boolean;
}

export type Environment = 'demo' | 'testing' | 'live';
export type PrinterState = 'ready' | 'offline' | 'paper_out' | 'error' | 'none';

/** What the status bar shows; cheap to ask for, polled every few seconds. */
export interface TillStatus {
  /** The payment service answered the last call (or the last health check). */
  online: boolean;
  environment: Environment;
  demo: boolean;
  /** Sales done offline (or not yet confirmed) waiting to be registered at the provider. */
  outbox_pending: number;
  /** Entries the outbox gave up on after retries; they need a look. */
  outbox_failed: number;
  /** ISO 8601 time of the last successful sync, null if never. */
  last_sync: string | null;
  printer: {
    state: PrinterState;
    name: string | null;
    message: string | null;
    /** Receipts whose automatic print after the sale failed and that have not printed since. */
    unprinted: number[];
    /** Those to offer now: the printer is ready again and the failure is recent. */
    offered: number[];
  };
  /** A card payment whose outcome is not yet known (crash, lost connection). */
  pending_card_payment: boolean;
  /** The journal's hash chain does not hold (the first break, in words); selling goes on. */
  journal_problem: string | null;
}

// ---------- sales and payments ----------

export interface ReceiptLineDoc {
  quantity: number;
  text: string;
  unit_price_cents: Cents;
  total_cents: Cents;
  vat_mark: string;
}
export interface VatLineDoc {
  mark: string;
  rate_percent: number;
  net_cents: Cents;
  tax_cents: Cents;
  gross_cents: Cents;
}
export interface PaymentLineDoc {
  label: string;
  amount_cents: Cents;
  tendered_cents: Cents | null;
  change_cents: Cents | null;
}
/** A receipt line as the provider sends it (`receipt`, `receipt_merchant`), kept verbatim. */
export interface ProviderLine {
  type: 'separator' | 'textline' | 'name-value' | 'space' | string;
  value?: { caption?: string; text?: string; name?: string; value?: string; decoration?: string[] };
}
/** The customer receipt document (crates/receipt `Receipt`). */
export interface ReceiptDoc {
  shop: ShopHeader;
  till_id: string;
  receipt_number: number;
  issued_at: string;
  lines: ReceiptLineDoc[];
  total_cents: Cents;
  vat: VatLineDoc[];
  payments: PaymentLineDoc[];
  transaction_id: string | null;
  provider_lines: ProviderLine[];
  demo: boolean;
}

export interface CompletedSale {
  sale_id: string;
  receipt_number: number;
  transaction_id: string;
  total: Cents;
  /** The customer receipt as plain text (the preview; same renderer as the printer). */
  receipt_text: string;
  receipt?: ReceiptDoc;
  /** Card payments: there is a merchant copy in the journal. */
  has_merchant_receipt?: boolean;
  /** Card payments: the merchant copy says the customer signs it, so it must be printed. */
  merchant_receipt_print?: boolean;
  /** Cash given back, where cash was tendered. */
  change?: Cents | null;
}

export type CardOutcome = 'paid' | 'declined' | 'aborted';

/** The answer of a card payment on the terminal. Declined/aborted are answers, not errors. */
export interface CardPaymentResult {
  outcome: CardOutcome;
  /** The terminal's or provider's words, e.g. "Karte abgelehnt"; null when paid. */
  message: string | null;
  /** Only when paid: the sale is in the journal with both receipts. */
  sale: CompletedSale | null;
}

export interface SecucardRef {
  cardNumber: string;
  /** Only where the card needs one; checked by the provider, never stored. */
  passcode?: string | null;
}

/** How a secucard's balance covers a basket (provider `preTransaction`). */
export interface SecucardSplit {
  total: Cents;
  /** Paid from the card's balance. */
  from_card: Cents;
  /** Left to pay in cash. */
  rest: Cents;
}

// ---------- secucards ----------

export type LockStatus = 'locked' | 'unlocked';
export type StockStatus = 'stored' | 'active' | 'inactive';

export interface Secucard {
  /** Always a string: card numbers have leading digits that matter. */
  card_number: string;
  /** The card group's display name, e.g. "Geschenkgutschein". */
  group_name: string | null;
  customer_name: string | null;
  balance: Cents;
  cash_balance: Cents;
  bonus_balance: Cents;
  points: number;
  lock_status: LockStatus;
  stock_status: StockStatus;
  passcode_required: boolean;
  last_usage: string | null;
  expiry_date: string | null;
}

// ---------- receipts ----------

export type ReceiptCopy = 'customer' | 'merchant';

export interface ReceiptPreview {
  sale_id: string;
  copy: ReceiptCopy;
  /** Plain text, monospaced, as the printer prints it. */
  text: string;
  /** The merchant copy asks for the customer's signature. */
  signature_required: boolean;
}

/** A saved file; null from an export means the cashier closed the save dialog. */
export interface SavedFile {
  path: string;
}

// ---------- journal ----------

export type PaymentMethod = 'cash' | 'card' | 'secucard';
export type SaleState = 'paid' | 'cancelled' | 'cancellation';

export interface JournalEntry {
  sale_id: string;
  receipt_number: number;
  /** ISO 8601 with offset. */
  issued_at: string;
  total: Cents;
  methods: PaymentMethod[];
  state: SaleState;
  /** A cancellation points at the sale it cancels, and the sale at its cancellation. */
  cancels_sale_id: string | null;
  cancelled_by_sale_id: string | null;
  /** Registered at the provider (false while it waits in the outbox). */
  synced: boolean;
}

export interface JournalPage {
  total_count: number;
  entries: JournalEntry[];
}

export interface SaleDetail extends JournalEntry {
  lines: BasketLine[];
  payments: PaymentLineDoc[];
  transaction_id: string | null;
  customer_receipt: string;
  merchant_receipt: string | null;
  /** Whether cancel_sale may run now; when not, the reason in words. */
  can_cancel: boolean;
  cancel_blocked_reason: string | null;
  z_number: number | null;
}

// ---------- end of day ----------

export interface MethodTotal {
  method: PaymentMethod;
  count: number;
  amount: Cents;
}
export interface VatTotal {
  rate_percent: number;
  net: Cents;
  tax: Cents;
  gross: Cents;
}

export interface DaySummary {
  /** The business day being summed (YYYY-MM-DD), from the first sale after the last closing. */
  business_day: string;
  opened_at: string | null;
  sales_count: number;
  cancellations_count: number;
  cancellations_amount: Cents;
  total: Cents;
  by_method: MethodTotal[];
  by_vat: VatTotal[];
  first_receipt: number | null;
  last_receipt: number | null;
  /** Float at the start of the day. */
  cash_start: Cents;
  /** cash_start + cash sales − change − cash cancellations. */
  cash_expected: Cents;
  /** The terminal's end of day ran since the last closing. */
  terminal_closed: boolean;
  /** Sales still waiting for the outbox; closing is allowed, the Z report names them. */
  outbox_pending: number;
}

export interface TerminalEndOfDay {
  ok: boolean;
  at: string;
  count: number;
  amount: Cents;
  receipt_text: string;
}

export interface Closing {
  z_number: number;
  closed_at: string;
  business_day: string;
  summary: DaySummary;
  cash_counted: Cents;
  /** cash_counted − cash_expected: negative is a shortfall. */
  difference: Cents;
  note: string | null;
  terminal: TerminalEndOfDay | null;
  report_text: string;
}

export interface ClosingListItem {
  z_number: number;
  closed_at: string;
  business_day: string;
  total: Cents;
  sales_count: number;
  difference: Cents;
}

// ---------- settings ----------

export interface ShopHeader {
  name: string;
  address_lines: string[];
  vat_id: string | null;
}

export interface ShopSettings extends ShopHeader {
  tax_number: string | null;
  footer: string | null;
  till_id: string;
}

export type AuthMode = 'client_credentials' | 'device';

export interface ConnectionSettings {
  environment: Environment;
  auth_mode: AuthMode;
  client_id: string | null;
  /** The secret lives on the Rust side (keychain); the UI only learns whether there is one. */
  has_client_secret: boolean;
  device_uuid: string | null;
  device_paired: boolean;
}

export type PrinterTransport =
  | { kind: 'serial'; port: string; baud: number }
  | { kind: 'network'; host: string; port: number }
  | { kind: 'os'; queue: string };

export type CodePage = 'cp858' | 'cp437' | 'cp850' | 'cp1252';

export interface PrinterConfig {
  id: string;
  name: string;
  transport: PrinterTransport;
  /** ESC/POS thermal printer (raw bytes) or an office printer (PDF job). */
  kind: 'thermal' | 'office';
  code_page: CodePage;
  /** Characters per line: 32 (58 mm), 42 or 48 (80 mm). */
  width: 32 | 42 | 48;
  /** Opens the cash drawer connected to it after a cash payment. */
  drawer: boolean;
}

export interface Settings {
  shop: ShopSettings;
  connection: ConnectionSettings;
  printers: PrinterConfig[];
  receipt_printer_id: string | null;
  language: Language;
  /** Where the log files are, so support can ask for them. */
  log_dir: string;
  /** Sections of settings.json that could not be read, in words (their defaults apply). */
  problems: string[];
}

export interface PrinterDiscovery {
  serial_ports: string[];
  os_queues: string[];
}

export interface PairingStart {
  user_code: string;
  verification_url: string;
  expires_in: number;
  interval: number;
}

export type PairingState = 'idle' | 'waiting' | 'paired' | 'expired' | 'failed';

export interface PairingStatus {
  state: PairingState;
  seconds_left: number;
  message: string | null;
}

// ---------- errors ----------

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

export function errorCode(e: unknown): string {
  return isCommandError(e) ? e.code : 'unknown';
}

// ---------- the commands ----------

export interface JournalQuery {
  receiptNumber?: number | null;
  amount?: Cents | null;
  /** YYYY-MM-DD, local business day. */
  date?: string | null;
  offset?: number;
  limit?: number;
}

export const api = {
  // status
  appInfo: () => invoke<AppInfo>('app_info'),
  tillStatus: () => invoke<TillStatus>('till_status'),
  syncNow: () => invoke<TillStatus>('sync_now'),

  // catalogue
  articles: () => invoke<Article[]>('articles'),
  articleByCode: (code: string) => invoke<Article | null>('article_by_code', { code }),

  // payments
  payCash: (basket: Basket, tendered: Cents | null) =>
    invoke<CompletedSale>('pay_cash', { basket, tendered }),
  payCard: (basket: Basket) => invoke<CardPaymentResult>('pay_card', { basket }),
  abortCardPayment: () => invoke<{ requested: boolean }>('abort_card_payment'),
  checkCardPayment: () => invoke<CardPaymentResult | null>('check_card_payment'),
  openDrawer: () => invoke<void>('open_drawer'),

  // secucards
  secucardLookup: (cardNumber: string) => invoke<Secucard>('secucard_lookup', { cardNumber }),
  secucardCheckPasscode: (cardNumber: string, passcode: string) =>
    invoke<{ valid: boolean }>('secucard_check_passcode', { cardNumber, passcode }),
  secucardSplit: (basket: Basket, card: SecucardRef) =>
    invoke<SecucardSplit>('secucard_split', { basket, cardNumber: card.cardNumber, passcode: card.passcode ?? null }),
  paySecucard: (basket: Basket, card: SecucardRef, tendered: Cents | null) =>
    invoke<CompletedSale>('pay_secucard', {
      basket,
      cardNumber: card.cardNumber,
      passcode: card.passcode ?? null,
      tendered,
    }),
  loadSecucard: (cardNumber: string, amount: Cents, method: 'cash' | 'card', tendered: Cents | null) =>
    invoke<CardPaymentResult>('load_secucard', { cardNumber, amount, method, tendered }),

  // receipts
  receiptPreview: (saleId: string, copy: ReceiptCopy) =>
    invoke<ReceiptPreview>('receipt_preview', { saleId, copy }),
  printReceipt: (saleId: string, copy: ReceiptCopy) => invoke<void>('print_receipt', { saleId, copy }),
  reprintReceipt: (saleId: string, copy: ReceiptCopy) => invoke<void>('reprint_receipt', { saleId, copy }),
  /** Prints a receipt whose automatic print failed, offered once the printer is back. */
  printMissedReceipt: (receiptNumber: number) => invoke<void>('print_missed_receipt', { receiptNumber }),
  /** Declines that offer: the receipt is not offered again. */
  dismissMissedReceipt: (receiptNumber: number) => invoke<void>('dismiss_missed_receipt', { receiptNumber }),
  exportReceiptPdf: (saleId: string, copy: ReceiptCopy) =>
    invoke<SavedFile | null>('export_receipt_pdf', { saleId, copy }),

  // journal
  journalSearch: (q: JournalQuery = {}) =>
    invoke<JournalPage>('journal_search', {
      receiptNumber: q.receiptNumber ?? null,
      amount: q.amount ?? null,
      date: q.date ?? null,
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    }),
  journalSale: (saleId: string) => invoke<SaleDetail>('journal_sale', { saleId }),
  cancelSale: (saleId: string, reason: string | null) =>
    invoke<CompletedSale>('cancel_sale', { saleId, reason }),

  // end of day
  daySummary: () => invoke<DaySummary>('day_summary'),
  terminalEndOfDay: () => invoke<TerminalEndOfDay>('terminal_end_of_day'),
  closeDay: (cashCounted: Cents, note: string | null) => invoke<Closing>('close_day', { cashCounted, note }),
  closings: (offset = 0, limit = 20) => invoke<ClosingListItem[]>('closings', { offset, limit }),
  closing: (zNumber: number) => invoke<Closing>('closing', { zNumber }),
  printZReport: (zNumber: number) => invoke<void>('print_z_report', { zNumber }),
  exportZReportPdf: (zNumber: number) => invoke<SavedFile | null>('export_z_report_pdf', { zNumber }),

  // settings
  settings: () => invoke<Settings>('settings'),
  saveShop: (shop: ShopSettings) => invoke<Settings>('save_shop', { shop }),
  setLanguage: (language: Language) => invoke<Settings>('set_language', { language }),
  setEnvironment: (environment: Environment, clientId: string | null, clientSecret: string | null) =>
    invoke<Settings>('set_environment', { environment, clientId, clientSecret }),
  pairingStart: (environment: Environment, clientId: string, clientSecret: string) =>
    invoke<PairingStart>('pairing_start', { environment, clientId, clientSecret }),
  pairingStatus: () => invoke<PairingStatus>('pairing_status'),
  pairingCancel: () => invoke<void>('pairing_cancel'),
  /** Starts the app again so a new environment applies (refused while a card payment runs). */
  restartApp: () => invoke<void>('restart_app'),
  printersDiscover: () => invoke<PrinterDiscovery>('printers_discover'),
  /** `confirmPublic`: the owner confirmed a network printer outside the shop's own network. */
  savePrinter: (printer: PrinterConfig, useForReceipts: boolean, confirmPublic = false) =>
    invoke<Settings>('save_printer', { printer, useForReceipts, confirmPublic }),
  removePrinter: (printerId: string) => invoke<Settings>('remove_printer', { printerId }),
  testPrint: (printer: PrinterConfig, confirmPublic = false) => invoke<void>('test_print', { printer, confirmPublic }),
};
