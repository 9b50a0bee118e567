//! What several test files of this crate share.

use till::basket::{Basket, BasketLine};
use till::{Cents, VatRate};

/// A basket of one coffee at `cents`.
pub fn basket(cents: i64) -> Basket {
    Basket {
        lines: vec![BasketLine::article(
            "Kaffee",
            1,
            Cents(cents),
            VatRate::Standard,
        )],
        card: None,
    }
}
