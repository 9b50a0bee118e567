//! Discounts (DSFinV-K business case `Rabatt`): per line and on the whole
//! basket, as a percentage or an amount.
//!
//! A discount becomes cents on the lines before anything is paid: each line's
//! `discount` holds what it takes off (its own rule and its share of the
//! basket's), and `discount_rule` says how that was found, for the receipt
//! ("Rabatt 10 %") and for the journal (the sale's intent stores the basket).
//! The basket's discount is split over the VAT rates in proportion to each
//! rate's gross (largest remainder, so the shares add up to the cent), then
//! over each rate's lines the same way; VAT is then computed per rate on the
//! lowered gross as always, so net + tax = gross still holds exactly.

use serde::{Deserialize, Serialize};

use crate::basket::{Basket, BasketLine, LineKind};
use crate::money::{Cents, VatRate};

/// DSFinV-K's name of the business case (`GV_TYP`).
pub const BUSINESS_CASE: &str = "Rabatt";

/// How a discount is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Discount {
    /// Whole percent, 1–100.
    Percent { percent: u32 },
    /// An amount taken off, at most the gross it applies to.
    Amount { amount: Cents },
}

impl Discount {
    /// What it takes off `gross` (a percentage rounded half up to the cent).
    pub fn off(self, gross: Cents) -> Result<Cents, DiscountError> {
        match self {
            Discount::Percent { percent } => {
                if !(1..=100).contains(&percent) {
                    return Err(DiscountError::Percent);
                }
                let p = i64::from(percent);
                let scaled = gross.0.checked_mul(p).ok_or(DiscountError::TooLarge)?;
                Ok(Cents((scaled + 50) / 100))
            }
            Discount::Amount { amount } => {
                if amount.0 <= 0 || amount > gross {
                    return Err(DiscountError::Amount);
                }
                Ok(amount)
            }
        }
    }

    /// As the receipt names it: "Rabatt 10 %" or "Rabatt".
    pub fn label(self) -> String {
        match self {
            Discount::Percent { percent } => format!("{BUSINESS_CASE} {percent} %"),
            Discount::Amount { .. } => BUSINESS_CASE.to_string(),
        }
    }
}

/// How a line's discount was found; stored with the line in the sale's intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LineDiscount {
    /// Always `Rabatt` (DSFinV-K), so that the export needs no table.
    pub business_case: String,
    /// The line's own discount, if any, and what it took off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<Discount>,
    #[serde(default)]
    pub line_amount: Cents,
    /// The basket's discount, if any, and this line's share of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basket: Option<Discount>,
    #[serde(default)]
    pub basket_share: Cents,
}

impl LineDiscount {
    pub fn total(&self) -> Cents {
        self.line_amount + self.basket_share
    }

    /// The receipt's lines under the article: the line's own discount, then
    /// its share of the basket's ("Rabatt auf den Einkauf 5 %").
    pub fn printed(&self) -> Vec<receipt::LineDiscountText> {
        let mut out = Vec::new();
        if let (Some(rule), true) = (self.line, self.line_amount.0 != 0) {
            out.push(receipt::LineDiscountText {
                label: rule.label(),
                amount_cents: self.line_amount.0,
            });
        }
        if let (Some(rule), true) = (self.basket, self.basket_share.0 != 0) {
            let label = match rule {
                Discount::Percent { percent } => format!("{BUSINESS_CASE} Einkauf {percent} %"),
                Discount::Amount { .. } => format!("{BUSINESS_CASE} Einkauf"),
            };
            out.push(receipt::LineDiscountText {
                label,
                amount_cents: self.basket_share.0,
            });
        }
        out
    }

