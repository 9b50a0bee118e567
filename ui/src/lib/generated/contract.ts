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
export type ShopHeader = { name: string, address_lines: Array<string>, vat_id: string | null, };

/**
 * One article line of the receipt.
 */
export type ReceiptLine = { quantity: number, text: string, unit_price_cents: number, total_cents: number, 
/**
 * The letter that ties the line to its row in the VAT table (A = 19 %, B = 7 %, C = 0 %).
 */
vat_mark: string, };

/**
 * One row of the VAT table.
 */
export type VatLine = { mark: string, rate_percent: number, net_cents: number, tax_cents: number, gross_cents: number, };

/**
 * How the sale was paid.
 */
export type PaymentLine = { 
/**
 * What the customer reads, e.g. "Bar".
 */
label: string, amount_cents: number, 
/**
 * Cash tendered and change, where cash was given.
 */
tendered_cents: number | null, change_cents: number | null, };

/**
 * A receipt line as the provider sends it (`receipt`, `receipt_merchant`), kept verbatim.
 */
export type ProviderLine = { type: string, value?: JsonValue, };

/**
 * The customer receipt of one sale.
 */
export type Receipt = { shop: ShopHeader, till_id: string, receipt_number: number, 
/**
 * Local date and time as printed, e.g. "21.11.2026 14:03".
 */
issued_at: string, lines: Array<ReceiptLine>, total_cents: number, vat: Array<VatLine>, payments: Array<PaymentLine>, 
/**
 * The provider's transaction id (`STX_…`), printed for support.
 */
transaction_id: string | null, provider_lines: Array<ProviderLine>, 
/**
 * Marks a receipt from demo mode, so it can never pass for a real one.
 */
demo: boolean, };

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
export type PaymentMethod = "cash" | "card" | "secucard";

export type Article = { article_number: string, ean: string | null, text: string, price: Cents, vat: VatRate, };

/**
 * What a line sells.
 */
export type LineKind = "article" | "card_load";

export type BasketLine = { article_number?: string | null, ean?: string | null, text: string, quantity: number, 
/**
 * Gross unit price.
 */
unit_price: Cents, vat: VatRate, 
/**
 * Taken off the line's gross total (a line discount), never more than it.
 */
discount?: Cents, kind?: LineKind, };

export type Basket = { lines: Array<BasketLine>, 
/**
 * The secucard scanned for this sale (loading it, or paying from its balance).
 */
card?: string | null, };

/**
 * Net, tax and gross of one VAT rate.
 */
export type VatTotal = { rate: VatRate, net: Cents, tax: Cents, gross: Cents, };

/**
 * A paid sale as the cashier sees it after "paid".
 */
export type CompletedSale = { sale_id: string, receipt_number: number, 
/**
 * Empty while a sale paid offline waits for registration.
 */
transaction_id: string, total: Cents, receipt: Receipt, receipt_text: string, 
/**
 * The merchant's copy of a card payment (to keep, and to sign where it says so).
 */
merchant_receipt_text: string | null, 
/**
 * Paid while offline: registered with the provider when it is back.
 */
queued: boolean, };

/**
 * A secucard as the cashier sees it (balances in cents).
 */
export type Secucard = { 
/**
 * Always text: leading digits matter.
 */
card_number: string, group_name: string | null, customer_name: string | null, balance: Cents, cash_balance: Cents, bonus_balance: Cents, points: number, 
/**
 * `locked` or `unlocked`.
 */
lock_status: LockStatus, 
/**
 * `stored`, `active` or `inactive`.
 */
stock_status: StockStatus, passcode_required: boolean, last_usage: string | null, expiry_date: string | null, };

/**
 * How a sale splits between the card's balance and the till.
 */
export type CardSplit = { total: Cents, 
/**
 * Paid from the card's balance.
 */
from_card: Cents, 
/**
 * Left for the till to collect.
 */
rest: Cents, };

/**
 * A sale paid offline that the provider refused to register, for good.
 */
export type RefusedSale = { sale_id: string, receipt_number: number, 
/**
 * When it was paid.
 */
since: string, 
/**
 * The provider's words.
 */
problem: string, };

// ---------- from catalog ----------
