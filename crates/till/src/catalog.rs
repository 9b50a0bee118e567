//! Articles the sale screen offers as buttons.

use serde::{Deserialize, Serialize};

use crate::money::{Cents, VatRate};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Article {
    pub article_number: String,
    pub ean: Option<String>,
    pub text: String,
    pub price: Cents,
    pub vat: VatRate,
    /// What the till asks for before the article goes into the basket: the
    /// price of an open-price article, the weight of one sold per kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub asks_for: Option<AskFor>,
    /// Priced by weight (`price` is the weight's): the line carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub weighed: Option<crate::basket::Weighed>,
}

/// What the cashier types when an article is tapped or scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AskFor {
    /// The price (an open-price article).
    Price,
    /// The weight (an article priced per kg).
    Weight,
}

fn article(number: &str, ean: Option<&str>, text: &str, price: i64, vat: VatRate) -> Article {
    Article {
        article_number: number.into(),
        ean: ean.map(str::to_string),
        text: text.into(),
        price: Cents(price),
        vat,
        asks_for: None,
        weighed: None,
    }
}

/// The articles of the demo shop (a bakery café, as in the provider's guides).
pub fn demo_articles() -> Vec<Article> {
    use VatRate::*;
    vec![
        article("30037", None, "Sandwich Romano", 349, Reduced),
        article("30200", None, "Obstsalat, kleine Schale", 249, Reduced),
        article("51", Some("4999012345678"), "Wasser 0,25 l", 99, Standard),
        article("1001", None, "Brötchen", 45, Reduced),
        article("1002", None, "Croissant", 129, Reduced),
        article("2001", None, "Kaffee", 220, Standard),
        article("2002", None, "Cappuccino", 290, Standard),
        article("3001", None, "Einkaufstasche", 50, Standard),
    ]
}
