//! Representative documents shared by the integration tests.
#![allow(dead_code)]

use receipt::{
    Document, MerchantCopy, PaymentLine, PaymentTotal, ProviderLine, Receipt, ReceiptExtras,
    ReceiptLine, SecucardSummary, ShopHeader, TseBlock, VatLine, ZReport,
};

pub fn shop() -> ShopHeader {
    ShopHeader {
        name: "Bäckerei Müller".into(),
        address_lines: vec!["Hauptstraße 1".into(), "09123 Chemnitz".into()],
        vat_id: Some("DE123456789".into()),
        footer: None,
    }
}

fn line(quantity: i64, text: &str, unit: i64, mark: char) -> ReceiptLine {
    ReceiptLine {
        quantity,
        text: text.into(),
        unit_price_cents: unit,
        total_cents: quantity * unit,
        vat_mark: mark,
        discounts: vec![],
    }
}

fn base(number: u64, lines: Vec<ReceiptLine>, vat: Vec<VatLine>) -> Receipt {
    let total = lines.iter().map(|l| l.total_cents).sum();
    Receipt {
        shop: shop(),
        till_id: "KASSE-1".into(),
        receipt_number: number,
        issued_at: "21.11.2026 14:03".into(),
        lines,
        total_cents: total,
        vat,
        payments: vec![],
        transaction_id: Some("STX_3HXQQBSVK2XWNAX7ESCZH9NZY3YZAZ".into()),
        provider_lines: vec![],
        demo: false,
        tse: None,
        served_by: None,
    }
}

/// A cash sale with tendered and change.
pub fn cash_receipt() -> Receipt {
    let mut r = base(
        42,
        vec![
            line(2, "Wasser 0,25 l", 99, 'A'),
            line(1, "Brötchen", 45, 'B'),
        ],
        vec![
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
    );
    r.payments = vec![PaymentLine {
        label: "Bar".into(),
        amount_cents: 243,
        tendered_cents: Some(500),
        change_cents: Some(257),
    }];
    r
}

fn fixture(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn provider_lines(value: &serde_json::Value) -> Vec<ProviderLine> {
    serde_json::from_value(value.clone()).unwrap()
}

/// A card payment with the provider's customer lines (guide 04).
pub fn card_receipt() -> Receipt {
    let mut r = base(
        43,
        vec![
            line(1, "Sandwich Romano", 349, 'B'),
            line(1, "Obstsalat klein", 249, 'B'),
        ],
        vec![VatLine {
            mark: 'B',
            rate_percent: 7,
            net_cents: 559,
            tax_cents: 39,
            gross_cents: 598,
        }],
    );
    r.payments = vec![PaymentLine {
        label: "Karte (girocard)".into(),
        amount_cents: 598,
        tendered_cents: None,
        change_cents: None,
    }];
    r.provider_lines = provider_lines(&fixture("card-payment.json")["receipt"]);
    r
}

/// The merchant copy of the card payment (guide 04), which asks for a signature.
pub fn merchant_copy() -> MerchantCopy {
    MerchantCopy {
        shop: shop(),
        till_id: "KASSE-1".into(),
        receipt_number: 43,
        issued_at: "21.11.2026 14:05".into(),
        provider_lines: provider_lines(&fixture("card-payment.json")["receipt_merchant"]),
        demo: false,
        duplicate: false,
    }
}

/// A sale paid partly from a secucard balance, the rest in cash (guide 05).
pub fn secucard_receipt() -> Document {
    let mut r = base(
        44,
        vec![
            line(1, "Sandwich Romano", 349, 'B'),
            line(1, "Obstsalat klein", 249, 'B'),
            line(2, "Wasser still 0,25 l", 99, 'A'),
        ],
        vec![
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
                net_cents: 559,
                tax_cents: 39,
                gross_cents: 598,
            },
        ],
    );
    r.payments = vec![
        PaymentLine {
            label: "secucard Guthaben".into(),
            amount_cents: 500,
            tendered_cents: None,
            change_cents: None,
        },
        PaymentLine {
            label: "Bar".into(),
            amount_cents: 296,
            tendered_cents: Some(300),
            change_cents: Some(4),
        },
    ];
    r.provider_lines = serde_json::from_str(
        r#"[{"type":"separator","value":{"caption":"Kundenkarte"}},
            {"type":"name-value","value":{"name":"Kartennummer:","value":"9276004429942845","decoration":[]}},
            {"type":"name-value","value":{"name":"TA Code:","value":"29008410","decoration":[]}},
            {"type":"space"},
            {"type":"textline","value":{"text":"Aktuelles Guthaben:","decoration":[]}},
            {"type":"textline","value":{"text":"19,00 EUR","decoration":["important","align-right"]}}]"#,
    )
    .unwrap();
    Document::Receipt {
        receipt: r,
        extras: ReceiptExtras {
            secucard: Some(SecucardSummary {
                card_number: "9276 **** **** 2845".into(),
                balance_used_cents: 500,
                balance_left_cents: 1900,
                points: Some(12),
            }),
            footer_lines: vec!["Vielen Dank für Ihren Einkauf!".into()],
            qr: Some(
                "V0;KASSE-1;Kassenbeleg-V1;Beleg^7.96_0.00_0.00_0.00_0.00^2.96:Bar_5.00:Unbar;44"
                    .into(),
            ),
            duplicate: false,
            logo: None,
        },
    }
}

