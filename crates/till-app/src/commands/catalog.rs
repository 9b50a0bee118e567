//! The sale screen's articles, from the shop's catalogue: groups with their
//! colours, a group's buttons page by page, the quick search, and scans.

use catalog::codes::Measure;
use catalog::{Filter, Group, Page, ScanOutcome, Unit};
use serde::Deserialize;
use till::basket::Weighed;
use till::catalog::{Article, AskFor};
use till::Cents;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// The most buttons a page of the sale screen shows.
pub const MAX_PER_PAGE: u32 = 60;
/// The most hits the quick search shows.
pub const MAX_SEARCH: u32 = 50;

/// The active product groups, in the order they were created.
pub fn sale_groups(state: &AppState) -> Result<Vec<Group>, CommandError> {
    Ok(state
        .catalog()
        .groups()?
        .into_iter()
        .filter(|g| g.active)
        .collect())
}

/// One page of a group's active articles (`None`: the articles without a group).
pub fn group_articles(
    state: &AppState,
    group: Option<Uuid>,
    page: u32,
    per_page: u32,
) -> Result<Page, CommandError> {
    Ok(state
        .catalog()
        .list_group(group, page, per_page.clamp(1, MAX_PER_PAGE))?)
}

/// The quick search: by number, EAN or words of the text.
pub fn search_articles(
    state: &AppState,
    query: &str,
    all: bool,
    limit: u32,
) -> Result<Vec<catalog::Article>, CommandError> {
    let filter = if all { Filter::All } else { Filter::Active };
    Ok(state
        .catalog()
        .search(query, filter, limit.clamp(1, catalog::search::MAX_RESULTS))?)
}

/// What a scanner (or the keypad) typed: the article with the line's price
/// and quantity (price and weight labels understood), or why not.
pub fn scan(state: &AppState, code: &str) -> Result<ScanOutcome, CommandError> {
    Ok(state.catalog().scan(code)?)
}

/// The first page of active articles as the basket's article (kept for the
/// sale screen's first-steps buttons and older callers).
pub fn articles(state: &AppState) -> Result<Vec<Article>, CommandError> {
    let all = state.catalog().all_articles()?;
    Ok(all
        .iter()
        .filter(|a| a.active)
        .take(MAX_PER_PAGE as usize)
        .map(as_sold)
        .collect())
}

/// The article a code names, priced as the scan says (a price label's
/// price); an open-price or per-kg article without a label's price or
/// weight comes with what the till must ask for (`asks_for`).
pub fn article_by_code(state: &AppState, code: &str) -> Result<Option<Article>, CommandError> {
    Ok(match scan(state, code)? {
        ScanOutcome::Found(hit) if !hit.needs_price => Some(Article {
            price: hit.unit_price,
            asks_for: None,
            // A weight label: the weight and the price per kg go with the line.
            weighed: match hit.measure {
                Some(Measure::Weight(grams)) if hit.article.unit == Unit::Kg => Some(Weighed {
                    grams,
                    price_per_kg: hit.article.price,
                }),
                _ => None,
            },
            ..as_sold(&hit.article)
        }),
        // The till asks for the price or the weight (`priced_article`).
        ScanOutcome::Found(hit) => Some(as_sold(&hit.article)),
        ScanOutcome::Unknown { .. } => None,
    })
}

/// A catalogue article as the basket sells it.
pub fn as_sold(a: &catalog::Article) -> Article {
    Article {
        article_number: a.number.clone(),
        ean: a.eans.first().cloned(),
        text: a.text.clone(),
        price: a.price,
        vat: a.vat,
        asks_for: asks_for(a),
        weighed: None,
    }
}

/// An open-price article asks for its price (even one kept per kg: the price
/// typed is the line's); an article priced per kg asks for the weight.
pub fn asks_for(a: &catalog::Article) -> Option<AskFor> {
    if a.open_price {
        Some(AskFor::Price)
    } else if a.unit == Unit::Kg {
        Some(AskFor::Weight)
    } else {
        None
    }
}

/// What the cashier typed for an article that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Entered {
    /// The gross price of one piece of an open-price article.
    Price { price: Cents },
    /// The weight in grams of an article priced per kg.
    Weight { grams: i64 },
}

/// The heaviest weight the till takes for one line (a scale label's largest: 99,999 kg).
pub const MAX_GRAMS: i64 = till::basket::MAX_GRAMS;

/// The article `number` as the basket sells it with what the cashier typed:
/// an open price as the line's price; a weight as the price of that weight
/// (price per kg × grams / 1000, rounded half up to the cent, integer
/// arithmetic), the line's text saying "0,250 kg x 12,99 €/kg".
pub fn priced_article(
    state: &AppState,
    number: &str,
    entered: Entered,
) -> Result<Article, CommandError> {
    let found = state
        .catalog()
        .article_by_number(number)?
        .filter(|a| a.active)
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::ArticleNotFound,
                format!("No active article {number}."),
            )
        })?;
    price_entered(&found, entered)
}

