/// Formats integer cents the way a German receipt writes them: `1.234,56`.
pub fn format_eur(cents: i64) -> String {
    let mut out = String::with_capacity(16);
    push_eur(&mut out, cents);
    out
}

/// Appends `cents` formatted like [`format_eur`] to `out`.
pub fn push_eur(out: &mut String, cents: i64) {
    if cents < 0 {
        out.push('-');
    }
    let abs = cents.unsigned_abs();
    let euros = abs / 100;
    let rest = abs % 100;
    // Digits of the euros, least significant first.
    let mut digits = [0u8; 20];
    let mut n = 0;
    let mut v = euros;
    loop {
        digits[n] = (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        out.push((b'0' + digits[i]) as char);
        if i > 0 && i % 3 == 0 {
            out.push('.');
        }
    }
    out.push(',');
    out.push((b'0' + (rest / 10) as u8) as char);
    out.push((b'0' + (rest % 10) as u8) as char);
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
        assert_eq!(format_eur(-100_000_001), "-1.000.000,01");
    }
}
