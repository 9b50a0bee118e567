//! The basket: lines at gross prices, its total and VAT breakdown.

use serde::{Deserialize, Serialize};

use crate::money::{Cents, VatRate};

/// The provider's special EAN for loading a secucard (guide 03).
pub const EAN_CARD_LOAD: &str = "4260447149502";
/// The provider's special EAN for paying from a secucard's balance.
pub const EAN_CARD_PAYMENT: &str = "4260447149533";

/// What a line sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    #[default]
    Article,
    /// Money loaded onto the sale's secucard: a voucher, so 0 % VAT when loaded.
    CardLoad,
}

/// An article sold by weight (priced per kg): the weight and the price per kg
/// as the scale label or the cashier gave them, kept on the line as data so
/// that the tax export can state the quantity in kg and the price per kg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Weighed {
    pub grams: i64,
    /// Gross price of one kg.
    pub price_per_kg: Cents,
}

impl Weighed {
    /// The price of the weight: `grams × price per kg / 1000`, rounded half
    /// up to the cent (integer arithmetic; `None` on overflow or a negative input).
    pub fn price(self) -> Option<Cents> {
        if self.grams < 0 || self.price_per_kg.0 < 0 {
            return None;
        }
        let milli_cents = self.price_per_kg.0.checked_mul(self.grams)?;
        Some(Cents(milli_cents.checked_add(500)? / 1000))
    }
}

/// The heaviest weight one line takes (a scale label's largest: 99,999 kg).
pub const MAX_GRAMS: i64 = 99_999;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct BasketLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ean: Option<String>,
    pub text: String,
    pub quantity: i64,
    /// Gross unit price.
    pub unit_price: Cents,
    pub vat: VatRate,
    /// Taken off the line's gross total (a line discount), never more than it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discount: Cents,
    #[serde(default, skip_serializing_if = "is_article")]
    pub kind: LineKind,
    /// How `discount` was found (`discount::apply`): the line's own rule and
    /// its share of the basket's; named on the receipt ("Rabatt 10 %").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_rule: Option<crate::discount::LineDiscount>,
    /// Sold by weight: `unit_price` is the weight's price (one piece).
    /// Absent in lines sold by the piece (and in journals before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub weighed: Option<Weighed>,
}

fn is_zero(c: &Cents) -> bool {
    c.0 == 0
}

fn is_article(k: &LineKind) -> bool {
    *k == LineKind::Article
}

impl BasketLine {
    /// An article line without discount.
    pub fn article(text: &str, quantity: i64, unit_price: Cents, vat: VatRate) -> Self {
        Self {
            article_number: None,
            ean: None,
            text: text.into(),
            quantity,
            unit_price,
            vat,
            discount: Cents::ZERO,
            kind: LineKind::Article,
            discount_rule: None,
            weighed: None,
        }
    }

    /// Loads `amount` onto the sale's secucard.
    pub fn card_load(amount: Cents) -> Self {
        Self {
            article_number: None,
            ean: Some(EAN_CARD_LOAD.into()),
            text: format!("Kartenaufladung {}", amount),
            quantity: 1,
            unit_price: amount,
            vat: VatRate::Zero,
            discount: Cents::ZERO,
            kind: LineKind::CardLoad,
            discount_rule: None,
            weighed: None,
        }
    }

    /// Gross after the line discount.
    pub fn total(&self) -> Cents {
        self.unit_price * self.quantity - self.discount
    }
}

/// Net, tax and gross of one VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VatTotal {
    pub rate: VatRate,
    pub net: Cents,
    pub tax: Cents,
    pub gross: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Basket {
    pub lines: Vec<BasketLine>,
    /// The secucard scanned for this sale (loading it, or paying from its balance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
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
    #[error("line {0}: the discount must be between 0 and the line's total")]
    Discount(usize),
    #[error("line {0}: loading a card needs a scanned secucard and 0 % VAT")]
    CardLoad(usize),
    #[error("the total is too large")]
    TooLarge,
    #[error("the basket has more than {MAX_LINES} lines")]
    TooManyLines,
    #[error("line {0}: the quantity is more than {MAX_QUANTITY}")]
    QuantityTooLarge(usize),
    #[error("line {0}: the text is longer than {MAX_TEXT} characters or holds control characters")]
    TextInvalid(usize),
    #[error("line {0}: the article number or EAN is not valid")]
    Code(usize),
    #[error("line {0}: this EAN is reserved for the secucard and cannot be sold as an article")]
    ReservedEan(usize),
    #[error("the secucard number is not valid")]
    CardNumber,
    #[error(
        "line {0}: the weight must be between 1 g and 99,999 kg, one piece at the weight's price"
    )]
    Weight(usize),
}

