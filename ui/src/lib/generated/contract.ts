// Generated from the Rust types by crates/contract: do not edit by hand.
// To regenerate after changing a contract type:
//   UPDATE_CONTRACT=1 cargo test -p contract
// The shapes are exactly the JSON serde writes and reads (docs/commands.md).

// ---------- from serde_json ----------

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

// ---------- from secuconnect ----------

export type LockStatus = "locked" | "unlocked" | (string & {});

export type StockStatus = "stored" | "active" | "inactive" | (string & {});

// ---------- from receipt ----------

/**
 * The shop's header as set in the settings.
 */
export type ShopHeader = {
  name: string,
  address_lines: Array<string>,
  vat_id: string | null,
  /**
   * The shop's closing words under the customer receipt ("Vielen Dank …");
   * absent in sales journaled before it existed.
   */
  footer?: string | null,
};

/**
 * A line's discount as printed.
 */
export type LineDiscountText = {
  label: string,
  /**
   * Positive: what was taken off.
   */
  amount_cents: number,
};

/**
 * One article line of the receipt.
 */
export type ReceiptLine = {
  quantity: number,
  text: string,
  unit_price_cents: number,
  total_cents: number,
  /**
   * The letter that ties the line to its row in the VAT table (A = 19 %, B = 7 %, C = 0 %).
   */
  vat_mark: string,
  /**
   * Discounts taken off the line (`total_cents` is after them): their
   * words ("Rabatt 10 %") and amounts, printed under the line.
   */
  discounts?: Array<LineDiscountText>,
};

/**
 * One row of the VAT table.
 */
export type VatLine = {
  mark: string,
  rate_percent: number,
  net_cents: number,
  tax_cents: number,
  gross_cents: number,
};

/**
 * How the sale was paid.
 */
export type PaymentLine = {
  /**
   * What the customer reads, e.g. "Bar".
   */
  label: string,
  amount_cents: number,
  /**
   * Cash tendered and change, where cash was given.
   */
  tendered_cents: number | null,
  change_cents: number | null,
};

/**
 * A receipt line as the provider sends it (`receipt`, `receipt_merchant`), kept verbatim.
 */
export type ProviderLine = {
  type: string,
  value?: JsonValue,
};

/**
 * The TSE's part of a receipt (§6 KassenSichV, §146a AO).
 */
export type TseBlock =
  | { "status": "signed", 
/**
 * The TSE's serial number.
 */
tss_serial: string, 
/**
 * The till's serial number as the TSE knows it.
 */
client_serial: string, tx_number: number, 
/**
 * Start and end of the transaction as printed (local time).
 */
start: string, end: string, signature_counter: number, 
/**
 * Base64 of the signature.
 */
signature: string, 
/**
 * DSFinV-K Anhang I: printed as the QR code, exactly.
 */
qr_code_data: string, }
  | { "status": "failed" };

/**
 * The customer receipt of one sale.
 */
export type Receipt = {
  shop: ShopHeader,
  till_id: string,
  receipt_number: number,
  /**
   * Local date and time as printed, e.g. "21.11.2026 14:03".
   */
  issued_at: string,
  lines: Array<ReceiptLine>,
  total_cents: number,
  vat: Array<VatLine>,
  payments: Array<PaymentLine>,
  /**
   * The provider's transaction id (`STX_…`), printed for support.
   */
  transaction_id: string | null,
  provider_lines: Array<ProviderLine>,
  /**
   * Marks a receipt from demo mode, so it can never pass for a real one.
   */
  demo: boolean,
  /**
   * What the TSE signed (§6 KassenSichV), or that it failed; absent on
   * receipts from before the till had a TSE, or without one.
   */
  tse?: TseBlock,
  /**
   * The cashier's name: "Es bediente Sie: …".
   */
  served_by?: string,
};

/**
 * What the till tells the cashier about receipts that did not print.
 */
export type MissedReceipts = {
  /**
   * Receipt numbers whose automatic print failed and that have not printed since.
   */
  unprinted: Array<number>,
  /**
   * Those of them to offer now: the printer is ready and the failure recent.
   */
  offered: Array<number>,
};

// ---------- from till ----------

/**
 * An amount of euro cents.
 */
export type Cents = number;

/**
 * The German VAT rates a till sells at.
 */
export type VatRate = "standard" | "reduced" | "zero";

/**
 * How a payment was made.
 */
export type PaymentMethod = "cash" | "card" | "secucard" | "qr";

export type Article = {
  article_number: string,
  ean: string | null,
  text: string,
  price: Cents,
  vat: VatRate,
  /**
   * What the till asks for before the article goes into the basket: the
   * price of an open-price article, the weight of one sold per kg.
   */
  asks_for?: AskFor,
  /**
   * Priced by weight (`price` is the weight's): the line carries it.
   */
  weighed?: Weighed,
};

/**
 * What the cashier types when an article is tapped or scanned.
 */
export type AskFor = "price" | "weight";

/**
 * What a line sells.
 */
export type LineKind = "article" | "card_load";

/**
 * How a discount is given.
 */
export type Discount = { "kind": "percent", percent: number, } | { "kind": "amount", amount: Cents, };

/**
 * How a line's discount was found; stored with the line in the sale's intent.
 */
export type LineDiscount = {
  /**
   * Always `Rabatt` (DSFinV-K), so that the export needs no table.
   */
  business_case: string,
  /**
   * The line's own discount, if any, and what it took off.
   */
  line?: Discount | null,
  line_amount: Cents,
  /**
   * The basket's discount, if any, and this line's share of it.
   */
  basket?: Discount | null,
  basket_share: Cents,
};

