//! Plain-text rendering at a fixed column width (previews, tests, journal copies).

use crate::document::{ProviderLine, Receipt};
use crate::money::format_eur;

/// Renders the receipt as monospaced text `width` columns wide.
pub fn render_text(receipt: &Receipt, width: usize) -> String {
    let mut out = Lines::new(width);
    out.center(&receipt.shop.name);
    for line in &receipt.shop.address_lines {
        out.center(line);
    }
    if let Some(vat_id) = &receipt.shop.vat_id {
        out.center(&format!("USt-IdNr. {vat_id}"));
    }
    if receipt.demo {
        out.center("*** DEMO – KEIN GÜLTIGER BELEG ***");
    }
    out.rule('-');
    out.pair(
        &format!("Beleg {}", receipt.receipt_number),
        &receipt.issued_at,
    );
    out.pair("Kasse", &receipt.till_id);
    out.rule('-');
    for line in &receipt.lines {
        let amount = format!("{} {}", format_eur(line.total_cents), line.vat_mark);
        if line.quantity == 1 {
            out.pair(&line.text, &amount);
        } else {
            out.text(&line.text);
            out.pair(
                &format!(
                    "  {} x {}",
                    line.quantity,
                    format_eur(line.unit_price_cents)
                ),
                &amount,
            );
        }
    }
    out.rule('-');
    out.pair("SUMME EUR", &format_eur(receipt.total_cents));
    out.rule('-');
    for payment in &receipt.payments {
        out.pair(&payment.label, &format_eur(payment.amount_cents));
        if let Some(tendered) = payment.tendered_cents {
            out.pair("  Gegeben", &format_eur(tendered));
        }
        if let Some(change) = payment.change_cents {
            out.pair("  Rückgeld", &format_eur(change));
        }
    }
    out.blank();
    out.text("MwSt      Netto    Steuer    Brutto");
    for vat in &receipt.vat {
        out.text(&format!(
            "{} {:>2}% {:>9} {:>9} {:>9}",
            vat.mark,
            vat.rate_percent,
            format_eur(vat.net_cents),
            format_eur(vat.tax_cents),
            format_eur(vat.gross_cents)
        ));
    }
    if !receipt.provider_lines.is_empty() {
        out.blank();
        render_provider_lines(&mut out, &receipt.provider_lines);
    }
    if let Some(id) = &receipt.transaction_id {
        out.blank();
        out.text(&format!("TA {id}"));
    }
    out.finish()
}

fn render_provider_lines(out: &mut Lines, lines: &[ProviderLine]) {
    for line in lines {
        let value = &line.value;
        let field = |name: &str| value.get(name).and_then(|v| v.as_str()).unwrap_or("");
        let centered = value
            .get("decoration")
            .and_then(|d| d.as_array())
            .is_some_and(|d| d.iter().any(|x| x == "align-center"));
        match line.kind.as_str() {
            "separator" => match value.get("caption").and_then(|c| c.as_str()) {
                Some(caption) => out.caption(caption),
                None => out.rule('-'),
            },
            "textline" if centered => out.center(field("text")),
            "textline" => out.text(field("text")),
            "name-value" => out.pair(field("name"), field("value")),
            // `space` and anything newer than this renderer: a blank line keeps the layout.
            _ => out.blank(),
        }
    }
}

/// Accumulates fixed-width lines.
struct Lines {
    width: usize,
    buf: String,
}

impl Lines {
    fn new(width: usize) -> Self {
        Self {
            width,
            buf: String::new(),
        }
    }

    fn push(&mut self, line: &str) {
        self.buf.push_str(line.trim_end());
        self.buf.push('\n');
    }

    fn text(&mut self, text: &str) {
        for chunk in wrap(text, self.width) {
            self.push(&chunk);
        }
    }

    fn blank(&mut self) {
        self.buf.push('\n');
    }

    fn rule(&mut self, ch: char) {
        let rule: String = std::iter::repeat_n(ch, self.width).collect();
        self.push(&rule);
    }

    fn center(&mut self, text: &str) {
        for chunk in wrap(text, self.width) {
            let pad = (self.width - chunk.chars().count()) / 2;
            self.push(&format!("{}{}", " ".repeat(pad), chunk));
        }
    }

