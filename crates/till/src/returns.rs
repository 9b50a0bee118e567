//! Returns: lines of a paid sale taken back, in part or whole, as a receipt
//! of its own with negative lines naming the original.
//!
//! Each line's refund is its share of what the line cost after discounts:
//! for `q` units taken back when `r` already were, `share(r + q) − share(r)`
//! with `share(n) = round(total × n / quantity)`, so however a line is
//! returned in parts, the refunds add up to exactly what it cost. A line can
//! never be returned for more units than were sold (checked again inside the
//! journal's write transaction).

use serde::{Deserialize, Serialize};

use crate::basket::{Basket, LineKind, VatTotal};
use crate::money::{Cents, VatRate};

/// A line and how many of its units to take back (the UI's request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReturnLine {
    /// The line's index in the original basket (0 = the first line).
    pub line: usize,
    pub quantity: i64,
}

/// A line as taken back: negative amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReturnedLine {
    pub line: usize,
    pub quantity: i64,
    pub text: String,
    pub vat: VatRate,
    pub unit_price: Cents,
    /// What is refunded for it (negative).
    pub amount: Cents,
}

/// A return as the journal keeps it (entry kind `return`; its `sale_id` column
/// is the original sale's, so the returns of a sale are found by it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnRecord {
    /// The TSE transaction's id.
    pub id: String,
    #[serde(skip)]
    pub receipt_number: i64,
    #[serde(skip)]
    pub created_at: String,
    pub original_receipt: i64,
    #[serde(skip)]
    pub original_sale_id: String,
    pub lines: Vec<ReturnedLine>,
    /// Per rate, negative.
    pub vat: Vec<VatTotal>,
    /// Negative.
    pub total: Cents,
    /// Returns are refunded in cash; `true` when the original was paid otherwise
    /// (a part of a card payment is refunded in cash, and the receipt says so).
    pub cash_for_non_cash: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tse: Option<crate::tse::TseRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorised_by: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    #[error("choose at least one line to take back")]
    Empty,
    #[error("the original receipt has no line {0}")]
    UnknownLine(usize),
    #[error("line {line}: only {left} can still be taken back")]
    TooMany { line: usize, left: i64 },
    #[error("line {0}: a secucard load cannot be taken back as goods")]
    CardLoad(usize),
    #[error("the sale is cancelled or being cancelled: nothing of it can be taken back")]
    NotPaid,
}

/// What `n` of a line's `quantity` units cost of its `total` (rounded half up).
fn share(total: Cents, n: i64, quantity: i64) -> Cents {
    let exact = i128::from(total.0) * i128::from(n);
    let q = i128::from(quantity.max(1));
    Cents(((exact * 2 + q) / (2 * q)) as i64)
}

/// The units of each line of `basket` already taken back, from the returns' lines.
pub fn returned_per_line(basket: &Basket, returns: &[ReturnRecord]) -> Vec<i64> {
    let mut done = vec![0; basket.lines.len()];
    for r in returns {
        for l in &r.lines {
            if let Some(d) = done.get_mut(l.line) {
                *d += l.quantity;
            }
        }
    }
    done
}

/// The lines taken back and their refunds, checked against what is left.
pub fn plan(
    basket: &Basket,
    already: &[i64],
    request: &[ReturnLine],
) -> Result<Vec<ReturnedLine>, ReturnError> {
    let mut wanted = vec![0i64; basket.lines.len()];
    for r in request.iter().filter(|r| r.quantity != 0) {
        let line = basket
            .lines
            .get(r.line)
            .ok_or(ReturnError::UnknownLine(r.line + 1))?;
        if line.kind == LineKind::CardLoad {
            return Err(ReturnError::CardLoad(r.line + 1));
        }
        let left = line.quantity - already.get(r.line).copied().unwrap_or(0) - wanted[r.line];
        if r.quantity < 0 || r.quantity > left {
            return Err(ReturnError::TooMany {
                line: r.line + 1,
                left: left.max(0),
            });
        }
        wanted[r.line] += r.quantity;
    }
    let lines: Vec<ReturnedLine> = wanted
        .iter()
        .enumerate()
        .filter(|(_, q)| **q > 0)
        .map(|(i, &q)| {
            let l = &basket.lines[i];
            let before = already.get(i).copied().unwrap_or(0);
            let total = l.total();
            let amount = share(total, before + q, l.quantity) - share(total, before, l.quantity);
            ReturnedLine {
                line: i,
                quantity: q,
                text: l.text.clone(),
                vat: l.vat,
                unit_price: l.unit_price,
                amount: -amount,
            }
        })
        .collect();
    if lines.is_empty() {
        return Err(ReturnError::Empty);
    }
    Ok(lines)
}

