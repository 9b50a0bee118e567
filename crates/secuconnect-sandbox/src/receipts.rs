//! Receipt lines (`{type, value}`) as the provider sends them, and the texts of
//! the simulated terminal's receipts.

use serde_json::{json, Value};

pub fn separator(caption: &str) -> Value {
    json!({"type": "separator", "value": {"caption": caption}})
}

pub fn text(text: &str, decoration: &[&str]) -> Value {
    json!({"type": "textline", "value": {"text": text, "decoration": decoration}})
}

pub fn name_value(name: &str, value: &str) -> Value {
    json!({"type": "name-value", "value": {"name": name, "value": value, "decoration": []}})
}

pub fn name_value_important(name: &str, value: &str) -> Value {
    json!({"type": "name-value", "value": {"name": name, "value": value, "decoration": ["important"]}})
}

pub fn space() -> Value {
    json!({"type": "space"})
}

/// Cents as German money text without the currency: `1.234,56`, `-0,50`.
pub fn eur(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let euros = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", abs % 100)
}

#[cfg(test)]
mod tests {
    use super::eur;

    #[test]
    fn money_is_written_the_german_way() {
        assert_eq!(eur(1), "0,01");
        assert_eq!(eur(796), "7,96");
        assert_eq!(eur(123_456), "1.234,56");
        assert_eq!(eur(100_000_000), "1.000.000,00");
        assert_eq!(eur(-50), "-0,50");
    }
}
