//! Folding text for search: case-insensitive and umlaut-safe.

use unicode_normalization::UnicodeNormalization;

/// Lower case, composed (NFC), umlauts and ß spelled out, runs of space made one:
/// "BRÖTCHEN", "Brötchen" (either Unicode form) and "Broetchen" all fold to "broetchen".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut space = false;
    for c in text.nfc().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            _ => out.push(c),
        }
    }
    out
}

/// Characters of a string, the unit length limits are counted in.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn umlauts_case_and_unicode_forms_fold_alike() {
        let decomposed = "Bro\u{308}tchen";
        assert_eq!(fold("BRÖTCHEN"), "broetchen");
        assert_eq!(fold("Brötchen"), "broetchen");
        assert_eq!(fold(decomposed), "broetchen");
        assert_eq!(fold("Broetchen"), "broetchen");
        assert_eq!(fold("  Große   Tüte "), "grosse tuete");
        assert_eq!(fold("ẞ"), "ss");
    }
}