/// VAT per rate of the lines taken back (negative), computed per rate as on any receipt.
pub fn vat_of(lines: &[ReturnedLine]) -> Vec<VatTotal> {
    VatRate::ALL
        .iter()
        .filter_map(|&rate| {
            let of_rate: Vec<&ReturnedLine> = lines.iter().filter(|l| l.vat == rate).collect();
            if of_rate.is_empty() {
                return None;
            }
            let gross: Cents = of_rate.iter().map(|l| l.amount).sum();
            let tax = rate.tax_in_gross(gross);
            Some(VatTotal {
                rate,
                net: gross - tax,
                tax,
                gross,
            })
        })
        .collect()
}

/// Whether taking `request` back returns the whole sale (nothing returned before).
pub fn is_whole(basket: &Basket, already: &[i64], request: &[ReturnLine]) -> bool {
    if already.iter().any(|&a| a != 0) {
        return false;
    }
    basket.lines.iter().enumerate().all(|(i, l)| {
        request
            .iter()
            .filter(|r| r.line == i)
            .map(|r| r.quantity)
            .sum::<i64>()
            == l.quantity
    })
}

/// The TSE's `Beleg` of a return: the amounts per rate and the cash paid
/// out, negative (as a cancellation's; DSFinV-K knows no own BON_TYP for it).
pub fn tse_receipt(record: &ReturnRecord) -> fiskaly::Receipt {
    let mut r = fiskaly::Receipt::new(fiskaly::ReceiptType::Receipt);
    for v in &record.vat {
        let rate = match v.rate {
            VatRate::Standard => fiskaly::VatRate::Normal,
            VatRate::Reduced => fiskaly::VatRate::Reduced1,
            VatRate::Zero => fiskaly::VatRate::Null,
        };
        r = r.vat(rate, v.gross.0);
    }
    r.paid(fiskaly::PaymentType::Cash, record.total.0)
}

