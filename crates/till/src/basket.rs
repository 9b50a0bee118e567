//! The basket: lines at gross prices, its total and VAT breakdown.

use serde::{Deserialize, Serialize};

use crate::money::{Cents, VatRate};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketLine {
    pub article_number: Option<String>,
    pub ean: Option<String>,
    pub text: String,
    pub quantity: i64,
    /// Gross unit price.
    pub unit_price: Cents,
    pub vat: VatRate,
}

impl BasketLine {
    pub fn total(&self) -> Cents {
        self.unit_price * self.quantity
    }
}

/// Net, tax and gross of one VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatTotal {
    pub rate: VatRate,
    pub net: Cents,
    pub tax: Cents,
    pub gross: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Basket {
    pub lines: Vec<BasketLine>,
}

/// What is wrong with a basket the UI sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BasketError {
    #[error("the basket is empty")]
    Empty,
    #[error("line {0}: the quantity must be at least 1")]
    Quantity(usize),
    #[error("line {0}: the price must not be negative")]
    Price(usize),
    #[error("line {0}: the text is missing")]
    Text(usize),
    #[error("the total is too large")]
    TooLarge,
}

/// The largest total a till sale may have (guards against overflow and typos).
const MAX_TOTAL: i64 = 100_000_000; // 1,000,000.00 €

impl Basket {
    pub fn total(&self) -> Cents {
        self.lines.iter().map(BasketLine::total).sum()
    }

    /// Checks what a cashier could have typed wrong before anything is sent.
    pub fn validate(&self) -> Result<(), BasketError> {
        if self.lines.is_empty() {
            return Err(BasketError::Empty);
        }
        let mut total: i64 = 0;
        for (i, line) in self.lines.iter().enumerate() {
            let n = i + 1;
            if line.quantity < 1 {
                return Err(BasketError::Quantity(n));
            }
            if line.unit_price.0 < 0 {
                return Err(BasketError::Price(n));
            }
            if line.text.trim().is_empty() {
                return Err(BasketError::Text(n));
            }
            total = line
                .unit_price
                .0
                .checked_mul(line.quantity)
                .and_then(|t| t.checked_add(total))
                .filter(|t| *t <= MAX_TOTAL)
                .ok_or(BasketError::TooLarge)?;
        }
        Ok(())
    }

    /// Net, tax and gross per VAT rate, highest rate first; tax computed per rate.
    pub fn vat_totals(&self) -> Vec<VatTotal> {
        let mut rates: Vec<VatRate> = self.lines.iter().map(|l| l.vat).collect();
        rates.sort();
        rates.dedup();
        rates
            .into_iter()
            .map(|rate| {
                let gross: Cents = self
                    .lines
                    .iter()
                    .filter(|l| l.vat == rate)
                    .map(BasketLine::total)
                    .sum();
                let tax = rate.tax_in_gross(gross);
                VatTotal {
                    rate,
                    net: gross - tax,
                    tax,
                    gross,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(price: i64, qty: i64, vat: VatRate) -> BasketLine {
        BasketLine {
            article_number: None,
            ean: None,
            text: "x".into(),
            quantity: qty,
            unit_price: Cents(price),
            vat,
        }
    }

    #[test]
    fn vat_parts_add_up_to_the_total() {
        let basket = Basket {
            lines: vec![
                line(349, 1, VatRate::Reduced),
                line(249, 1, VatRate::Reduced),
                line(99, 2, VatRate::Standard),
            ],
        };
        assert_eq!(basket.total(), Cents(796));
        let vat = basket.vat_totals();
        assert_eq!(vat.len(), 2);
        assert_eq!(vat[0].rate, VatRate::Standard);
        assert_eq!(vat[0].gross, Cents(198));
        assert_eq!(vat[0].tax, Cents(32));
        assert_eq!(vat[1].gross, Cents(598));
        assert_eq!(vat[1].tax, Cents(39)); // 39.12
        let sum: Cents = vat.iter().map(|v| v.net + v.tax).sum();
        assert_eq!(sum, basket.total());
    }

    #[test]
    fn rejects_what_a_cashier_could_mistype() {
        assert_eq!(Basket::default().validate(), Err(BasketError::Empty));
        let b = Basket {
            lines: vec![line(100, 0, VatRate::Standard)],
        };
        assert_eq!(b.validate(), Err(BasketError::Quantity(1)));
        let b = Basket {
            lines: vec![line(-1, 1, VatRate::Standard)],
        };
        assert_eq!(b.validate(), Err(BasketError::Price(1)));
        let b = Basket {
            lines: vec![line(i64::MAX, 2, VatRate::Standard)],
        };
        assert_eq!(b.validate(), Err(BasketError::TooLarge));
    }
}
