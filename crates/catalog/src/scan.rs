//! A scanned (or typed) code to an article, with the price or weight its label carries.

use serde::{Deserialize, Serialize};
use till::money::Cents;

use crate::articles::{self, Article, Unit};
use crate::codes::{self, CodeError, Measure};
use crate::error::Result;
use crate::Catalog;

/// What the till does with a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ScanOutcome {
    Found(ScanHit),
    /// Nothing to sell: say so, with the code as scanned.
    Unknown {
        code: String,
        reason: UnknownCode,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum UnknownCode {
    /// A valid code that no active article has.
    NotInCatalogue,
    /// Not a valid EAN (wrong length, letters, a check digit that does not fit)
    /// and no article has it as its number.
    Invalid(CodeError),
    /// A weight label whose price does not fit a till line.
    PriceTooLarge,
}

/// The article found, and the line it makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ScanHit {
    pub article: Article,
    /// The code as stored (for a scale label: its base code).
    pub code: String,
    /// Pieces (1, or what a count label says).
    pub quantity: i64,
    /// The gross price of one piece of this line: the article's price, a price label's
    /// price, or a weight label's weight times the price per kg.
    pub unit_price: Cents,
    /// The price or weight the label carried, for the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    /// An open-price article, or one priced per kg, scanned without a price or weight on
    /// its label: the till asks for the price (or weighs).
    pub needs_price: bool,
}

impl Catalog {
    /// Looks a scanned or typed code up: an EAN (with price, weight or count labels
    /// understood), else an article number.
    pub fn scan(&self, raw: &str) -> Result<ScanOutcome> {
        let code = raw.trim();
        let gtin = match codes::parse(code) {
            Ok(gtin) => gtin,
            Err(problem) => {
                // internal barcodes often carry the article number
                return Ok(match self.article_by_number(code)?.filter(|a| a.active) {
                    Some(article) => Found(hit(article, code.into(), None)),
                    None => Unknown {
                        code: code.into(),
                        reason: UnknownCode::Invalid(problem),
                    },
                });
            }
        };
        let found = match articles::by_ean(&self.conn, &gtin.key)? {
            Some(article) => Some(article),
            None => self.article_by_number(code)?.filter(|a| a.active),
        };
        let Some(article) = found else {
            return Ok(Unknown {
                code: code.into(),
                reason: UnknownCode::NotInCatalogue,
            });
        };
        let mut hit = hit(article, gtin.key, gtin.measure);
        match gtin.measure {
            None => {}
            // The label's base code itself (price 0,00) carries no price: the till asks.
            Some(Measure::Price(price)) if price.0 == 0 && hit.needs_price => {}
            Some(Measure::Price(price)) => {
                hit.unit_price = price;
                hit.needs_price = false;
            }
            Some(Measure::Count(n)) => hit.quantity = n,
            Some(Measure::Weight(grams)) => {
                match codes::price_for_weight(hit.article.price, grams)
                    .filter(|p| *p <= articles::MAX_PRICE)
                {
                    Some(price) => {
                        hit.unit_price = price;
                        hit.needs_price = false;
                    }
                    None => {
                        return Ok(Unknown {
                            code: code.into(),
                            reason: UnknownCode::PriceTooLarge,
                        })
                    }
                }
            }
        }
        Ok(Found(hit))
    }
}

use ScanOutcome::{Found, Unknown};

fn hit(article: Article, code: String, measure: Option<Measure>) -> ScanHit {
    ScanHit {
        quantity: 1,
        unit_price: article.price,
        needs_price: article.open_price || article.unit == Unit::Kg,
        article,
        code,
        measure,
    }
}
