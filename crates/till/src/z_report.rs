//! The Z report of a stored closing, as the receipt crate prints it (text,
//! ESC/POS, PDF). Built from the closing alone, so a past closing prints the
//! same today as on its day.

use receipt::{
    Document, PaymentTotal, ProviderLine, ShopHeader, ZReport, ZReportOutage, ZReportTse,
    ZReportTseDevice,
};

use crate::closing::Closing;
use crate::money::Cents;

/// The shop and till a Z report is printed for.
pub struct ZReportHeader<'a> {
    pub shop: &'a ShopHeader,
    pub till_id: &'a str,
    pub demo: bool,
}

/// The Z report of `closing`.
pub fn build(closing: &Closing, header: &ZReportHeader<'_>) -> ZReport {
    let f = &closing.figures;
    let drawer = closing.drawer.clone().unwrap_or_default();
    let counts = f.counts_by_method;
    let payments = [
        ("Bar", counts.cash, f.by_method.cash),
        ("Karte", counts.card, f.by_method.card),
        ("Kundenkarte", counts.secucard, f.by_method.secucard),
        // As each receipt names it; older closings count it with the card.
        ("QR-Code", counts.qr, f.by_method.qr),
    ]
    .into_iter()
    .filter(|(_, count, amount)| *count != 0 || amount.0 != 0)
    .map(|(label, count, amount)| PaymentTotal {
        label: label.into(),
        count: count.max(0) as u64,
        amount_cents: amount.0,
    })
    .collect();
    let vat = f
        .by_rate
        .iter()
        .filter(|v| v.gross != Cents::ZERO || v.tax != Cents::ZERO)
        .map(crate::receipt_doc::vat_line)
        .collect();
    let terminal_lines = closing
        .terminal
        .as_ref()
        .and_then(|t| t.get("receipt"))
        .and_then(|r| serde_json::from_value::<Vec<ProviderLine>>(r.clone()).ok())
        .unwrap_or_default();
    let cashiers = closing
        .by_cashier
        .iter()
        .map(|c| PaymentTotal {
            label: c.name.clone().unwrap_or_else(|| "ohne Anmeldung".into()),
            count: (c.sales + c.cancellations).max(0) as u64,
            amount_cents: c.total.0,
        })
        .collect();
    ZReport {
        cashiers,
        shop: header.shop.clone(),
        till_id: header.till_id.to_string(),
        z_number: closing.z_number.max(0) as u64,
        period_start: printed_time(closing.opened_at.as_deref().unwrap_or(&closing.closed_at)),
        period_end: printed_time(&closing.closed_at),
        first_receipt: f.first_receipt.map(|n| n as u64),
        last_receipt: f.last_receipt.map(|n| n as u64),
        sales_count: f.sales.max(0) as u64,
        cancellations_count: f.cancellations.max(0) as u64,
        // Printed as the amount taken off the turnover.
        cancellations_cents: -f.cancelled.0,
        payments,
        vat,
        total_cents: f.total.0,
        cash_expected_cents: f.cash_expected.0,
        cash_counted_cents: Some(closing.cash_counted.0),
        terminal_lines,
        demo: header.demo,
        drawer_openings: f.drawer_openings.max(0) as u64,
        float_cents: f.opening_float.0,
        cash_in_cents: f.cash_in.0,
        cash_out_cents: f.cash_out.0,
        note: closing.note.clone(),
        chain_head: Some(closing.chain_head.clone()),
        tse: closing.tse.as_ref().map(|t| ZReportTse {
            devices: t
                .devices
                .iter()
                .map(|d| ZReportTseDevice {
                    serial: d.tss_serial.clone(),
                    signed: d.signed,
                    tx_numbers: (d.first_tx_number, d.last_tx_number),
                    signature_counters: (d.first_signature_counter, d.last_signature_counter),
                })
                .collect(),
            outages: t
                .outages
                .iter()
                .map(|o| ZReportOutage {
                    start: printed_time(&o.start),
                    end: o.end.as_deref().map(printed_time),
                    reason: o.reason.clone(),
                })
                .collect(),
        }),
        interim: false,
        cash_by_reason: drawer
            .by_reason
            .iter()
            .map(|r| PaymentTotal {
                label: r.business_case.clone(),
                count: r.count.max(0) as u64,
                amount_cents: r.amount.0,
            })
            .collect(),
        returns_count: drawer.returns_count.max(0) as u64,
        returns_cents: drawer.returns_total.0,
        discounts_cents: drawer.discounts.0,
        retained_cents: closing.retained.map(|c| c.0),
    }
}

