//! Barcode numbers: EAN-13, EAN-8 and UPC-A check digits, and the German
//! price- and weight-embedded EANs (GS1 Germany, prefixes 20–29).
//!
//! GS1 Germany's in-store numbers have one layout for the variable measures:
//!
//! ```text
//! position  1 2 | 3 4 5 6 | 7 | 8 9 10 11 12 | 13
//!           P P | A A A A | C | V V V  V  V  | E
//! ```
//! `PP` the prefix, `AAAA` the article part, `C` the check digit of the value
//! (GS1 General Specifications 7.9.4, five-digit price/weight check digit),
//! `VVVVV` the value, `E` the EAN-13 check digit over positions 1–12.
//!
//! | prefix | value                 |
//! |--------|-----------------------|
//! | 22, 23 | price in cents        |
//! | 25, 26 | number of pieces      |
//! | 28, 29 | weight in grams       |
//! | 20, 21, 24, 27 | none: a plain in-store number, looked up whole |
//!
//! The catalogue stores such an article under its *base code*: the code with
//! the value and its check digit zeroed and the EAN check digit recomputed, so
//! any label of the article finds it (scan one label to register the article).

use serde::{Deserialize, Serialize};
use till::money::Cents;

/// Why a number is not a barcode the till can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum CodeError {
    #[error("{code:?} is not an EAN: an EAN has 8, 12 or 13 digits.")]
    NotAnEan { code: String },
    #[error("The EAN {code} has a wrong check digit (the last digit should be {expected}).")]
    CheckDigit { code: String, expected: u8 },
    #[error("The price or weight in the EAN {code} has a wrong check digit.")]
    ValueCheckDigit { code: String },
}

/// What a price- or weight-embedded EAN carries besides the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Measure {
    /// The price of this one item.
    Price(Cents),
    /// The weight of this item in grams.
    Weight(i64),
    /// A number of pieces.
    Count(i64),
}

/// The kind of value a GS1 Germany in-store prefix carries, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddedKind {
    Price,
    Count,
    Weight,
}

/// A scanned or typed code, checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gtin {
    /// The code as stored in the catalogue: EAN-8, or 13 digits (UPC-A gets its leading 0);
    /// for an embedded code, its base code.
    pub key: String,
    /// The value the code carries, for price- and weight-embedded EANs.
    pub measure: Option<Measure>,
}

/// The GS1 check digit of `payload` (all digits but the last): weights 3 and 1 from the right.
pub fn check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// The digits of `code`, or `None` if anything else is in it.
fn digits(code: &str) -> Option<Vec<u8>> {
    code.bytes()
        .map(|b| b.is_ascii_digit().then(|| b - b'0'))
        .collect()
}