/**
 * An article sold by weight (priced per kg): the weight and the price per kg
 * as the scale label or the cashier gave them, kept on the line as data so
 * that the tax export can state the quantity in kg and the price per kg.
 */
export type Weighed = {
  grams: number,
  /**
   * Gross price of one kg.
   */
  price_per_kg: Cents,
};

export type BasketLine = {
  article_number?: string | null,
  ean?: string | null,
  text: string,
  quantity: number,
  /**
   * Gross unit price.
   */
  unit_price: Cents,
  vat: VatRate,
  /**
   * Taken off the line's gross total (a line discount), never more than it.
   */
  discount?: Cents,
  kind?: LineKind,
  /**
   * How `discount` was found (`discount::apply`): the line's own rule and
   * its share of the basket's; named on the receipt ("Rabatt 10 %").
   */
  discount_rule?: LineDiscount | null,
  /**
   * Sold by weight: `unit_price` is the weight's price (one piece).
   * Absent in lines sold by the piece (and in journals before it).
   */
  weighed?: Weighed,
};

export type Basket = {
  lines: Array<BasketLine>,
  /**
   * The secucard scanned for this sale (loading it, or paying from its balance).
   */
  card?: string | null,
};

/**
 * Net, tax and gross of one VAT rate.
 */
export type VatTotal = {
  rate: VatRate,
  net: Cents,
  tax: Cents,
  gross: Cents,
};

/**
 * A paid sale as the cashier sees it after "paid".
 */
export type CompletedSale = {
  sale_id: string,
  receipt_number: number,
  /**
   * Empty while a sale paid offline waits for registration.
   */
  transaction_id: string,
  total: Cents,
  receipt: Receipt,
  receipt_text: string,
  /**
   * The merchant's copy of a card payment (to keep, and to sign where it says so).
   */
  merchant_receipt_text: string | null,
  /**
   * Paid while offline: registered with the provider when it is back.
   */
  queued: boolean,
  /**
   * The TSE's QR code (DSFinV-K) as SVG, for the receipt on screen.
   */
  qr_svg: string | null,
};

/**
 * A secucard as the cashier sees it (balances in cents).
 */
export type Secucard = {
  /**
   * Always text: leading digits matter.
   */
  card_number: string,
  group_name: string | null,
  customer_name: string | null,
  balance: Cents,
  cash_balance: Cents,
  bonus_balance: Cents,
  points: number,
  /**
   * `locked` or `unlocked`.
   */
  lock_status: LockStatus,
  /**
   * `stored`, `active` or `inactive`.
   */
  stock_status: StockStatus,
  passcode_required: boolean,
  last_usage: string | null,
  expiry_date: string | null,
};

/**
 * How a sale splits between the card's balance and the till.
 */
export type CardSplit = {
  total: Cents,
  /**
   * Paid from the card's balance.
   */
  from_card: Cents,
  /**
   * Left for the till to collect.
   */
  rest: Cents,
};

/**
 * A sale paid offline that the provider refused to register, for good.
 */
export type RefusedSale = {
  sale_id: string,
  receipt_number: number,
  /**
   * When it was paid.
   */
  since: string,
  /**
   * The provider's words.
   */
  problem: string,
};

/**
 * Totals by payment method.
 */
export type ByMethod = {
  cash: Cents,
  /**
   * On the payment terminal.
   */
  card: Cents,
  secucard: Cents,
  /**
   * By QR code. Closings made before QR had a line of its own read 0
   * here, their QR payments within `card`.
   */
  qr: Cents,
};

/**
 * Payments by method, counted.
 */
export type MethodCounts = {
  cash: number,
  card: number,
  secucard: number,
  qr: number,
};

/**
 * The figures of one period (a day) between two closings.
 */
export type DayFigures = {
  sales: number,
  cancellations: number,
  drawer_openings: number,
  by_method: ByMethod,
  /**
   * Net, tax and gross per rate, 19 %, 7 %, 0 %; rates without turnover included as zero.
   */
  by_rate: Array<VatTotal>,
  /**
   * Gross of all rates: the day's turnover after cancellations.
   */
  total: Cents,
  card_loads: Cents,
  first_receipt: number | null,
  last_receipt: number | null,
  opening_float: Cents,
  cash_in: Cents,
  cash_out: Cents,
  /**
   * Float + cash in − cash out + cash taken for sales.
   */
  cash_expected: Cents,
  /**
   * How many payments each method took (cancelled ones counted back).
   * Closings before schema 2 read 0 here.
   */
  counts_by_method: MethodCounts,
  /**
   * Gross of the sales cancelled in the period (positive).
   */
  cancelled: Cents,
};

/**
 * Movements of cash that are not sales.
 */
export type CashMovement = "float" | "cash_in" | "cash_out";

/**
 * An outage as the closing reports it: from its first failure to the
 * first signature after it (`end` `None`: still down).
 */
export type OutagePeriod = {
  start: string,
  end: string | null,
  reason: string,
};

/**
 * What one TSE signed in a closing's period (sales, cancellations, aborts,
 * cash movements, returns, the float).
 */
export type TseRange = {
  /**
   * The TSE's serial number.
   */
  tss_serial: string,
  /**
   * How many transactions it signed.
   */
  signed: number,
  first_tx_number: number,
  last_tx_number: number,
  first_signature_counter: number,
  last_signature_counter: number,
};