/// The largest total a till sale may have (guards against overflow and typos).
const MAX_TOTAL: i64 = 100_000_000; // 1,000,000.00 €
/// Limits of what the UI may send: a real basket is far inside them.
pub const MAX_LINES: usize = 500;
pub const MAX_QUANTITY: i64 = 10_000;
pub const MAX_TEXT: usize = 120;
const MAX_ARTICLE_NUMBER: usize = 32;

/// A line's text as the till keeps it: control characters (line breaks,
/// escape sequences a printer would obey) removed, blanks at the ends trimmed.
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// A secucard number as printed or encoded on the card: letters and digits, at most 32.
pub fn valid_card_number(number: &str) -> bool {
    (1..=32).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Basket {
    pub fn total(&self) -> Cents {
        self.lines.iter().map(BasketLine::total).sum()
    }

    /// Removes control characters from the texts (see [`clean_text`]).
    pub fn clean(mut self) -> Self {
        for line in &mut self.lines {
            line.text = clean_text(&line.text);
        }
        self
    }

    /// Checks what a cashier could have typed wrong, and what a webview
    /// could send that no cashier types, before anything is sent.
    pub fn validate(&self) -> Result<(), BasketError> {
        if self.lines.is_empty() {
            return Err(BasketError::Empty);
        }
        if self.lines.len() > MAX_LINES {
            return Err(BasketError::TooManyLines);
        }
        if self.card.as_deref().is_some_and(|c| !valid_card_number(c)) {
            return Err(BasketError::CardNumber);
        }
        let mut total: i64 = 0;
        for (i, line) in self.lines.iter().enumerate() {
            let n = i + 1;
            if line.quantity < 1 {
                return Err(BasketError::Quantity(n));
            }
            if line.quantity > MAX_QUANTITY {
                return Err(BasketError::QuantityTooLarge(n));
            }
            if line.unit_price.0 < 0 {
                return Err(BasketError::Price(n));
            }
            if line.text.trim().is_empty() {
                return Err(BasketError::Text(n));
            }
            if line.text.chars().count() > MAX_TEXT || line.text.chars().any(char::is_control) {
                return Err(BasketError::TextInvalid(n));
            }
            let code_ok = line.article_number.as_deref().is_none_or(|a| {
                !a.is_empty() && a.len() <= MAX_ARTICLE_NUMBER && !a.chars().any(char::is_control)
            }) && line.ean.as_deref().is_none_or(|e| {
                (8..=14).contains(&e.len()) && e.bytes().all(|b| b.is_ascii_digit())
            });
            if !code_ok {
                return Err(BasketError::Code(n));
            }
            // The provider's special EANs mean money on the card, never an article.
            let card_load_ean = line.ean.as_deref() == Some(EAN_CARD_LOAD);
            match line.kind {
                LineKind::CardLoad if !card_load_ean => return Err(BasketError::CardLoad(n)),
                LineKind::Article
                    if card_load_ean || line.ean.as_deref() == Some(EAN_CARD_PAYMENT) =>
                {
                    return Err(BasketError::ReservedEan(n))
                }
                _ => {}
            }
            let gross = line
                .unit_price
                .0
                .checked_mul(line.quantity)
                .filter(|t| *t <= MAX_TOTAL)
                .ok_or(BasketError::TooLarge)?;
            if line.discount.0 < 0 || line.discount.0 > gross {
                return Err(BasketError::Discount(n));
            }
            // A discount's record must say what it took off; a voucher load takes none.
            let rule_ok = match &line.discount_rule {
                Some(rule) => rule.total() == line.discount && line.kind == LineKind::Article,
                None => true,
            };
            if !rule_ok {
                return Err(BasketError::Discount(n));
            }
            // A weighed line is one piece at its weight's price, as the scale said.
            if let Some(w) = line.weighed {
                let fits = (1..=MAX_GRAMS).contains(&w.grams)
                    && line.quantity == 1
                    && line.kind == LineKind::Article
                    && w.price() == Some(line.unit_price);
                if !fits {
                    return Err(BasketError::Weight(n));
                }
            }
            if line.kind == LineKind::CardLoad && (self.card.is_none() || line.vat != VatRate::Zero)
            {
                return Err(BasketError::CardLoad(n));
            }
            total = (gross - line.discount.0)
                .checked_add(total)
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

    /// What is loaded onto the secucard in this sale.
    pub fn card_load_total(&self) -> Cents {
        self.lines
            .iter()
            .filter(|l| l.kind == LineKind::CardLoad)
            .map(BasketLine::total)
            .sum()
    }

    /// How a total is split when the secucard's `balance` pays first and the
    /// rest is tendered: `(from the card, still to pay)`. Loading and paying
    /// from the same card in one sale is not allowed, so a sale that loads
    /// the card never draws on it.
    pub fn split_with_balance(&self, balance: Cents) -> (Cents, Cents) {
        let total = self.total();
        if self.card.is_none() || self.card_load_total() > Cents::ZERO || balance.0 <= 0 {
            return (Cents::ZERO, total);
        }
        let from_card = balance.min(total);
        (from_card, total - from_card)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    fn line(price: i64, qty: i64, vat: VatRate) -> BasketLine {
        BasketLine::article("x", qty, Cents(price), vat)
    }

    fn basket(lines: Vec<BasketLine>) -> Basket {
        Basket { lines, card: None }
    }

    fn any_line() -> impl Strategy<Value = BasketLine> {
        (0i64..50_000, 1i64..20, 0usize..3, 0i64..100).prop_map(|(price, qty, r, pct)| {
            let mut l = line(price, qty, VatRate::ALL[r]);
            l.discount = Cents(price * qty * pct / 100);
            l
        })
    }

    proptest! {
        /// Per rate net + tax = gross, the rates' gross add up to the total,
        /// and each rate's tax is computed once on its gross.
        #[test]
        fn vat_parts_always_add_up(lines in prop::collection::vec(any_line(), 1..30)) {
            let b = basket(lines);
            prop_assert!(b.validate().is_ok());
            let vat = b.vat_totals();
            let mut gross = Cents::ZERO;
            for v in &vat {
                prop_assert_eq!(v.net + v.tax, v.gross);
                prop_assert_eq!(v.tax, v.rate.tax_in_gross(v.gross));
                let rate_gross: Cents = b.lines.iter().filter(|l| l.vat == v.rate).map(BasketLine::total).sum();
                prop_assert_eq!(v.gross, rate_gross);
                gross = gross + v.gross;
            }
            prop_assert_eq!(gross, b.total());
            let direct: i64 = b.lines.iter().map(|l| l.unit_price.0 * l.quantity - l.discount.0).sum();
            prop_assert_eq!(b.total().0, direct);
        }

        #[test]
        fn balance_and_rest_add_up_to_the_total(
            lines in prop::collection::vec(any_line(), 1..10),
            balance in -1000i64..200_000,
        ) {
            let mut b = basket(lines);
            b.card = Some("9276004429942845".into());
            let (from_card, rest) = b.split_with_balance(Cents(balance));
            prop_assert_eq!(from_card + rest, b.total());
            prop_assert!(from_card >= Cents::ZERO && rest >= Cents::ZERO);
            prop_assert!(from_card.0 <= balance.max(0));
        }
    }

    #[test]
    fn vat_parts_add_up_to_the_total() {
        let basket = basket(vec![
            line(349, 1, VatRate::Reduced),
            line(249, 1, VatRate::Reduced),
            line(99, 2, VatRate::Standard),
        ]);
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
        let b = basket(vec![line(100, 0, VatRate::Standard)]);
        assert_eq!(b.validate(), Err(BasketError::Quantity(1)));
        let b = basket(vec![line(-1, 1, VatRate::Standard)]);
        assert_eq!(b.validate(), Err(BasketError::Price(1)));
        let b = basket(vec![line(i64::MAX, 2, VatRate::Standard)]);
        assert_eq!(b.validate(), Err(BasketError::TooLarge));
        let mut l = line(100, 1, VatRate::Standard);
        l.discount = Cents(101);
        assert_eq!(basket(vec![l]).validate(), Err(BasketError::Discount(1)));
        // Loading needs a card to load.
        let b = basket(vec![BasketLine::card_load(Cents(1500))]);
        assert_eq!(b.validate(), Err(BasketError::CardLoad(1)));
    }

    #[test]
    fn refuses_what_no_cashier_types_but_a_webview_could_send() {
        // Quantity i64::MAX: refused before any total is taken.
        let b = basket(vec![line(100, i64::MAX, VatRate::Standard)]);
        assert_eq!(b.validate(), Err(BasketError::QuantityTooLarge(1)));
        let b = basket(vec![line(1, 1, VatRate::Standard); MAX_LINES + 1]);
        assert_eq!(b.validate(), Err(BasketError::TooManyLines));
        let mut l = line(100, 1, VatRate::Standard);
        l.text = "x".repeat(1 << 20);
        assert_eq!(basket(vec![l]).validate(), Err(BasketError::TextInvalid(1)));
        let mut l = line(100, 1, VatRate::Standard);
        l.text = "Kaffee\x1b@\x1dV".into();
        assert_eq!(
            basket(vec![l.clone()]).validate(),
            Err(BasketError::TextInvalid(1))
        );
        // Cleaned at the boundary: the printer's escape sequences are gone.
        let cleaned = basket(vec![l]).clean();
        assert_eq!(cleaned.lines[0].text, "Kaffee@V");
        assert_eq!(cleaned.validate(), Ok(()));
        let mut l = line(100, 1, VatRate::Standard);
        l.ean = Some("12345".into());
        assert_eq!(basket(vec![l]).validate(), Err(BasketError::Code(1)));
        let mut l = line(100, 1, VatRate::Standard);
        l.article_number = Some("A".repeat(33));
        assert_eq!(basket(vec![l]).validate(), Err(BasketError::Code(1)));
        // The card-load EAN on an article line at 19 %: refused.
        let mut l = line(1500, 1, VatRate::Standard);
        l.ean = Some(EAN_CARD_LOAD.into());
        let mut b = basket(vec![l]);
        b.card = Some("9276004429942845".into());
        assert_eq!(b.validate(), Err(BasketError::ReservedEan(1)));
        let mut l = line(1500, 1, VatRate::Standard);
        l.ean = Some(EAN_CARD_PAYMENT.into());
        assert_eq!(basket(vec![l]).validate(), Err(BasketError::ReservedEan(1)));
        // A card load line without the card-load EAN is not a card load.
        let mut load = BasketLine::card_load(Cents(1500));
        load.ean = None;
        let mut b = basket(vec![load]);
        b.card = Some("9276004429942845".into());
        assert_eq!(b.validate(), Err(BasketError::CardLoad(1)));
        // A card number of any length.
        let mut b = basket(vec![line(100, 1, VatRate::Standard)]);
        b.card = Some("9".repeat(1000));
        assert_eq!(b.validate(), Err(BasketError::CardNumber));
        b.card = Some("9276 0044\n".into());
        assert_eq!(b.validate(), Err(BasketError::CardNumber));
    }

    #[test]
    fn a_card_load_is_a_zero_rate_line_with_the_special_ean() {
        let mut b = basket(vec![
            BasketLine::card_load(Cents(1500)),
            line(220, 1, VatRate::Standard),
        ]);
        b.card = Some("9276004429942845".into());
        assert_eq!(b.validate(), Ok(()));
        assert_eq!(b.lines[0].ean.as_deref(), Some(EAN_CARD_LOAD));
        assert_eq!(b.card_load_total(), Cents(1500));
        let vat = b.vat_totals();
        assert_eq!(vat[1].rate, VatRate::Zero);
        assert_eq!((vat[1].gross, vat[1].tax), (Cents(1500), Cents(0)));
        // A sale that loads the card does not pay from it.
        assert_eq!(b.split_with_balance(Cents(5000)), (Cents(0), Cents(1720)));
    }

    #[test]
    fn a_weighed_line_is_one_piece_at_its_weights_price() {
        let mut l = line(325, 1, VatRate::Reduced);
        l.weighed = Some(Weighed {
            grams: 250,
            price_per_kg: Cents(1299),
        });
        // 250 g × 12,99 €/kg = 3,2475 € → 3,25 €
        assert_eq!(basket(vec![l.clone()]).validate(), Ok(()));
        let json = serde_json::to_string(&l).unwrap();
        assert!(
            json.contains(r#""weighed":{"grams":250,"price_per_kg":1299}"#),
            "{json}"
        );
        // A line without a weight is written as before (old journals' hashes).
        let plain = serde_json::to_string(&line(325, 1, VatRate::Reduced)).unwrap();
        assert!(!plain.contains("weighed"), "{plain}");
        let back: BasketLine = serde_json::from_str(&plain).unwrap();
        assert_eq!(back.weighed, None);
        let mut wrong = l.clone();
        wrong.unit_price = Cents(324);
        assert_eq!(basket(vec![wrong]).validate(), Err(BasketError::Weight(1)));
        let mut two = l.clone();
        two.quantity = 2;
        assert_eq!(basket(vec![two]).validate(), Err(BasketError::Weight(1)));
        let mut heavy = l;
        heavy.weighed = Some(Weighed {
            grams: MAX_GRAMS + 1,
            price_per_kg: Cents(1),
        });
        heavy.unit_price = Cents(100);
        assert_eq!(basket(vec![heavy]).validate(), Err(BasketError::Weight(1)));
        // Exactly half a cent rounds up.
        let half = Weighed {
            grams: 10,
            price_per_kg: Cents(50),
        };
        assert_eq!(half.price(), Some(Cents(1)));
    }

    #[test]
    fn a_discount_lowers_the_line_and_its_rate() {
        let mut l = line(290, 2, VatRate::Standard);
        l.discount = Cents(58);
        let b = basket(vec![l]);
        assert_eq!(b.total(), Cents(522));
        assert_eq!(b.vat_totals()[0].tax, Cents(83)); // 522 * 19 / 119 = 83.34
    }
}