/// Long article texts, umlauts, ß, € in texts and characters no code page has.
pub fn long_receipt() -> Receipt {
    let mut r = base(
        45,
        vec![
            line(
                1,
                "Geschenkkorb „Erzgebirgische Weihnacht“ – groß, mit Räuchermännchen, Stollen & Glühwein",
                4_999,
                'A',
            ),
            line(12, "Äpfel Öko (Süßkirsch-Sorte) 1 kg à 2,99 €", 299, 'B'),
            line(1, "Gutschein 10 € – 漢字 ✓", 1_000, 'C'),
        ],
        vec![
            VatLine {
                mark: 'A',
                rate_percent: 19,
                net_cents: 4_201,
                tax_cents: 798,
                gross_cents: 4_999,
            },
            VatLine {
                mark: 'B',
                rate_percent: 7,
                net_cents: 3_353,
                tax_cents: 235,
                gross_cents: 3_588,
            },
            VatLine {
                mark: 'C',
                rate_percent: 0,
                net_cents: 1_000,
                tax_cents: 0,
                gross_cents: 1_000,
            },
        ],
    );
    r.payments = vec![PaymentLine {
        label: "Bar".into(),
        amount_cents: 9_587,
        tendered_cents: Some(10_000),
        change_cents: Some(413),
    }];
    r.demo = true;
    r
}

/// A closing report with the terminal's end-of-day lines.
pub fn z_report() -> ZReport {
    ZReport {
        shop: shop(),
        till_id: "KASSE-1".into(),
        z_number: 17,
        period_start: "21.11.2026 07:58".into(),
        period_end: "21.11.2026 18:31".into(),
        first_receipt: Some(1),
        last_receipt: Some(57),
        sales_count: 55,
        cancellations_count: 2,
        cancellations_cents: -748,
        payments: vec![
            PaymentTotal {
                label: "Bar".into(),
                count: 41,
                amount_cents: 48_210,
            },
            PaymentTotal {
                label: "Karte".into(),
                count: 12,
                amount_cents: 31_980,
            },
            PaymentTotal {
                label: "secucard".into(),
                count: 2,
                amount_cents: 1_500,
            },
        ],
        vat: vec![
            VatLine {
                mark: 'A',
                rate_percent: 19,
                net_cents: 30_000,
                tax_cents: 5_700,
                gross_cents: 35_700,
            },
            VatLine {
                mark: 'B',
                rate_percent: 7,
                net_cents: 42_981,
                tax_cents: 3_009,
                gross_cents: 45_990,
            },
        ],
        total_cents: 81_690,
        cash_expected_cents: 63_210,
        cash_counted_cents: Some(63_150),
        terminal_lines: serde_json::from_str(
            r#"[{"type":"separator","value":{"caption":"Kassenschnitt"}},
                {"type":"name-value","value":{"name":"Terminal-ID","value":"72015255","decoration":[]}},
                {"type":"name-value","value":{"name":"girocard (12)","value":"319,80 EUR","decoration":[]}},
                {"type":"textline","value":{"text":"Kassenschnitt erfolgreich","decoration":["important","align-center"]}}]"#,
        )
        .unwrap(),
        demo: false,
        drawer_openings: 3,
        float_cents: 15_000,
        cash_in_cents: 0,
        cash_out_cents: 0,
        note: Some("Zwei Euro Münzen im Tresor".into()),
        chain_head: Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into()),
        tse: None,
        interim: false,
        cash_by_reason: vec![],
        returns_count: 0,
        returns_cents: 0,
        discounts_cents: 0,
        retained_cents: None,
        cashiers: vec![],
    }
}

/// Every representative document with a name for files.
/// The QR code content of a signed sale (DSFinV-K Anhang I), as the TSE gives it.
pub const TSE_QR: &str = "V0;SMART-TILL-DEMO-1;Kassenbeleg-V1;Beleg^1.98_0.45_0.00_0.00_0.00^2.43:Bar;17;35;2026-11-21T13:03:01.000Z;2026-11-21T13:03:04.000Z;ecdsa-plain-SHA256;unixTime;MEUCIQDn2Zb0Jd3UHs0bS2kU6p9KOx9C8rL8w3n2eJ9d1b7nCwIgY0VvZl9yZWNlaXB0X3NpZ25hdHVyZV90ZXN0MA==;BHhJ2o5TqGk1cX7m8Wl0uQ9zR3a6pY4vNsEeK2dFbHjA0iO5tL1wS8gU7yM3xZ9cV6nB4qP2rD0fT1hJ5kL8aE=";

/// The cash sale, signed by the TSE.
pub fn tse_receipt() -> Receipt {
    let mut r = cash_receipt();
    r.tse = Some(TseBlock::Signed {
        tss_serial: "5f0a3c1e9b7d24f68a0c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f".into(),
        client_serial: "SMART-TILL-DEMO-1".into(),
        tx_number: 17,
        start: "21.11.2026 14:03:01".into(),
        end: "21.11.2026 14:03:04".into(),
        signature_counter: 35,
        signature: "MEUCIQDn2Zb0Jd3UHs0bS2kU6p9KOx9C8rL8w3n2eJ9d1b7nCwIgY0VvZl9yZWNlaXB0X3NpZ25hdHVyZV90ZXN0MA==".into(),
        qr_code_data: TSE_QR.into(),
    });
    r
}

/// The cash sale, the TSE down.
pub fn tse_failed_receipt() -> Receipt {
    let mut r = cash_receipt();
    r.tse = Some(TseBlock::Failed);
    r
}

pub fn all_documents() -> Vec<(&'static str, Document)> {
    vec![
        ("tse", Document::receipt(tse_receipt())),
        ("tse-failed", Document::receipt(tse_failed_receipt())),
        ("cash", Document::receipt(cash_receipt())),
        ("card", Document::receipt(card_receipt())),
        ("card-merchant", Document::MerchantCopy(merchant_copy())),
        ("secucard", secucard_receipt()),
        ("long-texts", Document::receipt(long_receipt())),
        ("z-report", Document::ZReport(z_report())),
    ]
}