/**
 * The TSE's part of a closing (the Z report prints it).
 */
export type TseSummary = {
  /**
   * One per TSE that signed in the period (normally one).
   */
  devices: Array<TseRange>,
  /**
   * Outages in the period, or going on at its start.
   */
  outages: Array<OutagePeriod>,
};

/**
 * A closing as stored: its Z number, the figures, the count and the terminal's answer.
 */
export type StoredClosing = {
  z_number: number,
  closed_at: string,
  figures: DayFigures,
  cash_counted: Cents,
  /**
   * Counted − expected: negative when cash is missing.
   */
  difference: Cents,
  /**
   * The terminal's end-of-day answer as received, where there is a terminal.
   */
  terminal: JsonValue | null,
  /**
   * The hash of the last entry before the closing: an anchor for `verify`.
   */
  chain_head: string,
  /**
   * The cashier's note (schema 2; `None` in older closings).
   */
  note?: string | null,
  /**
   * When the period began: the time of its first entry (schema 2).
   */
  opened_at?: string | null,
  /**
   * What the TSE signed in the period (serial, transaction numbers and
   * signature counters) and its outages; `None` without a TSE.
   */
  tse?: TseSummary | null,
  /**
   * The cash left in the drawer for the next day (the next float's
   * suggestion); `None`: all counted cash stays.
   */
  retained?: Cents | null,
  /**
   * Movements by reason, returns, discounts (`None` in older closings).
   */
  drawer?: DrawerFigures | null,
  /**
   * Takings per cashier (schema 6; empty in older closings).
   */
  by_cashier?: Array<CashierTakings>,
};

/**
 * What a listed row is.
 */
export type ListedState = "paid" | "cancelled" | "cancellation" | "return" | "cash_receipt";

/**
 * One row of the journal screen: a sale or a cancellation.
 */
export type JournalEntry = {
  /**
   * The sale's id; a cancellation's is `storno-<its receipt number>`.
   */
  sale_id: string,
  receipt_number: number,
  issued_at: string,
  /**
   * What was paid; a cancellation's is negative.
   */
  total: Cents,
  /**
   * The payment methods, in the order the payments were made.
   */
  methods: Array<PaymentMethod>,
  state: ListedState,
  /**
   * A cancellation: the sale it reverses.
   */
  cancels_sale_id: string | null,
  /**
   * A cancelled sale: the cancellation's id (`storno-<n>`).
   */
  cancelled_by_sale_id: string | null,
  /**
   * Registered with the provider (not waiting in the outbox).
   */
  synced: boolean,
  /**
   * A return: the receipt number of the sale it takes lines back from.
   */
  original_receipt?: number,
  /**
   * Cash in or out: why.
   */
  cash_reason?: CashReason,
};

/**
 * A page of the list and how many rows match in all.
 */
export type JournalPage = {
  total_count: number,
  entries: Array<JournalEntry>,
};

/**
 * Why a row of the journal cannot be cancelled, as a code the UI words in
 * the cashier's language (`journal.blocked.<code>`).
 */
export type CancelBlocked = "cancellation" | "cancelling" | "already_cancelled" | "terminal_closed";

/**
 * The cashier an entry names: who was logged in on the till when it was written.
 */
export type CashierRef = {
  id: string,
  name: string,
};

/**
 * What one cashier took in a period: sales less cancellations, as the journal names them.
 */
export type CashierTakings = {
  /**
   * `None`: entries written while nobody was logged in (or before the till knew cashiers).
   */
  cashier_id: string | null,
  name: string | null,
  sales: number,
  cancellations: number,
  /**
   * Payments of the sales plus the (negative) cancellations.
   */
  total: Cents,
};

/**
 * Why cash goes in or out.
 */
export type CashReason = "private_deposit" | "private_withdrawal" | "to_bank" | "expense" | "change_fetched";

/**
 * In or out of the drawer.
 */
export type Direction = "in" | "out";

/**
 * The opening float of the running period.
 */
export type FloatState = {
  /**
   * The float set for this period (`None`: not asked yet).
   */
  amount: Cents | null,
  /**
   * What the last closing left in the drawer.
   */
  suggestion: Cents,
  /**
   * A sale is booked: the float stands.
   */
  locked: boolean,
};

/**
 * Movements of one reason in a period.
 */
export type ReasonTotal = {
  reason: CashReason,
  business_case: string,
  count: number,
  /**
   * Signed: in positive, out negative.
   */
  amount: Cents,
};

/**
 * What a period's running totals do not tell: movements by reason,
 * returns, discounts. Stored in the closing, so a Z report reprints the same.
 */
export type DrawerFigures = {
  by_reason: Array<ReasonTotal>,
  returns_count: number,
  /**
   * Negative: what returns paid back.
   */
  returns_total: Cents,
  /**
   * Discounts given on the period's sales (positive; cancelled sales' taken off).
   */
  discounts: Cents,
};

/**
 * A line and how many of its units to take back (the UI's request).
 */
export type ReturnLine = {
  /**
   * The line's index in the original basket (0 = the first line).
   */
  line: number,
  quantity: number,
};

/**
 * A line as taken back: negative amounts.
 */
export type ReturnedLine = {
  line: number,
  quantity: number,
  text: string,
  vat: VatRate,
  unit_price: Cents,
  /**
   * What is refunded for it (negative).
   */
  amount: Cents,
};

