//! Money is integer cents, always. VAT rates are the German ones.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul, Sub};

/// An amount of euro cents.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} €", receipt::format_eur(self.0))
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0 + rhs.0)
    }
}

impl Sub for Cents {
    type Output = Cents;
    fn sub(self, rhs: Cents) -> Cents {
        Cents(self.0 - rhs.0)
    }
}

impl Mul<i64> for Cents {
    type Output = Cents;
    fn mul(self, rhs: i64) -> Cents {
        Cents(self.0 * rhs)
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents(iter.map(|c| c.0).sum())
    }
}

/// The German VAT rates a till sells at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatRate {
    /// 19 %
    Standard,
    /// 7 % (food, books, …)
    Reduced,
    /// 0 % (e.g. loading a voucher card)
    Zero,
}

impl VatRate {
    pub fn percent(self) -> u8 {
        match self {
            VatRate::Standard => 19,
            VatRate::Reduced => 7,
            VatRate::Zero => 0,
        }
    }

    pub fn from_percent(percent: i64) -> Option<Self> {
        match percent {
            19 => Some(VatRate::Standard),
            7 => Some(VatRate::Reduced),
            0 => Some(VatRate::Zero),
            _ => None,
        }
    }

    /// The letter that marks lines of this rate on the receipt.
    pub fn mark(self) -> char {
        match self {
            VatRate::Standard => 'A',
            VatRate::Reduced => 'B',
            VatRate::Zero => 'C',
        }
    }

    /// The tax contained in a gross amount, rounded half away from zero.
    ///
    /// German receipts compute the tax once per rate on the rate's gross total,
    /// not per line, so the receipt's VAT table adds up exactly.
    pub fn tax_in_gross(self, gross: Cents) -> Cents {
        let rate = i64::from(self.percent());
        let divisor = 100 + rate;
        // round(gross * rate / divisor) in integers, half away from zero
        let numerator = gross.0 * rate * 2;
        let q = (numerator.abs() + divisor) / (2 * divisor);
        Cents(if gross.0 < 0 { -q } else { q })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_in_gross_rounds_half_away_from_zero() {
        assert_eq!(VatRate::Standard.tax_in_gross(Cents(119)), Cents(19));
        assert_eq!(VatRate::Standard.tax_in_gross(Cents(198)), Cents(32)); // 31.61
        assert_eq!(VatRate::Reduced.tax_in_gross(Cents(45)), Cents(3)); // 2.94
        assert_eq!(VatRate::Reduced.tax_in_gross(Cents(107)), Cents(7));
        assert_eq!(VatRate::Zero.tax_in_gross(Cents(1500)), Cents(0));
        assert_eq!(VatRate::Standard.tax_in_gross(Cents(-198)), Cents(-32));
    }

    #[test]
    fn display_is_german() {
        assert_eq!(Cents(199).to_string(), "1,99 €");
    }
}
