//! The closing (end of day): running totals and the day's figures.
//!
//! Every entry that moves money carries the journal's running totals since
//! the till was first used. A closing's figures are the difference between
//! the totals now and the totals at the previous closing: two rows read, no
//! matter how many sales the day had.

use serde::{Deserialize, Serialize};

use crate::basket::VatTotal;
use crate::money::{Cents, VatRate};

/// The cumulative totals after one entry. Stored beside that entry and
/// covered by its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunningTotals {
    pub sales: i64,
    pub cancellations: i64,
    pub drawer_openings: i64,
    /// By payment method (cancellations already taken off).
    pub cash: i64,
    pub card: i64,
    pub secucard: i64,
    /// Gross and tax per rate, indexed like `VatRate::ALL` (19 %, 7 %, 0 %).
    pub gross: [i64; 3],
    pub tax: [i64; 3],
    /// Money loaded onto secucards (part of the 0 % gross).
    pub card_loads: i64,
    pub float: i64,
    pub cash_in: i64,
    pub cash_out: i64,
    /// The last receipt number given (sales and cancellations share the sequence).
    pub last_receipt: i64,
    /// Payments by method, counted (a cancelled payment counts back). Kept
    /// since schema 2; older rows read as 0 (see [`RunningTotals::EXTRA_COLUMNS`]).
    #[serde(default)]
    pub cash_count: i64,
    #[serde(default)]
    pub card_count: i64,
    #[serde(default)]
    pub secucard_count: i64,
    /// Gross of the cancelled sales (positive).
    #[serde(default)]
    pub cancelled: i64,
}

impl RunningTotals {
    pub(crate) const COLUMNS: &'static str = "sales, cancellations, drawer_openings, cash, card, secucard, \
         gross_a, tax_a, gross_b, tax_b, gross_c, tax_c, card_loads, float, cash_in, cash_out, last_receipt";

    /// Columns added by schema 2. They are NULL in rows written before it,
    /// and such rows are hashed without them, so old journals still verify.
    pub(crate) const EXTRA_COLUMNS: &'static str =
        "cash_count, card_count, secucard_count, cancelled";

    pub(crate) fn extra_array(self) -> [i64; 4] {
        [
            self.cash_count,
            self.card_count,
            self.secucard_count,
            self.cancelled,
        ]
    }

    pub(crate) fn with_extra(mut self, e: [i64; 4]) -> Self {
        self.cash_count = e[0];
        self.card_count = e[1];
        self.secucard_count = e[2];
        self.cancelled = e[3];
        self
    }

    pub(crate) fn to_array(self) -> [i64; 17] {
        [
            self.sales,
            self.cancellations,
            self.drawer_openings,
            self.cash,
            self.card,
            self.secucard,
            self.gross[0],
            self.tax[0],
            self.gross[1],
            self.tax[1],
            self.gross[2],
            self.tax[2],
            self.card_loads,
            self.float,
            self.cash_in,
            self.cash_out,
            self.last_receipt,
        ]
    }

    pub(crate) fn from_array(a: [i64; 17]) -> Self {
        Self {
            sales: a[0],
            cancellations: a[1],
            drawer_openings: a[2],
            cash: a[3],
            card: a[4],
            secucard: a[5],
            gross: [a[6], a[8], a[10]],
            tax: [a[7], a[9], a[11]],
            card_loads: a[12],
            float: a[13],
            cash_in: a[14],
            cash_out: a[15],
            last_receipt: a[16],
            ..Self::default()
        }
    }

    /// Adds (`sign` = 1) or takes off (`sign` = -1) a sale's VAT breakdown.
    pub(crate) fn add_vat(&mut self, vat: &[VatTotal], sign: i64) {
        for v in vat {
            let i = rate_index(v.rate);
            self.gross[i] += sign * v.gross.0;
            self.tax[i] += sign * v.tax.0;
        }
    }

    /// Adds a payment (a negative amount takes a cancelled one off, and its count).
    pub(crate) fn add_payment(&mut self, method: PaymentMethod, amount: Cents) {
        let count = if amount.0 < 0 { -1 } else { 1 };
        match method {
            PaymentMethod::Cash => {
                self.cash += amount.0;
                self.cash_count += count;
            }
            // Not cash, through the provider: the day's non-cash line.
            PaymentMethod::Card | PaymentMethod::Qr => {
                self.card += amount.0;
                self.card_count += count;
            }
            PaymentMethod::Secucard => {
                self.secucard += amount.0;
                self.secucard_count += count;
            }
        }
    }
}