// ---------- from catalog ----------

/**
 * What the price is for.
 */
export type Unit = "piece" | "kg";

export type CatalogArticle = {
  id: string,
  number: string,
  /**
   * Normalised EANs (see [`codes::normalize`]), in the order they were given.
   */
  eans: Array<string>,
  text: string,
  /**
   * Gross price per [`Unit`]; for an open-price article the price suggested at the till.
   */
  price: Cents,
  unit: Unit,
  vat: VatRate,
  group: string | null,
  /**
   * The price is typed at the till.
   */
  open_price: boolean,
  active: boolean,
  revision: number,
  updated_at: string,
};

/**
 * An article's fields as entered; `create_article` and `update_article` take it whole.
 */
export type ArticleDraft = {
  number: string,
  eans: Array<string>,
  text: string,
  price: Cents,
  unit: Unit,
  vat: VatRate,
  group: string | null,
  open_price: boolean,
  active: boolean,
};

/**
 * Which articles a search or list looks at.
 */
export type ArticleFilter = "active" | "all";

/**
 * One page of a group's articles.
 */
export type ArticlePage = {
  articles: Array<CatalogArticle>,
  /**
   * From 0.
   */
  page: number,
  per_page: number,
  total: number,
};

export type Group = {
  id: string,
  /**
   * DSFinV-K WARENGR_ID, e.g. "10".
   */
  code: string,
  /**
   * DSFinV-K WARENGR, e.g. "Backwaren".
   */
  name: string,
  default_vat: VatRate,
  /**
   * `#RRGGBB`
   */
  colour: string,
  active: boolean,
  revision: number,
  updated_at: string,
};

/**
 * What a group is made of; `create_group` and `update_group` take it whole.
 */
export type GroupDraft = {
  code: string,
  name: string,
  default_vat: VatRate,
  colour: string,
  active: boolean,
};

export type Role = "cashier" | "manager";

/**
 * A cashier as the rest of the till sees one: the PIN hash never leaves this module.
 */
export type Cashier = {
  id: string,
  name: string,
  role: Role,
  active: boolean,
  revision: number,
  updated_at: string,
};

/**
 * What someone at the till wants to do.
 */
export type Action =
  | "sell"
  | "cancel_sale"
  | "close_day"
  | "settings"
  | "catalogue"
  | "cashiers"
  | "cash_out"
  | "discount";

/**
 * When an action needs a manager.
 */
export type Rule = "anyone" | "manager" | { "manager_above": Limit };

export type Limit = "cash_out" | "discount";

/**
 * The amounts a cashier may handle alone (a shop setting).
 */
export type Limits = {
  cash_out: Cents,
  discount: Cents,
};

/**
 * A manager's PIN given on the spot for one action: store it with the action it allowed.
 */
export type Authorisation = {
  id: string,
  action: Action,
  amount: Cents,
  manager_id: string,
  manager_name: string,
  at: string,
};

/**
 * Why a number is not a barcode the till can read.
 */
export type CodeError =
  | { "problem": "not_an_ean", code: string, }
  | { "problem": "check_digit", code: string, expected: number, }
  | { "problem": "value_check_digit", code: string, };

/**
 * What a price- or weight-embedded EAN carries besides the article.
 */
export type Measure =
  | { "kind": "price", "value": Cents }
  | { "kind": "weight", "value": number }
  | { "kind": "count", "value": number };

export type UnknownCode =
  | { "reason": "not_in_catalogue" }
  | { "reason": "invalid" } & CodeError
  | { "reason": "price_too_large" };

/**
 * The article found, and the line it makes.
 */
export type ScanHit = {
  article: CatalogArticle,
  /**
   * The code as stored (for a scale label: its base code).
   */
  code: string,
  /**
   * Pieces (1, or what a count label says).
   */
  quantity: number,
  /**
   * The gross price of one piece of this line: the article's price, a price label's
   * price, or a weight label's weight times the price per kg.
   */
  unit_price: Cents,
  /**
   * The price or weight the label carried, for the journal.
   */
  measure?: Measure | null,
  /**
   * An open-price article, or one priced per kg, scanned without a price or weight on
   * its label: the till asks for the price (or weighs).
   */
  needs_price: boolean,
};

/**
 * What the till does with a scan.
 */
export type ScanOutcome = { "outcome": "found" } & ScanHit | { "outcome": "unknown", code: string, reason: UnknownCode, };

/**
 * Who made a change: a cashier, or a named process (an import, the demo data).
 */
export type Actor = {
  cashier_id?: string | null,
  name: string,
};

export type Entity = "article" | "group" | "cashier";

export type ChangeAction = "created" | "updated" | "deactivated" | "reactivated";

/**
 * One field's value before and after (`null` before a creation).
 */
export type FieldChange = {
  field: string,
  old: JsonValue,
  new: JsonValue,
};

export type ChangeEvent = {
  id: string,
  at: string,
  by: Actor,
  entity: Entity,
  entity_id: string,
  /**
   * What people call the thing: the article number, the group's or cashier's name.
   */
  label: string,
  action: ChangeAction,
  /**
   * The row's revision after this change.
   */
  revision: number,
  fields: Array<FieldChange>,
};

/**
 * A change event with its place in the change table (for catching up: "everything after seq").
 */
export type StoredChange = {
  seq: number,
  event: ChangeEvent,
};

/**
 * Which encoding a file was read in.
 */
