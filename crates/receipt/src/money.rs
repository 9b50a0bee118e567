/// Formats integer cents the way a German receipt writes them: `1.234,56`.
pub fn format_eur(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let euros = abs / 100;
    let rest = abs % 100;
    let digits = euros.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{rest:02}")
}

#[cfg(test)]
mod tests {
    use super::format_eur;

    #[test]
    fn formats_german_style() {
        assert_eq!(format_eur(0), "0,00");
        assert_eq!(format_eur(5), "0,05");
        assert_eq!(format_eur(199), "1,99");
        assert_eq!(format_eur(123_456), "1.234,56");
        assert_eq!(format_eur(-1_000_000_01), "-1.000.000,01");
    }
}