/// The return's receipt: negative lines, the VAT table, the cash refunded,
/// and the original's number above the lines.
pub fn receipt_of(
    record: &ReturnRecord,
    shop: &receipt::ShopHeader,
    till_id: &str,
    demo: bool,
) -> receipt::Receipt {
    let mut notes = vec![format!("RÜCKGABE zu Beleg {}", record.original_receipt)];
    if record.cash_for_non_cash {
        notes.push("Erstattung in bar (Kartenzahlung)".into());
    }
    receipt::Receipt {
        shop: shop.clone(),
        till_id: till_id.into(),
        receipt_number: record.receipt_number.max(0) as u64,
        issued_at: crate::cash_movement::printed_local(&record.created_at),
        lines: record
            .lines
            .iter()
            .map(|l| receipt::ReceiptLine {
                quantity: -l.quantity,
                text: l.text.clone(),
                unit_price_cents: l.unit_price.0,
                total_cents: l.amount.0,
                vat_mark: l.vat.mark(),
                discounts: vec![],
            })
            .collect(),
        total_cents: record.total.0,
        vat: record.vat.iter().map(crate::receipt_doc::vat_line).collect(),
        payments: vec![receipt::PaymentLine {
            label: "Bar".into(),
            amount_cents: record.total.0,
            tendered_cents: None,
            change_cents: None,
        }],
        transaction_id: None,
        provider_lines: notes
            .into_iter()
            .map(|text| receipt::ProviderLine {
                kind: "textline".into(),
                value: serde_json::json!({"text": text, "decoration": ["align-center", "important"]}),
            })
            .collect(),
        demo,
        served_by: None,
        tse: record.tse.as_ref().map(crate::receipt_doc::tse_block),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basket::BasketLine;
    use proptest::prelude::*;

    fn basket() -> Basket {
        let mut coffee = BasketLine::article("Kaffee", 3, Cents(333), VatRate::Standard);
        coffee.discount = Cents(100);
        Basket {
            lines: vec![
                coffee,
                BasketLine::article("Brot", 1, Cents(250), VatRate::Reduced),
            ],
            card: None,
        }
    }

    #[test]
    fn a_partial_return_refunds_the_units_share_after_discount() {
        let b = basket();
        // 3 × 3.33 − 1.00 = 8.99: one unit is 3.00 (2.9967 rounded).
        let lines = plan(
            &b,
            &[0, 0],
            &[ReturnLine {
                line: 0,
                quantity: 1,
            }],
        )
        .unwrap();
        assert_eq!(lines[0].amount, Cents(-300));
        let vat = vat_of(&lines);
        assert_eq!((vat[0].gross, vat[0].tax), (Cents(-300), Cents(-48)));
        assert!(!is_whole(
            &b,
            &[0, 0],
            &[ReturnLine {
                line: 0,
                quantity: 1
            }]
        ));
        let all = [
            ReturnLine {
                line: 0,
                quantity: 3,
            },
            ReturnLine {
                line: 1,
                quantity: 1,
            },
        ];
        assert!(is_whole(&b, &[0, 0], &all));
    }

    #[test]
    fn a_line_cannot_be_returned_twice() {
        let b = basket();
        assert_eq!(
            plan(
                &b,
                &[3, 0],
                &[ReturnLine {
                    line: 0,
                    quantity: 1
                }]
            ),
            Err(ReturnError::TooMany { line: 1, left: 0 })
        );
        // Twice in one request counts too.
        let twice = [
            ReturnLine {
                line: 1,
                quantity: 1,
            },
            ReturnLine {
                line: 1,
                quantity: 1,
            },
        ];
        assert_eq!(
            plan(&b, &[0, 0], &twice),
            Err(ReturnError::TooMany { line: 2, left: 0 })
        );
        assert_eq!(
            plan(
                &b,
                &[0, 0],
                &[ReturnLine {
                    line: 5,
                    quantity: 1
                }]
            ),
            Err(ReturnError::UnknownLine(6))
        );
        assert_eq!(plan(&b, &[0, 0], &[]), Err(ReturnError::Empty));
    }

    proptest! {
        /// However a line is returned in parts, the refunds add up to exactly
        /// what it cost, each part is within a cent of its exact share, and
        /// nothing more can be returned after.
        #[test]
        fn partial_returns_add_up_to_the_line(
            price in 1i64..100_000, qty in 1i64..50, pct in 0i64..100,
            cuts in prop::collection::vec(1i64..10, 1..20),
        ) {
            let mut l = BasketLine::article("x", qty, Cents(price), VatRate::Reduced);
            l.discount = Cents(price * qty * pct / 100);
            let b = Basket { lines: vec![l.clone()], card: None };
            let mut done = 0;
            let mut refunded = Cents::ZERO;
            for c in cuts {
                let q = c.min(qty - done);
                if q == 0 { break; }
                let lines = plan(&b, &[done], &[ReturnLine { line: 0, quantity: q }]).unwrap();
                let amount = -lines[0].amount;
                let exact = i128::from(l.total().0) * i128::from(q);
                prop_assert!((i128::from(amount.0) * i128::from(qty) - exact).abs() <= i128::from(qty));
                refunded = refunded + amount;
                done += q;
                let v = vat_of(&lines);
                prop_assert_eq!(v[0].net + v[0].tax, lines[0].amount);
            }
            if done == qty {
                prop_assert_eq!(refunded, l.total());
                let again = plan(&b, &[done], &[ReturnLine { line: 0, quantity: 1 }]);
                prop_assert!(again.is_err());
            }
        }
    }
}