fn rate_index(rate: VatRate) -> usize {
    match rate {
        VatRate::Standard => 0,
        VatRate::Reduced => 1,
        VatRate::Zero => 2,
    }
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    /// On the payment terminal (`start/cashless`).
    Card,
    /// From the secucard's balance.
    Secucard,
    /// By QR code: the customer paid on the provider's Smart Checkout page.
    Qr,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Secucard => "secucard",
            PaymentMethod::Qr => "qr",
        }
    }
}

/// Totals by payment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct ByMethod {
    pub cash: Cents,
    /// On the payment terminal.
    pub card: Cents,
    pub secucard: Cents,
    /// By QR code. Closings made before QR had a line of its own read 0
    /// here, their QR payments within `card`.
    #[serde(default)]
    pub qr: Cents,
}

/// Payments by method, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct MethodCounts {
    pub cash: i64,
    pub card: i64,
    pub secucard: i64,
    #[serde(default)]
    pub qr: i64,
}

/// The figures of one period (a day) between two closings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DayFigures {
    pub sales: i64,
    pub cancellations: i64,
    pub drawer_openings: i64,
    pub by_method: ByMethod,
    /// Net, tax and gross per rate, 19 %, 7 %, 0 %; rates without turnover included as zero.
    pub by_rate: Vec<VatTotal>,
    /// Gross of all rates: the day's turnover after cancellations.
    pub total: Cents,
    pub card_loads: Cents,
    pub first_receipt: Option<i64>,
    pub last_receipt: Option<i64>,
    pub opening_float: Cents,
    pub cash_in: Cents,
    pub cash_out: Cents,
    /// Float + cash in − cash out + cash taken for sales.
    pub cash_expected: Cents,
    /// How many payments each method took (cancelled ones counted back).
    /// Closings before schema 2 read 0 here.
    #[serde(default)]
    pub counts_by_method: MethodCounts,
    /// Gross of the sales cancelled in the period (positive).
    #[serde(default)]
    pub cancelled: Cents,
}

impl DayFigures {
    /// The figures between the totals at the last closing (`since`) and now.
    pub fn between(since: &RunningTotals, now: &RunningTotals) -> Self {
        let d = |f: fn(&RunningTotals) -> i64| f(now) - f(since);
        let by_rate: Vec<VatTotal> = VatRate::ALL
            .iter()
            .map(|&rate| {
                let i = rate_index(rate);
                let gross = Cents(now.gross[i] - since.gross[i]);
                let tax = Cents(now.tax[i] - since.tax[i]);
                VatTotal {
                    rate,
                    net: gross - tax,
                    tax,
                    gross,
                }
            })
            .collect();
        let receipts = now.last_receipt > since.last_receipt;
        let cash = d(|t| t.cash);
        let float = d(|t| t.float);
        let cash_in = d(|t| t.cash_in);
        let cash_out = d(|t| t.cash_out);
        Self {
            sales: d(|t| t.sales),
            cancellations: d(|t| t.cancellations),
            drawer_openings: d(|t| t.drawer_openings),
            by_method: ByMethod {
                cash: Cents(cash),
                card: Cents(d(|t| t.card)),
                secucard: Cents(d(|t| t.secucard)),
                qr: Cents::ZERO,
            },
            total: by_rate.iter().map(|v| v.gross).sum(),
            by_rate,
            card_loads: Cents(d(|t| t.card_loads)),
            first_receipt: receipts.then_some(since.last_receipt + 1),
            last_receipt: receipts.then_some(now.last_receipt),
            opening_float: Cents(float),
            cash_in: Cents(cash_in),
            cash_out: Cents(cash_out),
            cash_expected: Cents(float + cash_in - cash_out + cash),
            counts_by_method: MethodCounts {
                cash: d(|t| t.cash_count),
                card: d(|t| t.card_count),
                secucard: d(|t| t.secucard_count),
                qr: 0,
            },
            cancelled: Cents(d(|t| t.cancelled)),
        }
    }
}

impl DayFigures {
    /// Takes the period's QR payments (`amount`, `count`, cancelled ones
    /// counted back) out of the non-cash line the running totals keep them
    /// in: card and QR code each on a line of their own.
    pub fn with_qr(mut self, amount: Cents, count: i64) -> Self {
        self.by_method.card = self.by_method.card - amount;
        self.by_method.qr = amount;
        self.counts_by_method.card -= count;
        self.counts_by_method.qr = count;
        self
    }
}