export type Encoding = "utf8" | "utf8_bom" | "windows1252";

/**
 * What is wrong with one line of the file.
 */
export type LineProblem =
  | { "problem": "missing_number" }
  | { "problem": "number_too_long", max: number, }
  | { "problem": "missing_text" }
  | { "problem": "text_too_long", max: number, }
  | { "problem": "price_not_a_number", value: string, }
  | { "problem": "price_too_large", value: string, }
  | { "problem": "unknown_vat", value: string, }
  | { "problem": "no_vat" }
  | { "problem": "unknown_group", value: string, }
  | { "problem": "invalid_ean", error: CodeError, }
  | { "problem": "label_unit", ean: string, }
  | { "problem": "unknown_unit", value: string, }
  | { "problem": "not_yes_no", column: string, value: string, }
  | { "problem": "duplicate_number", line: number, }
  | { "problem": "duplicate_ean_in_file", ean: string, line: number, }
  | { "problem": "ean_of_other_article", ean: string, number: string, };

export type BadLine = {
  line: number,
  /**
   * The article number the line has, if any.
   */
  number: string,
  problems: Array<LineProblem>,
};

export type RowKind = "new" | "changed" | "unchanged";

export type ImportRow = {
  line: number,
  kind: RowKind,
  draft: ArticleDraft,
  /**
   * The stored article's id and revision the preview compared with.
   */
  existing: [string, number] | null,
  /**
   * What changes (for a new article: every field).
   */
  fields: Array<FieldChange>,
};

/**
 * A product group the file names that the catalogue does not have yet: the import
 * creates it (its number and name are what the file says; its default VAT rate is
 * that of its first line that gives one, its colour one of a palette). Its lines
 * need a VAT rate of their own.
 */
export type NewGroup = {
  id: string,
  draft: GroupDraft,
};

export type ImportPreview = {
  encoding: Encoding,
  ignored_columns: Array<string>,
  new_groups: Array<NewGroup>,
  /**
   * The good rows, in file order.
   */
  rows: Array<ImportRow>,
  bad: Array<BadLine>,
};

/**
 * What `apply_import` does when the preview has bad lines.
 */
export type ApplyMode = "all_or_nothing" | "good_lines_only";

export type ImportOutcome = {
  created: number,
  changed: number,
  groups_created: number,
  unchanged: number,
  skipped_bad_lines: number,
  events: Array<ChangeEvent>,
};

// ---------- from till-app ----------

/**
 * What went wrong, for the UI to branch on: serialized in snake_case
 * (`payment_in_doubt`), the strings the UI and its tests know.
 */
export type ErrorCode =
  | "offline"
  | "outcome_unknown"
  | "auth"
  | "provider"
  | "bad_answer"
  | "basket"
  | "not_enough_cash"
  | "not_paid"
  | "card_offline"
  | "terminal_busy"
  | "qr_offline"
  | "qr_busy"
  | "qr_not_possible"
  | "qr_template"
  | "qr_timeout"
  | "unjournaled"
  | "payment_in_doubt"
  | "cancel_in_doubt"
  | "journal"
  | "invalid_input"
  | "not_found"
  | "nothing_to_close"
  | "not_cancellable"
  | "already_cancelled"
  | "card_not_found"
  | "card_locked"
  | "card_inactive"
  | "passcode_required"
  | "invalid_settings"
  | "invalid_shop_name"
  | "invalid_address_line"
  | "invalid_vat_id"
  | "invalid_till_id"
  | "invalid_tax_number"
  | "invalid_display_message"
  | "switch_card_running"
  | "switch_payment_in_doubt"
  | "switch_outbox"
  | "io"
  | "no_printer"
  | "printer_offline"
  | "printer_paper_out"
  | "printer_error"
  | "printer_address_public"
  | "already_printed"
  | "tse_unreachable"
  | "tse_auth"
  | "tse_disabled"
  | "tse_puk_needed"
  | "tse_puk_wrong"
  | "tse_admin_pin"
  | "tse_refused"
  | "tse_not_set_up"
  | "export_no_closing"
  | "export_target_taken"
  | "disk_full"
  | "export_failed"
  | "float_locked"
  | "not_in_drawer"
  | "not_returnable"
  | "not_logged_in"
  | "manager_required"
  | "not_a_manager"
  | "wrong_pin"
  | "pin_locked"
  | "invalid_pin"
  | "weak_pin"
  | "pin_taken"
  | "owner_exists"
  | "last_manager"
  | "cashier_not_found"
  | "number_taken"
  | "ean_taken"
  | "invalid_ean"
  | "label_unit"
  | "missing_field"
  | "too_long"
  | "price_out_of_range"
  | "no_vat_rate"
  | "article_not_found"
  | "group_not_found"
  | "group_code_taken"
  | "invalid_colour"
  | "import_has_bad_lines"
  | "import_stale"
  | "bad_file"
  | "catalog";

/**
 * `code` is stable for the UI to branch on; `message` is for the cashier.
 */
export type CommandError = {
  code: ErrorCode,
  message: string,
};

/**
 * Where the till's payments go: the built-in simulator (`demo`), the
 * provider's testing system or the live one. Its names are spelled here only.
 */
export type Environment = "demo" | "testing" | "live";

export type AuthMode = "client_credentials" | "device";

export type Language = "de" | "en";

/**
 * What the receipt header says, and which till this is.
 */