fn to_string(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// GS1 General Specifications 7.9.2: the "5+", "2-" and "5-" weighted products.
fn five_plus(d: u8) -> u8 {
    let p = d * 5;
    (p % 10 + p / 10) % 10
}

fn two_minus(d: u8) -> u8 {
    let p = d * 2;
    (p % 10 + 10 - p / 10) % 10
}

fn five_minus(d: u8) -> u8 {
    let p = d * 5;
    (p % 10 + 10 - p / 10) % 10
}

/// The check digit of a five-digit price or weight (GS1 General Specifications 7.9.4):
/// weights 5+, 2-, 5-, 5+, 2-; the sum is taken from the next multiple of ten, and
/// the check digit is the digit whose 5- product is that difference.
pub fn value_check_digit(value: &[u8; 5]) -> u8 {
    let sum: u32 = [five_plus, two_minus, five_minus, five_plus, two_minus]
        .iter()
        .zip(value)
        .map(|(weight, d)| u32::from(weight(*d)))
        .sum();
    let target = ((10 - sum % 10) % 10) as u8;
    (0..10).find(|&d| five_minus(d) == target).unwrap_or(0) // five_minus is a bijection on 0..10
}

/// What the GS1 Germany prefix of a 13-digit code embeds.
pub fn embedded_kind(code: &[u8]) -> Option<EmbeddedKind> {
    match (code.first(), code.get(1)) {
        (Some(2), Some(2 | 3)) => Some(EmbeddedKind::Price),
        (Some(2), Some(5 | 6)) => Some(EmbeddedKind::Count),
        (Some(2), Some(8 | 9)) => Some(EmbeddedKind::Weight),
        _ => None,
    }
}

/// Reads a code as a scanner sends it (or a cashier types it), checking every check digit.
pub fn parse(code: &str) -> Result<Gtin, CodeError> {
    let code = code.trim();
    let not_an_ean = || CodeError::NotAnEan { code: code.into() };
    let mut d = digits(code).ok_or_else(not_an_ean)?;
    match d.len() {
        8 | 13 => {}
        12 => d.insert(0, 0), // UPC-A is an EAN-13 with a leading 0
        _ => return Err(not_an_ean()),
    }
    let (payload, last) = d.split_at(d.len() - 1);
    let expected = check_digit(payload);
    if last[0] != expected {
        return Err(CodeError::CheckDigit {
            code: code.into(),
            expected,
        });
    }
    if d.len() == 13 {
        if let Some(kind) = embedded_kind(&d) {
            let value: [u8; 5] = [d[7], d[8], d[9], d[10], d[11]];
            if d[6] != value_check_digit(&value) {
                return Err(CodeError::ValueCheckDigit { code: code.into() });
            }
            let n = value.iter().fold(0i64, |n, v| n * 10 + i64::from(*v));
            let measure = match kind {
                EmbeddedKind::Price => Measure::Price(Cents(n)),
                EmbeddedKind::Count => Measure::Count(n),
                EmbeddedKind::Weight => Measure::Weight(n),
            };
            return Ok(Gtin {
                key: base_code(&d),
                // value 0 is the base code itself (e.g. on a shelf label): nothing to take
                measure: (n > 0).then_some(measure),
            });
        }
    }
    Ok(Gtin {
        key: to_string(&d),
        measure: None,
    })
}

/// The code with its value zeroed: the key an embedded-price article is stored under.
fn base_code(d: &[u8]) -> String {
    let mut b = d[..13].to_vec();
    b[6..12].fill(0); // value 00000 has value check digit 0
    b[12] = check_digit(&b[..12]);
    to_string(&b)
}

/// The normalised form an EAN is stored in (see [`parse`]); embedded codes give their base code.
pub fn normalize(code: &str) -> Result<String, CodeError> {
    parse(code).map(|g| g.key)
}

/// The EAN-13 that carries `measure` for the article stored under `base` (labels for tests
/// and demo data; a scale prints them in the shop).
pub fn embed(base: &str, value: i64) -> Option<String> {
    let mut d = digits(base).filter(|d| d.len() == 13)?;
    embedded_kind(&d)?;
    if !(0..=99_999).contains(&value) {
        return None;
    }
    let mut v = value;
    for i in (7..12).rev() {
        d[i] = (v % 10) as u8;
        v /= 10;
    }
    let value: [u8; 5] = [d[7], d[8], d[9], d[10], d[11]];
    d[6] = value_check_digit(&value);
    d[12] = check_digit(&d[..12]);
    Some(to_string(&d))
}

/// The price of `grams` of an article sold at `per_kg`, rounded half up to the cent.
///
/// Integer arithmetic only: `round(grams * per_kg / 1000)`; `None` on overflow or a
/// negative input.
pub fn price_for_weight(per_kg: Cents, grams: i64) -> Option<Cents> {
    // The basket checks a weighed line by the same rule.
    till::basket::Weighed {
        grams,
        price_per_kg: per_kg,
    }
    .price()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_products_follow_the_gs1_tables() {
        // GS1 General Specifications 7.9.2, for the digits 0..9
        let five_plus_table = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
        let two_minus_table = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
        let five_minus_table = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];
        for d in 0..10u8 {
            assert_eq!(five_plus(d), five_plus_table[d as usize], "5+ of {d}");
            assert_eq!(two_minus(d), two_minus_table[d as usize], "2- of {d}");
            assert_eq!(five_minus(d), five_minus_table[d as usize], "5- of {d}");
        }
    }

    #[test]
    fn embed_then_parse_gives_the_value_back() {
        let base = normalize("2212340000000").unwrap_or_default();
        for value in [1, 99, 239, 1234, 99_999] {
            let label = embed(&base, value).expect("a label");
            let parsed = parse(&label).expect("a valid label");
            assert_eq!(parsed.key, base);
            assert_eq!(parsed.measure, Some(Measure::Price(Cents(value))));
        }
    }
}
