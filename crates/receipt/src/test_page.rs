//! The page a printer prints when it is set up: shows that the bytes arrive,
//! that the code page has umlauts, ß and €, and how wide a line is.

use crate::codepage::CodePage;
use crate::layout::{Layout, Style};

/// A test page for `printer` at `width` columns, naming the code page it is set to.
pub fn test_page(printer: &str, code_page: CodePage, width: usize) -> Layout {
    let mut page = Layout::new(width);
    page.styled(
        Style {
            bold: true,
            tall: true,
        },
        |p| p.center("Testdruck"),
    );
    page.center(printer);
    page.rule('-');
    page.pair("Zeichensatz", code_page.label());
    page.pair("Zeichen pro Zeile", &width.to_string());
    page.text("Umlaute: ÄÖÜ äöü ß");
    page.text("Euro: 1,99 €");
    page.rule('-');
    // A ruler: the last digit must end at the right edge of the paper.
    let ruler: String = (1..=page.width)
        .map(|i| char::from(b'0' + (i % 10) as u8))
        .collect();
    page.text(&ruler);
    page.blank();
    page
}