export type ShopSettings = {
  name: string,
  address_lines: Array<string>,
  vat_id: string | null,
  tax_number: string | null,
  footer: string | null,
  /**
   * Part of every receipt; the journal is per till, so it applies from the next start.
   */
  till_id: string,
};

/**
 * Which payment service, and how the till logs in. `has_client_secret` and
 * `device_paired` are looked up in the keychain when the settings are read.
 */
export type ConnectionSettings = {
  environment: Environment,
  auth_mode: AuthMode,
  client_id: string | null,
  has_client_secret: boolean,
  device_uuid: string | null,
  device_paired: boolean,
};

/**
 * The customer display's settings, kept per machine (`settings.json`).
 */
export type CustomerDisplaySettings = {
  /**
   * The owner's message on the idle screen ("Heute frische Brötchen!").
   */
  message: string | null,
  /**
   * Opens the display when the till starts (on the remembered monitor,
   * or on a second one when there is one).
   */
  open_at_start: boolean,
  /**
   * The monitor the display was placed on last, by its name.
   */
  monitor: string | null,
};

export type PrinterTransport =
  | { "kind": "serial", port: string, baud: number, }
  | { "kind": "network", host: string, port: number, }
  | { "kind": "os", queue: string, };

export type PrinterKind = "thermal" | "office";

export type PrinterConfig = {
  id: string,
  name: string,
  transport: PrinterTransport,
  kind: PrinterKind,
  code_page: string,
  /**
   * Characters per line: 32 (58 mm), 42 or 48 (80 mm).
   */
  width: number,
  /**
   * Opens the cash drawer connected to it after a cash payment.
   */
  drawer: boolean,
};

/**
 * Everything the settings screen shows (docs/commands.md, "Settings").
 */
export type Settings = {
  shop: ShopSettings,
  connection: ConnectionSettings,
  printers: Array<PrinterConfig>,
  receipt_printer_id: string | null,
  language: Language,
  /**
   * The customer display: the owner's message, where and whether it opens.
   */
  customer_display: CustomerDisplaySettings,
  /**
   * Where the log files are, so support can ask for them.
   */
  log_dir: string,
  /**
   * Sections of the settings file that could not be read, in words; their
   * defaults are used and the file is left as it is until that section is saved.
   */
  problems: Array<string>,
};

export type AppInfo = {
  version: string,
  demo: boolean,
  shop_name: string,
  till_id: string,
  log_dir: string,
  /**
   * No receipt issued yet: the UI shows the first steps.
   */
  first_start: boolean,
};

/**
 * The receipt printer's state in the status bar (the UI words each one).
 */
export type PrinterState = "none" | "ready" | "offline" | "paper_out" | "error";

/**
 * The receipt printer as the status bar shows it.
 */
export type PrinterStatus = {
  state: PrinterState,
  name: string | null,
  message: string | null,
  /**
   * Receipt numbers whose automatic print failed and that have not printed since.
   */
  unprinted: Array<number>,
  /**
   * Those of them to offer now: the printer is ready and the failure recent.
   */
  offered: Array<number>,
};

/**
 * The TSE in the status bar.
 */
export type TseState = "none" | "unknown" | "ready" | "failed";

export type TseStatus = {
  state: TseState,
  /**
   * The TSE's serial number, once a signature named it.
   */
  serial: string | null,
  /**
   * Why the last sale was not signed, in words.
   */
  problem: string | null,
};

export type TillStatus = {
  /**
   * The payment service answered the last round (reachability only: a
   * sale it refused does not make the till offline).
   */
  online: boolean,
  environment: Environment,
  demo: boolean,
  outbox_pending: number,
  /**
   * Sales paid offline that the payment service refused for good.
   */
  outbox_failed: number,
  /**
   * Those sales with the payment service's words, oldest first.
   */
  outbox_failed_sales: Array<RefusedSale>,
  last_sync: string | null,
  printer: PrinterStatus,
  /**
   * The TSE that signs the sales, as the last sale found it.
   */
  tse: TseStatus,
  pending_card_payment: boolean,
  /**
   * The journal's hash chain does not hold (the first break, in words):
   * selling goes on, support must look at the file.
   */
  journal_problem: string | null,
};

export type CardOutcome = "paid" | "declined" | "aborted";

/**
 * A sale as the UI's `CompletedSale` wants it, with the card-only fields.
 */
export type CardSale = {
  has_merchant_receipt: boolean,
  merchant_receipt_print: boolean,
  sale_id: string,
  receipt_number: number,
  /**
   * Empty while a sale paid offline waits for registration.
   */
  transaction_id: string,
  total: Cents,
  receipt: Receipt,
  receipt_text: string,
  /**
   * The merchant's copy of a card payment (to keep, and to sign where it says so).
   */
  merchant_receipt_text: string | null,
  /**
   * Paid while offline: registered with the provider when it is back.
   */
  queued: boolean,
  /**
   * The TSE's QR code (DSFinV-K) as SVG, for the receipt on screen.
   */
  qr_svg: string | null,
};

/**
 * Declined and aborted are answers, not errors.
 */
export type CardPaymentResult = {
  outcome: CardOutcome,
  message: string | null,
  sale: CardSale | null,
};

export type AbortRequested = {
  requested: boolean,
};

export type LoadMethod = "cash" | "card";

export type PasscodeValid = {
  valid: boolean,
};

