use till::catalog::Article;

/// The article buttons of the sale screen.
#[tauri::command]
pub fn articles() -> Vec<Article> {
    till::catalog::demo_articles()
}
