//! The articles of the sale screen.

use till::catalog::Article;

/// The article buttons of the sale screen.
pub fn articles() -> Vec<Article> {
    till::catalog::demo_articles()
}

/// The article a scanner or the keypad names, by EAN or by article number.
pub fn article_by_code(code: &str) -> Option<Article> {
    find(&till::catalog::demo_articles(), code)
}

fn find(articles: &[Article], code: &str) -> Option<Article> {
    let code = code.trim();
    articles
        .iter()
        .find(|a| a.ean.as_deref() == Some(code) || a.article_number == code)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_is_found_by_ean_or_number_and_nothing_else() {
        let all = till::catalog::demo_articles();
        let first = &all[0];
        assert_eq!(find(&all, &first.article_number), Some(first.clone()));
        if let Some(ean) = &first.ean {
            assert_eq!(find(&all, &format!(" {ean}\n")), Some(first.clone()));
        }
        assert_eq!(find(&all, "no-such-code"), None);
    }
}