export type SaleDetail = {
  lines: Array<BasketLine>,
  payments: Array<PaymentLine>,
  transaction_id: string | null,
  customer_receipt: string,
  merchant_receipt: string | null,
  can_cancel: boolean,
  /**
   * Why it cannot be cancelled, as a code the UI words in the cashier's language
   * (`journal.blocked.<code>`).
   */
  cancel_blocked_reason: CancelBlocked | null,
  z_number: number | null,
  /**
   * The sale's id; a cancellation's is `storno-<its receipt number>`.
   */
  sale_id: string,
  receipt_number: number,
  issued_at: string,
  /**
   * What was paid; a cancellation's is negative.
   */
  total: Cents,
  /**
   * The payment methods, in the order the payments were made.
   */
  methods: Array<PaymentMethod>,
  state: ListedState,
  /**
   * A cancellation: the sale it reverses.
   */
  cancels_sale_id: string | null,
  /**
   * A cancelled sale: the cancellation's id (`storno-<n>`).
   */
  cancelled_by_sale_id: string | null,
  /**
   * Registered with the provider (not waiting in the outbox).
   */
  synced: boolean,
  /**
   * A return: the receipt number of the sale it takes lines back from.
   */
  original_receipt?: number,
  /**
   * Cash in or out: why.
   */
  cash_reason?: CashReason,
};

export type ReceiptPreview = {
  sale_id: string,
  copy: "customer" | "merchant",
  text: string,
  signature_required: boolean,
};

export type CancellationDone = {
  sale_id: string,
  receipt_number: number,
  transaction_id: string,
  total: Cents,
  receipt_text: string,
};

export type MethodTotal = {
  method: PaymentMethod,
  count: number,
  amount: Cents,
};

export type DayVatTotal = {
  rate_percent: number,
  net: Cents,
  tax: Cents,
  gross: Cents,
};

export type DaySummary = {
  business_day: string,
  opened_at: string | null,
  sales_count: number,
  cancellations_count: number,
  cancellations_amount: Cents,
  total: Cents,
  by_method: Array<MethodTotal>,
  by_vat: Array<DayVatTotal>,
  first_receipt: number | null,
  last_receipt: number | null,
  cash_start: Cents,
  cash_expected: Cents,
  terminal_closed: boolean,
  outbox_pending: number,
  /**
   * Times the drawer was opened without a sale.
   */
  drawer_openings: number,
  cash_in: Cents,
  cash_out: Cents,
  /**
   * Cash in and out by reason, returns and discounts of the period.
   */
  drawer: DrawerFigures,
  /**
   * Takings per cashier (sales less cancellations), by the names the journal carries.
   */
  by_cashier: Array<CashierTakings>,
};

export type TerminalEndOfDay = {
  ok: boolean,
  at: string,
  count: number,
  amount: Cents,
  receipt_text: string,
};

export type Closing = {
  z_number: number,
  closed_at: string,
  business_day: string,
  summary: DaySummary,
  cash_counted: Cents,
  difference: Cents,
  note: string | null,
  terminal: TerminalEndOfDay | null,
  report_text: string,
  /**
   * The cash kept in the drawer for the next day.
   */
  retained: Cents | null,
};

export type ClosingListItem = {
  z_number: number,
  closed_at: string,
  business_day: string,
  total: Cents,
  sales_count: number,
  difference: Cents,
};

/**
 * Step 1's answer, for the screen: the code and where to enter it.
 */
export type PairingStart = {
  user_code: string,
  verification_url: string,
  expires_in: number,
  interval: number,
};

export type PairingState = "idle" | "waiting" | "paired" | "expired" | "failed";

export type PairingStatus = {
  state: PairingState,
  seconds_left: number,
  message: string | null,
};

export type PrinterDiscovery = {
  serial_ports: Array<string>,
  os_queues: Array<string>,
};

/**
 * Where an exported PDF went.
 */
export type SavedFile = {
  path: string,
};

/**
 * What an export wrote, in words for the end-of-day screen.
 */
export type TaxExport = {
  /**
   * The zip file or folder written.
   */
  path: string,
  zip: boolean,
  /**
   * The Z numbers of the closings in it.
   */
  closings: Array<number>,
  /**
   * Receipts (sales and cancellations) in it.
   */
  receipts: number,
  bytes: number,
};

/**
 * fiskaly's two environments: an API key belongs to one of them. A TEST TSE
 * signs like a real one but is not certified for a shop's sales.
 */
export type FiskalyEnv = "test" | "live";

/**
 * Where the guided setup stands.
 */
export type TseStep = "credentials" | "create" | "admin_pin" | "register" | "done";

/**
 * Settings → TSE, as the screen shows it. Never a secret except the PUK,
 * which the owner must see once.
 */
export type TseView = {
  environment: Environment,
  /**
   * Demo mode: the built-in TSE signs, nothing to set up.
   */
  demo: boolean,
  fiskaly_env: FiskalyEnv,
  /**
   * The API key and secret are in the secret store (they never leave it).
   */
  has_credentials: boolean,
  /**
   * The admin PIN is in the secret store.
   */
  has_admin_pin: boolean,
  step: TseStep,
  /**
   * The next step needs the PUK typed (the till no longer holds it).
   */
  needs_puk: boolean,
  tss_id: string | null,
  /**
   * This till's serial number at the TSE.
   */
  client_serial: string | null,
  /**
   * The TSS's state as the TSE reported it just now (`INITIALIZED`, …).
   */
  tss_state: string | null,
  /**
   * The TSE's serial number.
   */
  serial: string | null,
  bsi_certification_id: string | null,
  /**
   * The PUK, shown once: only until the owner confirms to have noted it.
   */
  puk: string | null,
  /**
   * Sales are signed by this TSE in this run of the till.
   */
  signing: boolean,
  /**
   * Why the TSE could not be asked just now, in words.
   */
  problem: CommandError | null,
  purchase_date: string | null,
  start_of_use: string | null,
};

