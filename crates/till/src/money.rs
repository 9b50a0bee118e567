//! Money is integer cents, always. VAT rates are the German ones.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul, Neg, Sub};

/// An amount of euro cents.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    ts_rs::TS,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub fn checked_add(self, rhs: Cents) -> Option<Cents> {
        self.0.checked_add(rhs.0).map(Cents)
    }

    pub fn checked_sub(self, rhs: Cents) -> Option<Cents> {
        self.0.checked_sub(rhs.0).map(Cents)
    }

    pub fn checked_mul(self, rhs: i64) -> Option<Cents> {
        self.0.checked_mul(rhs).map(Cents)
    }

    /// The sum of `items`, or `None` when it leaves the range of `i64`.
    pub fn checked_sum(items: impl IntoIterator<Item = Cents>) -> Option<Cents> {
        items.into_iter().try_fold(Cents::ZERO, Cents::checked_add)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

// The operators never wrap: amounts are bounded where they enter the till
// (`Basket::validate`, the commands' limits), far inside `i64`, so an
// overflow here is a bug; it stops loudly instead of booking a wrong amount,
// in release builds too (where Rust's own overflow checks are off).
const OVERFLOW: &str = "an amount left the range of the till's money arithmetic";

impl Neg for Cents {
    type Output = Cents;
    fn neg(self) -> Cents {
        Cents(self.0.checked_neg().expect(OVERFLOW))
    }
}

/// The change owed when `tendered` is given for `total`; `None` when it is not enough.
pub fn change_for(total: Cents, tendered: Cents) -> Option<Cents> {
    (tendered >= total).then(|| tendered - total)
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} €", receipt::format_eur(self.0))
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        self.checked_add(rhs).expect(OVERFLOW)
    }
}

impl Sub for Cents {
    type Output = Cents;
    fn sub(self, rhs: Cents) -> Cents {
        self.checked_sub(rhs).expect(OVERFLOW)
    }
}

impl Mul<i64> for Cents {
    type Output = Cents;
    fn mul(self, rhs: i64) -> Cents {
        self.checked_mul(rhs).expect(OVERFLOW)
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents::checked_sum(iter).expect(OVERFLOW)
    }
}

/// The German VAT rates a till sells at.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
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

    pub const ALL: [VatRate; 3] = [VatRate::Standard, VatRate::Reduced, VatRate::Zero];

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
    fn change_is_tendered_minus_total() {
        assert_eq!(change_for(Cents(547), Cents(1000)), Some(Cents(453)));
        assert_eq!(change_for(Cents(547), Cents(547)), Some(Cents(0)));
        assert_eq!(change_for(Cents(547), Cents(546)), None);
    }

    proptest::proptest! {
        /// The tax is the exact share rounded half away from zero: never more than half a cent off.
        #[test]
        fn tax_is_the_rounded_exact_share(gross in -100_000_000i64..100_000_000, r in 0usize..3) {
            let rate = VatRate::ALL[r];
            let p = i64::from(rate.percent());
            let tax = rate.tax_in_gross(Cents(gross)).0;
            // |tax * (100 + p) - gross * p| <= (100 + p) / 2, in integers
            let error = (tax * (100 + p) - gross * p).abs() * 2;
            proptest::prop_assert!(error <= 100 + p, "gross {} tax {}", gross, tax);
            // symmetric around zero, and net never negative for positive gross
            proptest::prop_assert_eq!(rate.tax_in_gross(Cents(-gross)).0, -tax);
            if gross >= 0 {
                proptest::prop_assert!(tax <= gross);
            }
        }

        #[test]
        fn change_plus_total_is_what_was_given(total in 0i64..10_000_000, extra in 0i64..10_000_000) {
            let given = Cents(total + extra);
            let change = change_for(Cents(total), given).unwrap();
            proptest::prop_assert_eq!(change + Cents(total), given);
            proptest::prop_assert!(change_for(Cents(total), Cents(total - 1)).is_none());
        }
    }

    #[test]
    fn arithmetic_never_wraps() {
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert_eq!(Cents(i64::MIN).checked_sub(Cents(1)), None);
        assert_eq!(Cents(i64::MAX).checked_mul(2), None);
        assert_eq!(Cents::checked_sum([Cents(i64::MAX), Cents(1)]), None);
        assert_eq!(Cents::checked_sum([Cents(5), Cents(-2)]), Some(Cents(3)));
        for op in [
            (|| Cents(i64::MAX) + Cents(1)) as fn() -> Cents,
            || Cents(i64::MIN) - Cents(1),
            || Cents(i64::MAX) * 2,
            || -Cents(i64::MIN),
            || [Cents(i64::MAX), Cents(1)].into_iter().sum(),
        ] {
            assert!(
                std::panic::catch_unwind(op).is_err(),
                "an overflow stops loudly"
            );
        }
    }

    #[test]
    fn display_is_german() {
        assert_eq!(Cents(199).to_string(), "1,99 €");
    }
}
