//! The sale screen's articles, from the shop's catalogue: groups with their
//! colours, a group's buttons page by page, the quick search, and scans.

use catalog::{Filter, Group, Page, ScanOutcome};
use till::catalog::Article;
use uuid::Uuid;

use crate::error::CommandError;
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

/// The article a code names, priced as the scan says (a price label's price).
pub fn article_by_code(state: &AppState, code: &str) -> Result<Option<Article>, CommandError> {
    Ok(match scan(state, code)? {
        ScanOutcome::Found(hit) if !hit.needs_price => Some(Article {
            price: hit.unit_price,
            ..as_sold(&hit.article)
        }),
        _ => None,
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
    }
}