/// The X report: the running period's figures as the Z report would show
/// them (the same computation and layout), marked "X-Bericht", nothing counted
/// and nothing closed; `tse` the TSE's part so far
/// (`Journal::running_tse_summary`), printed as the Z report's.
pub fn x_report(
    figures: crate::closing::DayFigures,
    drawer: crate::journal::DrawerFigures,
    by_cashier: Vec<crate::closing::CashierTakings>,
    opened_at: Option<String>,
    tse: Option<crate::journal::TseSummary>,
    now: &str,
    header: &ZReportHeader<'_>,
) -> ZReport {
    let running = Closing {
        z_number: 0,
        closed_at: now.into(),
        figures,
        cash_counted: Cents::ZERO,
        difference: Cents::ZERO,
        terminal: None,
        chain_head: String::new(),
        note: None,
        opened_at,
        tse,
        retained: None,
        drawer: Some(drawer),
        by_cashier,
    };
    let mut z = build(&running, header);
    z.interim = true;
    z.cash_counted_cents = None;
    z.chain_head = None;
    z
}

/// The Z report as a printable document.
pub fn document(closing: &Closing, header: &ZReportHeader<'_>) -> Document {
    Document::ZReport(build(closing, header))
}

/// "21.11.2026 18:31" from a stored RFC 3339 time, as it was on the till's clock.
fn printed_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basket::VatTotal;
    use crate::closing::{ByMethod, DayFigures, MethodCounts};
    use crate::money::VatRate;

    fn closing() -> Closing {
        let by_rate = vec![
            VatTotal {
                rate: VatRate::Standard,
                net: Cents(840),
                tax: Cents(160),
                gross: Cents(1000),
            },
            VatTotal {
                rate: VatRate::Reduced,
                net: Cents(0),
                tax: Cents(0),
                gross: Cents(0),
            },
        ];
        Closing {
            z_number: 4,
            closed_at: "2026-11-21T18:31:05.123+01:00".into(),
            figures: DayFigures {
                sales: 3,
                cancellations: 1,
                drawer_openings: 2,
                by_method: ByMethod {
                    cash: Cents(700),
                    card: Cents(300),
                    secucard: Cents(0),
                    qr: Cents(450),
                },
                by_rate,
                total: Cents(1000),
                card_loads: Cents(0),
                first_receipt: Some(10),
                last_receipt: Some(13),
                opening_float: Cents(10_000),
                cash_in: Cents(500),
                cash_out: Cents(2_000),
                cash_expected: Cents(9_200),
                counts_by_method: MethodCounts {
                    cash: 2,
                    card: 1,
                    secucard: 0,
                    qr: 2,
                },
                cancelled: Cents(250),
            },
            cash_counted: Cents(9_150),
            difference: Cents(-50),
            terminal: Some(serde_json::json!({
                "status": "ok",
                "receipt": [{"type": "textline", "value": {"text": "Kassenschnitt erfolgreich"}}]
            })),
            chain_head: "ab".repeat(32),
            note: Some("50 Cent fehlen".into()),
            opened_at: Some("2026-11-21T07:58:00.000+01:00".into()),
            tse: Some(crate::journal::TseSummary {
                devices: vec![crate::journal::TseRange {
                    tss_serial: "5f".repeat(32),
                    signed: 4,
                    first_tx_number: 17,
                    last_tx_number: 21,
                    first_signature_counter: 40,
                    last_signature_counter: 49,
                }],
                outages: vec![crate::journal::OutagePeriod {
                    start: "2026-11-21T12:00:01.000+01:00".into(),
                    end: Some("2026-11-21T12:20:00.000+01:00".into()),
                    reason: "the TSE cannot be reached".into(),
                }],
            }),
            retained: None,
            drawer: None,
            by_cashier: vec![],
        }
    }

    #[test]
    fn the_z_report_carries_every_figure_of_the_closing() {
        let shop = ShopHeader {
            name: "Bäckerei Müller".into(),
            address_lines: vec!["Hauptstraße 1".into()],
            vat_id: None,
            footer: None,
        };
        let header = ZReportHeader {
            shop: &shop,
            till_id: "KASSE-1",
            demo: false,
        };
        let z = build(&closing(), &header);
        assert_eq!(z.z_number, 4);
        assert_eq!(
            (z.period_start.as_str(), z.period_end.as_str()),
            ("21.11.2026 07:58", "21.11.2026 18:31")
        );
        assert_eq!((z.first_receipt, z.last_receipt), (Some(10), Some(13)));
        assert_eq!((z.sales_count, z.cancellations_count), (3, 1));
        assert_eq!(z.cancellations_cents, -250);
        let payments: Vec<_> = z
            .payments
            .iter()
            .map(|p| (p.label.as_str(), p.count, p.amount_cents))
            .collect();
        assert_eq!(
            payments,
            vec![("Bar", 2, 700), ("Karte", 1, 300), ("QR-Code", 2, 450)]
        );
        // Only rates with turnover.
        assert_eq!(z.vat.len(), 1);
        assert_eq!((z.vat[0].mark, z.vat[0].net_cents), ('A', 840));
        assert_eq!(z.cash_counted_cents, Some(9_150));
        assert_eq!(z.drawer_openings, 2);
        assert_eq!(
            (z.float_cents, z.cash_in_cents, z.cash_out_cents),
            (10_000, 500, 2_000)
        );
        assert_eq!(z.terminal_lines.len(), 1);
        let text = receipt::render_document_text(&document(&closing(), &header), 42);
        for needle in [
            "Z-Bericht Nr. 4",
            "Bar (2x)",
            "Karte (1x)",
            "QR-Code (2x)",
            "Schublade ohne Verkauf",
            "50 Cent fehlen",
            "Kassenschnitt erfolgreich",
            "-0,50",
            "abababababababab",
            "Transaktionen",
            "17 - 21",
            "Signaturzähler",
            "40 - 49",
            "TSE ausgefallen:",
            "21.11.2026 12:00",
            "21.11.2026 12:20",
            "the TSE cannot be reached",
        ] {
            assert!(text.contains(needle), "{needle} missing in\n{text}");
        }
    }

    #[test]
    fn the_x_report_carries_the_tse_part_as_the_z_report_does() {
        let shop = ShopHeader {
            name: "Bäckerei Müller".into(),
            address_lines: vec![],
            vat_id: None,
            footer: None,
        };
        let header = ZReportHeader {
            shop: &shop,
            till_id: "KASSE-1",
            demo: false,
        };
        let c = closing();
        let x = x_report(
            c.figures.clone(),
            Default::default(),
            vec![],
            c.opened_at.clone(),
            c.tse.clone(),
            &c.closed_at,
            &header,
        );
        assert!(x.interim);
        assert_eq!(x.tse, build(&c, &header).tse, "the Z report's block");
        let text = receipt::render_document_text(&Document::ZReport(x), 42);
        for needle in [
            "X-Bericht",
            "Transaktionen",
            "17 - 21",
            "Signaturzähler",
            "40 - 49",
            "TSE ausgefallen:",
            "21.11.2026 12:00",
            "the TSE cannot be reached",
        ] {
            assert!(text.contains(needle), "{needle} missing in\n{text}");
        }
        // A till without a TSE: no block.
        let x = x_report(
            c.figures,
            Default::default(),
            vec![],
            None,
            None,
            "",
            &header,
        );
        let text = receipt::render_document_text(&Document::ZReport(x), 42);
        assert!(!text.contains("Signaturzähler"), "{text}");
    }
}