    /// The receipt's words for the discount under the line.
    pub fn label(&self) -> String {
        match (self.line, self.basket) {
            (Some(l), None) => l.label(),
            (None, Some(b)) => b.label(),
            _ => BUSINESS_CASE.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscountError {
    #[error("a discount in percent must be between 1 and 100")]
    Percent,
    #[error("a discount must be more than 0 and not more than the amount it is taken off")]
    Amount,
    #[error("line {0}: a secucard load cannot be discounted")]
    CardLoad(usize),
    #[error("the discount is too large")]
    TooLarge,
}

/// Applies the lines' own discounts (`rules[i]` for line i, or `None`) and
/// the basket's: returns the basket with every line's `discount` and
/// `discount_rule` set. Loads onto a secucard are never discounted (a
/// voucher's value is what was paid for it).
pub fn apply(
    basket: &Basket,
    rules: &[Option<Discount>],
    on_basket: Option<Discount>,
) -> Result<Basket, DiscountError> {
    let mut out = basket.clone();
    for (i, line) in out.lines.iter_mut().enumerate() {
        let rule = rules.get(i).copied().flatten();
        line.discount = Cents::ZERO;
        line.discount_rule = None;
        if let Some(rule) = rule {
            if line.kind == LineKind::CardLoad {
                return Err(DiscountError::CardLoad(i + 1));
            }
            let gross = gross_of(line)?;
            let amount = rule.off(gross)?;
            line.discount = amount;
            line.discount_rule = Some(LineDiscount {
                business_case: BUSINESS_CASE.into(),
                line: Some(rule),
                line_amount: amount,
                basket: None,
                basket_share: Cents::ZERO,
            });
        }
    }
    let Some(rule) = on_basket else {
        return Ok(out);
    };
    let base: Cents = out
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Article)
        .map(BasketLine::total)
        .sum();
    let off = rule.off(base)?;
    // First per rate, in proportion to each rate's gross; then per line.
    let rates: Vec<(VatRate, Cents)> = VatRate::ALL
        .iter()
        .map(|&r| {
            let g = out
                .lines
                .iter()
                .filter(|l| l.kind == LineKind::Article && l.vat == r)
                .map(BasketLine::total)
                .sum();
            (r, g)
        })
        .collect();
    let per_rate = split(off, &rates.iter().map(|(_, g)| *g).collect::<Vec<_>>())?;
    for ((rate, _), share) in rates.into_iter().zip(per_rate) {
        let idx: Vec<usize> = (0..out.lines.len())
            .filter(|&i| out.lines[i].kind == LineKind::Article && out.lines[i].vat == rate)
            .collect();
        let weights: Vec<Cents> = idx.iter().map(|&i| out.lines[i].total()).collect();
        for (i, part) in idx.into_iter().zip(split(share, &weights)?) {
            let line = &mut out.lines[i];
            line.discount = line.discount + part;
            let d = line.discount_rule.get_or_insert_with(|| LineDiscount {
                business_case: BUSINESS_CASE.into(),
                line: None,
                line_amount: Cents::ZERO,
                basket: None,
                basket_share: Cents::ZERO,
            });
            d.basket = Some(rule);
            d.basket_share = part;
        }
    }
    Ok(out)
}

fn gross_of(line: &BasketLine) -> Result<Cents, DiscountError> {
    line.unit_price
        .checked_mul(line.quantity)
        .ok_or(DiscountError::TooLarge)
}

/// Splits `amount` over `weights` in proportion, to the cent: each part is
/// the exact share rounded down, and the cents left go to the largest
/// remainders (earliest first on a tie). The parts add up to `amount`, and
/// none is more than its weight when `amount` is not more than their sum.
pub fn split(amount: Cents, weights: &[Cents]) -> Result<Vec<Cents>, DiscountError> {
    let total: i128 = weights.iter().map(|w| i128::from(w.0)).sum();
    if total <= 0 {
        return Ok(vec![Cents::ZERO; weights.len()]);
    }
    let a = i128::from(amount.0);
    let mut parts: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| {
            let exact = a * i128::from(w.0);
            (exact / total, exact % total)
        })
        .collect();
    let given: i128 = parts.iter().map(|(p, _)| *p).sum();
    let mut left = a - given;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&x, &y| parts[y].1.cmp(&parts[x].1).then(x.cmp(&y)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i].0 += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|(p, _)| {
            i64::try_from(p)
                .map(Cents)
                .map_err(|_| DiscountError::TooLarge)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(price: i64, qty: i64, vat: VatRate) -> BasketLine {
        BasketLine::article("x", qty, Cents(price), vat)
    }

    #[test]
    fn a_line_discount_in_percent_is_named_on_the_line() {
        let b = Basket {
            lines: vec![line(500, 2, VatRate::Reduced)],
            card: None,
        };
        let d = apply(&b, &[Some(Discount::Percent { percent: 10 })], None).unwrap();
        assert_eq!(d.lines[0].discount, Cents(100));
        assert_eq!(d.total(), Cents(900));
        let rule = d.lines[0].discount_rule.as_ref().unwrap();
        assert_eq!(rule.label(), "Rabatt 10 %");
        assert_eq!(rule.business_case, "Rabatt");
        assert_eq!(d.validate(), Ok(()));
    }

    #[test]
    fn a_basket_discount_lowers_each_rate_in_proportion() {
        // 19 %: 10.00, 7 %: 30.00; 4.00 off the basket → 1.00 and 3.00.
        let b = Basket {
            lines: vec![
                line(1000, 1, VatRate::Standard),
                line(1000, 3, VatRate::Reduced),
            ],
            card: None,
        };
        let d = apply(&b, &[], Some(Discount::Amount { amount: Cents(400) })).unwrap();
        assert_eq!(d.lines[0].discount, Cents(100));
        assert_eq!(d.lines[1].discount, Cents(300));
        let vat = d.vat_totals();
        assert_eq!((vat[0].gross, vat[0].tax), (Cents(900), Cents(144)));
        assert_eq!((vat[1].gross, vat[1].tax), (Cents(2700), Cents(177)));
        assert_eq!(d.total(), Cents(3600));
    }

    #[test]
    fn refuses_what_cannot_be_given() {
        let b = Basket {
            lines: vec![line(100, 1, VatRate::Standard)],
            card: None,
        };
        let too_much = Discount::Amount { amount: Cents(101) };
        assert_eq!(
            apply(&b, &[Some(too_much)], None),
            Err(DiscountError::Amount)
        );
        let zero = Discount::Percent { percent: 0 };
        assert_eq!(apply(&b, &[], Some(zero)), Err(DiscountError::Percent));
        let mut load = Basket {
            lines: vec![BasketLine::card_load(Cents(1500))],
            card: Some("9276004429942845".into()),
        };
        let ten = Some(Discount::Percent { percent: 10 });
        assert_eq!(apply(&load, &[ten], None), Err(DiscountError::CardLoad(1)));
        // A basket discount leaves the voucher load alone.
        load.lines.push(line(1000, 1, VatRate::Standard));
        let d = apply(&load, &[], ten).unwrap();
        assert_eq!(d.lines[0].discount, Cents::ZERO);
        assert_eq!(d.lines[1].discount, Cents(100));
    }

    fn any_line() -> impl Strategy<Value = (BasketLine, Option<Discount>)> {
        (1i64..50_000, 1i64..20, 0usize..3, 0u32..4, 1u32..101).prop_map(
            |(price, qty, r, how, pct)| {
                let l = line(price, qty, VatRate::ALL[r]);
                let rule = match how {
                    0 => None,
                    1 => Some(Discount::Percent { percent: pct }),
                    _ => Some(Discount::Amount {
                        amount: Cents((price * qty * i64::from(pct) / 100).max(1)),
                    }),
                };
                (l, rule)
            },
        )
    }

    fn any_basket_rule() -> impl Strategy<Value = Option<(bool, u32)>> {
        prop::option::of((any::<bool>(), 1u32..101))
    }

    proptest! {
        /// Line and basket discounts: the shares add up to the basket's
        /// discount exactly, each rate's share is its exact proportion within
        /// a cent, no line goes below zero, and per rate net + tax = gross
        /// with the rates adding up to the total.
        #[test]
        fn discounts_split_over_rates_and_vat_still_adds_up(
            lines in prop::collection::vec(any_line(), 1..25),
            on_basket in any_basket_rule(),
        ) {
            let basket = Basket { lines: lines.iter().map(|(l, _)| l.clone()).collect(), card: None };
            let rules: Vec<Option<Discount>> = lines.iter().map(|(_, r)| *r).collect();
            let lined = apply(&basket, &rules, None).unwrap();
            let base = lined.total();
            let rule = on_basket.map(|(percent, v)| if percent {
                Discount::Percent { percent: v }
            } else {
                Discount::Amount { amount: Cents((base.0 * i64::from(v) / 100).max(1)) }
            });
            let rule = rule.filter(|_| base.0 > 0);
            let d = apply(&basket, &rules, rule).unwrap();
            prop_assert_eq!(d.validate(), Ok(()));
            let off = match rule { Some(r) => r.off(base).unwrap(), None => Cents::ZERO };
            prop_assert_eq!(d.total(), base - off);
            let shares: Cents = d.lines.iter()
                .filter_map(|l| l.discount_rule.as_ref()).map(|r| r.basket_share).sum();
            prop_assert_eq!(shares, off);
            for (l, before) in d.lines.iter().zip(&lined.lines) {
                prop_assert!(l.total() >= Cents::ZERO);
                let r = l.discount_rule.as_ref().map(LineDiscount::total).unwrap_or_default();
                prop_assert_eq!(r, l.discount);
                prop_assert_eq!(before.discount, l.discount_rule.as_ref().map(|r| r.line_amount).unwrap_or_default());
            }
            let mut gross = Cents::ZERO;
            for v in d.vat_totals() {
                prop_assert_eq!(v.net + v.tax, v.gross);
                prop_assert_eq!(v.tax, v.rate.tax_in_gross(v.gross));
                // The rate's share is its proportion of the discount within a cent.
                let rate_base: i64 = lined.lines.iter().filter(|l| l.vat == v.rate).map(|l| l.total().0).sum();
                let share = rate_base - v.gross.0;
                if base.0 > 0 {
                    let exact_num = i128::from(off.0) * i128::from(rate_base);
                    let diff = (i128::from(share) * i128::from(base.0) - exact_num).abs();
                    prop_assert!(diff < i128::from(base.0), "rate share {} of {} for base {}", share, off.0, rate_base);
                }
                gross = gross + v.gross;
            }
            prop_assert_eq!(gross, d.total());
        }

        #[test]
        fn split_adds_up_and_never_exceeds_a_weight(
            weights in prop::collection::vec(0i64..1_000_000, 1..40),
            pct in 0i64..101,
        ) {
            let sum: i64 = weights.iter().sum();
            let amount = sum * pct / 100;
            let w: Vec<Cents> = weights.iter().map(|&c| Cents(c)).collect();
            let parts = split(Cents(amount), &w).unwrap();
            prop_assert_eq!(parts.iter().copied().sum::<Cents>().0, if sum > 0 { amount } else { 0 });
            for (p, w) in parts.iter().zip(&w) {
                prop_assert!(p.0 >= 0 && p <= w);
            }
        }
    }
}