/// A closing as stored: its Z number, the figures, the count and the terminal's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
// The app answers its own `Closing` (with the summary in the UI's words).
#[ts(rename = "StoredClosing")]
pub struct Closing {
    pub z_number: i64,
    pub closed_at: String,
    pub figures: DayFigures,
    pub cash_counted: Cents,
    /// Counted − expected: negative when cash is missing.
    pub difference: Cents,
    /// The terminal's end-of-day answer as received, where there is a terminal.
    pub terminal: Option<serde_json::Value>,
    /// The hash of the last entry before the closing: an anchor for `verify`.
    pub chain_head: String,
    /// The cashier's note (schema 2; `None` in older closings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When the period began: the time of its first entry (schema 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<String>,
    /// What the TSE signed in the period (serial, transaction numbers and
    /// signature counters) and its outages; `None` without a TSE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tse: Option<crate::journal::TseSummary>,
    /// The cash left in the drawer for the next day (the next float's
    /// suggestion); `None`: all counted cash stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retained: Option<Cents>,
    /// Movements by reason, returns, discounts (`None` in older closings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawer: Option<crate::journal::DrawerFigures>,
    /// Takings per cashier (schema 6; empty in older closings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_cashier: Vec<CashierTakings>,
}

/// What one cashier took in a period: sales less cancellations, as the journal names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CashierTakings {
    /// `None`: entries written while nobody was logged in (or before the till knew cashiers).
    pub cashier_id: Option<String>,
    pub name: Option<String>,
    pub sales: i64,
    pub cancellations: i64,
    /// Payments of the sales plus the (negative) cancellations.
    pub total: Cents,
}

/// Movements of cash that are not sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CashMovement {
    /// The change float put in the drawer at the start of the day.
    Float,
    CashIn,
    CashOut,
}

impl CashMovement {
    pub(crate) fn apply(self, totals: &mut RunningTotals, amount: Cents) {
        match self {
            CashMovement::Float => totals.float += amount.0,
            CashMovement::CashIn => totals.cash_in += amount.0,
            CashMovement::CashOut => totals.cash_out += amount.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_the_difference_of_two_running_totals() {
        let mut since = RunningTotals {
            sales: 10,
            cash: 5000,
            last_receipt: 12,
            ..Default::default()
        };
        since.gross[0] = 5000;
        since.tax[0] = 798;
        let mut now = since;
        now.sales += 2;
        now.cancellations += 1;
        now.cash += 700;
        now.card += 300;
        now.cash_count += 3;
        now.card_count += 1;
        now.cancelled += 150;
        now.gross[0] += 1000;
        now.tax[0] += 160;
        now.float += 10000;
        now.cash_out += 2000;
        now.last_receipt = 15;
        let f = DayFigures::between(&since, &now);
        assert_eq!((f.sales, f.cancellations), (2, 1));
        assert_eq!(f.by_method.cash, Cents(700));
        assert_eq!(
            f.counts_by_method,
            MethodCounts {
                cash: 3,
                card: 1,
                secucard: 0,
                qr: 0,
            }
        );
        assert_eq!(f.cancelled, Cents(150));
        assert_eq!(f.by_rate[0].gross, Cents(1000));
        assert_eq!(f.by_rate[0].net, Cents(840));
        assert_eq!(f.total, Cents(1000));
        assert_eq!((f.first_receipt, f.last_receipt), (Some(13), Some(15)));
        assert_eq!(f.cash_expected, Cents(10000 - 2000 + 700));
        let empty = DayFigures::between(&now, &now);
        assert_eq!((empty.first_receipt, empty.total), (None, Cents(0)));
    }

    #[test]
    fn totals_round_trip_through_their_columns() {
        let mut t = RunningTotals::default();
        for (i, v) in t.to_array().iter().enumerate() {
            assert_eq!(*v, 0, "{i}");
        }
        t.gross = [1, 2, 3];
        t.tax = [4, 5, 6];
        t.last_receipt = 7;
        assert_eq!(RunningTotals::from_array(t.to_array()), t);
        assert_eq!(RunningTotals::COLUMNS.split(',').count(), 17);
        t.cash_count = 8;
        t.cancelled = 9;
        assert_eq!(
            RunningTotals::from_array(t.to_array()).with_extra(t.extra_array()),
            t
        );
        assert_eq!(RunningTotals::EXTRA_COLUMNS.split(',').count(), 4);
    }
}