/// [`priced_article`]'s rule on an article at hand.
pub fn price_entered(found: &catalog::Article, entered: Entered) -> Result<Article, CommandError> {
    let sold = as_sold(found);
    let too_large = || {
        CommandError::new(
            ErrorCode::PriceOutOfRange,
            "The price must be more than 0,00 € and at most 1.000.000,00 €.",
        )
    };
    match (asks_for(found), entered) {
        (Some(AskFor::Price), Entered::Price { price }) => {
            if price.0 <= 0 || price > catalog::articles::MAX_PRICE {
                return Err(too_large());
            }
            Ok(Article {
                price,
                asks_for: None,
                ..sold
            })
        }
        (Some(AskFor::Weight), Entered::Weight { grams }) => {
            if !(1..=MAX_GRAMS).contains(&grams) {
                return Err(CommandError::new(
                    ErrorCode::InvalidInput,
                    "The weight must be between 1 g and 99,999 kg.",
                ));
            }
            let price = catalog::codes::price_for_weight(found.price, grams)
                .filter(|p| *p <= catalog::articles::MAX_PRICE)
                .ok_or_else(too_large)?;
            Ok(Article {
                text: format!(
                    "{} {} kg x {} €/kg",
                    found.text,
                    kilograms(grams),
                    receipt::format_eur(found.price.0)
                ),
                price,
                asks_for: None,
                weighed: Some(Weighed {
                    grams,
                    price_per_kg: found.price,
                }),
                ..sold
            })
        }
        _ => Err(CommandError::new(
            ErrorCode::InvalidInput,
            "This article does not ask for that: it sells at its price.",
        )),
    }
}

/// Grams as a German receipt writes kilograms: `0,250`.
fn kilograms(grams: i64) -> String {
    format!("{},{:03}", grams / 1000, grams % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use till::VatRate;

    fn article(price: i64, unit: Unit, open_price: bool) -> catalog::Article {
        catalog::Article {
            id: Uuid::nil(),
            number: "5001".into(),
            eans: vec![],
            text: "Käse".into(),
            price: Cents(price),
            unit,
            vat: VatRate::Reduced,
            group: None,
            open_price,
            active: true,
            revision: 1,
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_weight_is_priced_half_up_to_the_cent_and_said_on_the_line() {
        let cheese = article(1299, Unit::Kg, false);
        let line = price_entered(&cheese, Entered::Weight { grams: 250 }).unwrap();
        // 250 g × 12,99 €/kg = 3,2475 € → 3,25 €
        assert_eq!(line.price, Cents(325));
        assert_eq!(line.text, "Käse 0,250 kg x 12,99 €/kg");
        assert_eq!(line.asks_for, None);
        // The weight and the price per kg go with the line as data.
        assert_eq!(
            line.weighed,
            Some(Weighed {
                grams: 250,
                price_per_kg: Cents(1299)
            })
        );
        // 1 g × 12,99 €/kg = 0,01299 € → 0,01 €; 1 g × 4,99 €/kg = 0,00499 € → 0,00 €
        assert_eq!(
            price_entered(&cheese, Entered::Weight { grams: 1 })
                .unwrap()
                .price,
            Cents(1)
        );
        let cheap = article(499, Unit::Kg, false);
        let line = price_entered(&cheap, Entered::Weight { grams: 1 }).unwrap();
        assert_eq!(line.price, Cents(0));
        // exactly half a cent rounds up: 10 g × 0,50 €/kg = 0,5 ct → 1 ct
        let half = article(50, Unit::Kg, false);
        let line = price_entered(&half, Entered::Weight { grams: 10 }).unwrap();
        assert_eq!(line.price, Cents(1));
        let line = price_entered(&cheese, Entered::Weight { grams: 12_345 }).unwrap();
        assert_eq!(
            (line.price, line.text.as_str()),
            (Cents(16_036), "Käse 12,345 kg x 12,99 €/kg")
        );
        for grams in [0, -5, MAX_GRAMS + 1] {
            let e = price_entered(&cheese, Entered::Weight { grams }).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput, "{grams}");
        }
        // a price per kg whose weight's price leaves a till line's range
        let gold = article(99_999_999, Unit::Kg, false);
        let e = price_entered(&gold, Entered::Weight { grams: 99_999 }).unwrap_err();
        assert_eq!(e.code, ErrorCode::PriceOutOfRange);
        // a weighed article takes no price
        let e = price_entered(&cheese, Entered::Price { price: Cents(100) }).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn an_open_price_is_the_lines_price() {
        let cake = article(0, Unit::Piece, true);
        assert_eq!(as_sold(&cake).asks_for, Some(AskFor::Price));
        let line = price_entered(
            &cake,
            Entered::Price {
                price: Cents(1_250),
            },
        )
        .unwrap();
        assert_eq!((line.price, line.text.as_str()), (Cents(1_250), "Käse"));
        for price in [0, -1, 100_000_001] {
            let e = price_entered(
                &cake,
                Entered::Price {
                    price: Cents(price),
                },
            )
            .unwrap_err();
            assert_eq!(e.code, ErrorCode::PriceOutOfRange, "{price}");
        }
        let e = price_entered(&cake, Entered::Weight { grams: 100 }).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        // an article at its price asks for nothing
        let bread = article(45, Unit::Piece, false);
        assert_eq!(as_sold(&bread).asks_for, None);
        assert!(price_entered(&bread, Entered::Price { price: Cents(1) }).is_err());
    }
}