    fn caption(&mut self, caption: &str) {
        let len = caption.chars().count() + 2;
        if len >= self.width {
            return self.center(caption);
        }
        let left = (self.width - len) / 2;
        let right = self.width - len - left;
        self.push(&format!(
            "{} {caption} {}",
            "-".repeat(left),
            "-".repeat(right)
        ));
    }

    /// Name on the left, value on the right; the name wraps when both don't fit.
    fn pair(&mut self, name: &str, value: &str) {
        let value_len = value.chars().count();
        let name_len = name.chars().count();
        if name_len + 1 + value_len <= self.width {
            let gap = self.width - name_len - value_len;
            self.push(&format!("{name}{}{value}", " ".repeat(gap)));
        } else {
            self.text(name);
            let pad = self.width.saturating_sub(value_len);
            self.push(&format!("{}{value}", " ".repeat(pad)));
        }
    }

    fn finish(self) -> String {
        self.buf
    }
}

/// Wraps on character count (not bytes: umlauts are one column).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(width.max(1))
        .map(|c| c.iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::*;

    fn sample() -> Receipt {
        Receipt {
            shop: ShopHeader {
                name: "Bäckerei Müller".into(),
                address_lines: vec!["Hauptstraße 1".into(), "09123 Chemnitz".into()],
                vat_id: Some("DE123456789".into()),
            },
            till_id: "KASSE-1".into(),
            receipt_number: 42,
            issued_at: "21.11.2026 14:03".into(),
            lines: vec![
                ReceiptLine {
                    quantity: 2,
                    text: "Wasser 0,25 l".into(),
                    unit_price_cents: 99,
                    total_cents: 198,
                    vat_mark: 'A',
                },
                ReceiptLine {
                    quantity: 1,
                    text: "Brötchen".into(),
                    unit_price_cents: 45,
                    total_cents: 45,
                    vat_mark: 'B',
                },
            ],
            total_cents: 243,
            vat: vec![
                VatLine {
                    mark: 'A',
                    rate_percent: 19,
                    net_cents: 166,
                    tax_cents: 32,
                    gross_cents: 198,
                },
                VatLine {
                    mark: 'B',
                    rate_percent: 7,
                    net_cents: 42,
                    tax_cents: 3,
                    gross_cents: 45,
                },
            ],
            payments: vec![PaymentLine {
                label: "Bar".into(),
                amount_cents: 243,
                tendered_cents: Some(500),
                change_cents: Some(257),
            }],
            transaction_id: Some("STX_TEST".into()),
            provider_lines: vec![],
            demo: false,
        }
    }

    #[test]
    fn every_line_fits_the_width() {
        for width in [32, 42, 48] {
            let text = render_text(&sample(), width);
            for line in text.lines() {
                assert!(line.chars().count() <= width, "{line:?} wider than {width}");
            }
        }
    }

    #[test]
    fn shows_total_payment_and_change() {
        let text = render_text(&sample(), 42);
        assert!(text.contains("Bäckerei Müller"));
        assert!(text.contains("SUMME EUR"));
        assert!(text.contains("2,43"));
        assert!(text.contains("Rückgeld"));
        assert!(text.contains("2,57"));
        assert!(text.contains("  2 x 0,99"));
        assert!(text.contains("TA STX_TEST"));
    }

    #[test]
    fn provider_lines_keep_their_layout() {
        let mut receipt = sample();
        receipt.provider_lines = serde_json::from_str(
            r#"[{"type":"separator","value":{"caption":"Kartenzahlung"}},
                {"type":"name-value","value":{"name":"Betrag EUR","value":"0,01","decoration":[]}},
                {"type":"space"},
                {"type":"textline","value":{"text":"Karte akzeptiert","decoration":["align-center","important"]}}]"#,
        )
        .unwrap();
        let text = render_text(&receipt, 32);
        assert!(text.contains("-------- Kartenzahlung --------"));
        assert!(text.contains("Betrag EUR                  0,01"));
        assert!(text.contains("        Karte akzeptiert"));
    }
}
