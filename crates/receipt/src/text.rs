//! Plain-text rendering at a fixed column width (previews, tests, journal copies).

use crate::compose::{layout_document, layout_receipt};
use crate::document::{Document, Receipt, ReceiptExtras};
use crate::layout::{Block, Layout};

/// Renders the receipt as monospaced text `width` columns wide.
pub fn render_text(receipt: &Receipt, width: usize) -> String {
    render_layout_text(&layout_receipt(receipt, &ReceiptExtras::default(), width))
}

/// Renders any document as monospaced text `width` columns wide.
pub fn render_document_text(document: &Document, width: usize) -> String {
    render_layout_text(&layout_document(document, width))
}

/// Writes a laid-out document as text; a QR code shows as its content in brackets.
pub fn render_layout_text(layout: &Layout) -> String {
    let mut buf = String::new();
    for block in &layout.blocks {
        match block {
            Block::Line { text, align, .. } => buf.push_str(&layout.place(text, *align)),
            Block::Blank => {}
            // A preview in text has no pictures.
            Block::Image(_) => continue,
            Block::Qr(content) => {
                let rows = crate::layout::wrap(&format!("[QR {content}]"), layout.width);
                for (i, row) in rows.iter().enumerate() {
                    if i > 0 {
                        buf.push('\n');
                    }
                    buf.push_str(&layout.place(row, crate::layout::Align::Center));
                }
            }
        }
        buf.push('\n');
    }
    buf
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
                footer: None,
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
                    discounts: vec![],
                },
                ReceiptLine {
                    quantity: 1,
                    text: "Brötchen".into(),
                    unit_price_cents: 45,
                    total_cents: 45,
                    vat_mark: 'B',
                    discounts: vec![],
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
            tse: None,
            served_by: None,
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
    fn documents_with_extras_fit_the_width() {
        let document = Document::Receipt {
            receipt: sample(),
            extras: ReceiptExtras {
                secucard: Some(crate::document::SecucardSummary {
                    card_number: "9276 **** **** 2845".into(),
                    balance_used_cents: 500,
                    balance_left_cents: 1_900,
                    points: None,
                }),
                footer_lines: vec!["Vielen Dank für Ihren Einkauf!".into()],
                qr: Some(
                    "V0;KASSE-1;Kassenbeleg-V1;Beleg^2.43_0.00:Bar;42;very-long-qr-payload".into(),
                ),
                duplicate: true,
                logo: crate::document::Logo::from_luma(16, 2, &[0; 32]),
            },
        };
        for width in [32, 42, 48] {
            let text = render_document_text(&document, width);
            assert!(text.contains("*** DUPLIKAT ***"));
            assert!(text.contains("Restguthaben"));
            assert!(text.contains("19,00"));
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
    fn the_shops_footer_is_the_last_thing_on_the_customer_receipt() {
        let mut receipt = sample();
        receipt.shop.footer =
            Some("Vielen Dank für Ihren Einkauf! Bis bald.\nMo–Sa 7–18 Uhr".into());
        let document = Document::Receipt {
            receipt: receipt.clone(),
            extras: ReceiptExtras {
                qr: Some("V0;KASSE-1".into()),
                ..ReceiptExtras::default()
            },
        };
        let text = render_document_text(&document, 32);
        let last: Vec<&str> = text.lines().rev().take(3).collect();
        // Wrapped at the roll's width, centred, after the QR code.
        assert_eq!(
            last,
            [
                "         Mo–Sa 7–18 Uhr",
                "           Bis bald.",
                " Vielen Dank für Ihren Einkauf!"
            ]
        );
        assert!(text.find("[QR").unwrap() < text.find("Vielen Dank").unwrap());
        // Only the customer receipt carries it.
        let copy = Document::MerchantCopy(MerchantCopy {
            shop: receipt.shop.clone(),
            till_id: "KASSE-1".into(),
            receipt_number: 42,
            issued_at: receipt.issued_at.clone(),
            provider_lines: vec![],
            demo: false,
            duplicate: false,
        });
        assert!(!render_document_text(&copy, 42).contains("Vielen Dank"));
        // A blank footer prints nothing, not an empty row.
        receipt.shop.footer = Some("  ".into());
        assert_eq!(render_text(&receipt, 42), render_text(&sample(), 42));
    }

    #[test]
    fn a_receipt_journaled_before_the_footer_reads_back_and_a_new_one_keeps_it() {
        let mut old = serde_json::to_value(Document::receipt(sample())).unwrap();
        assert!(
            old["receipt"]["shop"].get("footer").is_none(),
            "no key while unset"
        );
        old["receipt"]["shop"]
            .as_object_mut()
            .unwrap()
            .remove("footer");
        let read = Document::from_stored(&old).unwrap();
        assert_eq!(read, Document::receipt(sample()));

        let mut receipt = sample();
        receipt.shop.footer = Some("Danke!".into());
        let stored = serde_json::json!({ "document": Document::receipt(receipt.clone()) });
        let reprint = Document::from_stored(&stored).unwrap().into_duplicate();
        let text = render_document_text(&reprint, 42);
        assert!(text.contains("*** DUPLIKAT ***"));
        assert_eq!(text.lines().last().map(str::trim), Some("Danke!"));
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

    #[test]
    fn an_info_sheet_pairs_short_values_and_puts_long_ones_below_their_label() {
        let sheet = Document::InfoSheet(InfoSheet {
            shop: sample().shop,
            title: "Angaben zum elektronischen Aufzeichnungssystem".into(),
            sections: vec![InfoSection {
                heading: "TSE".into(),
                rows: vec![
                    ("Umgebung".into(), "LIVE".into()),
                    ("Seriennummer der TSE".into(), "ab".repeat(32)),
                ],
            }],
            notes: vec!["Mitteilung nach § 146a Abs. 4 AO über Mein ELSTER.".into()],
            issued_at: "03.12.2026 07:00".into(),
        });
        let text = render_document_text(&sheet, 32);
        assert!(text.lines().all(|l| l.chars().count() <= 32), "{text}");
        assert!(text.contains("Umgebung                    LIVE"), "{text}");
        assert!(text.contains("Seriennummer der TSE:\n  abab"), "{text}");
        assert!(text.contains("------------ TSE -------------"), "{text}");
        assert!(text.contains("Mein ELSTER"), "{text}");
        assert_eq!(
            sheet.title(),
            "Angaben zum elektronischen Aufzeichnungssystem"
        );
        assert!(!sheet.clone().into_duplicate().is_duplicate());
    }
}