/**
 * The discounts the cashier gave: per line (by index) and on the basket.
 */
export type DiscountRequest = {
  lines: Array<Discount | null>,
  basket: Discount | null,
};

/**
 * A movement or return booked: its receipt number and the slip.
 */
export type DrawerReceipt = {
  receipt_number: number,
  /**
   * Signed: in positive, out (and refunds) negative.
   */
  amount: Cents,
  receipt_text: string,
  /**
   * The whole card sale was cancelled on the terminal instead (`canceltrx`).
   */
  card_cancelled: boolean,
};

/**
 * Pay by QR code (Einstellungen): the provider's checkout page and how long the till waits.
 */
export type QrSettings = {
  /**
   * The shop's Smart Checkout template (`COT_…`); none: the provider's default.
   */
  checkout_template: string | null,
  /**
   * The checkout page's language; none: the till's own.
   */
  language: Language | null,
  /**
   * How long the till waits for the customer, in seconds.
   */
  timeout_secs: number,
};

/**
 * How a QR payment ended.
 */
export type QrOutcome = "paid" | "failed" | "cancelled" | "aborted" | "timed_out" | "in_doubt";

/**
 * The answer the QR screen waits for.
 */
export type QrPaymentResult = {
  outcome: QrOutcome,
  /**
   * The paid sale with its receipt.
   */
  sale: CompletedSale | null,
};

/**
 * What starting a QR payment shows: on the cashier's screen and, at the
 * merge with the customer display, there.
 */
export type QrPaymentStarted = {
  sale_id: string,
  /**
   * `payment_links.general`, the address the QR code carries.
   */
  link: string,
  amount_cents: number,
  /**
   * ISO 8601: when the till stops waiting and aborts the payment.
   */
  expires_at: string,
  timeout_secs: number,
  /**
   * The QR code of `link` as SVG.
   */
  qr_svg: string,
};

/**
 * Whether pay by QR code can be offered now: it needs the payment service.
 */
export type QrAvailability = {
  available: boolean,
};

export type CashierSettings = {
  /**
   * The till locks after this many minutes without a touch; 0: never.
   */
  lock_after_minutes: number,
  /**
   * The amounts a cashier may handle alone (cash out, discounts).
   */
  limits: Limits,
};

/**
 * What the lock screen and the status bar need.
 */
export type SessionInfo = {
  /**
   * Who is logged in; `None`: the till is locked.
   */
  cashier: Cashier | null,
  /**
   * A testing or live till without a manager: the owner is asked for first.
   */
  needs_owner: boolean,
  lock_after_minutes: number,
  /**
   * The active cashiers' names, for the lock screen (never their PINs).
   */
  names: Array<string>,
};

/**
 * A bad line: its number in the file, its article number, and why, as
 * typed reasons with their details (column, value) that the UI words in
 * the shop's language; the command line prints them in English.
 */
export type BadLineText = {
  line: number,
  number: string,
  problems: Array<LineProblem>,
};

/**
 * What the import screen shows of a preview: the counts, the bad lines
 * with their numbers and reasons, and the first rows.
 */
export type ImportSummary = {
  encoding: Encoding,
  new: number,
  changed: number,
  unchanged: number,
  new_groups: Array<string>,
  ignored_columns: Array<string>,
  bad: Array<BadLineText>,
  rows: Array<ImportRow>,
};

/**
 * What an import did.
 */
export type ImportDone = {
  created: number,
  changed: number,
  unchanged: number,
  groups_created: number,
  skipped_bad_lines: number,
};

/**
 * Where the customer display stands.
 */
export type DisplayPhase = "idle" | "basket" | "paying" | "paid";

/**
 * One basket line as the customer reads it.
 */
export type DisplayLine = {
  text: string,
  quantity: number,
  /**
   * The line's gross amount after its discount.
   */
  amount: Cents,
};

/**
 * A code the customer scans to pay with a phone, shown large with its
 * amount and the time left.
 */
export type QrBlock = {
  /**
   * The payment page the code leads to.
   */
  link: string,
  amount_cents: Cents,
  /**
   * When the link stops working (RFC 3339), for the countdown.
   */
  expires_at: string,
  /**
   * The code as SVG, drawn as the receipt's TSE code is.
   */
  svg: string,
};

/**
 * Everything the display's window shows.
 */
export type CustomerView = {
  /**
   * Grows with every change: the window keeps the newest view when an
   * event and its own question at load cross.
   */
  seq: number,
  phase: DisplayPhase,
  lines: Array<DisplayLine>,
  total: Cents,
  /**
   * What the customer gave (cash tendered, or the amount paid otherwise).
   */
  paid: Cents | null,
  /**
   * The change, where cash was given.
   */
  change: Cents | null,
  shop_name: string,
  /**
   * The owner's message on the idle screen.
   */
  message: string | null,
  language: Language,
  qr: QrBlock | null,
};

/**
 * What the cashier typed for an article that asks for it.
 */
export type Entered = { "kind": "price", price: Cents, } | { "kind": "weight", grams: number, };
