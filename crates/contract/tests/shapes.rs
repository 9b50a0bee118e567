//! Real values, serialised by serde, have exactly the shape their generated
//! TypeScript type declares; and what the UI may send by those types reads back.

mod shape;

use std::sync::OnceLock;

use receipt::{ProviderLine, ShopHeader};
use serde::Serialize;
use serde_json::{json, Value};
use shape::Contract;
use till::basket::{Basket, BasketLine};
use till::journal::RefusedSale;
use till::receipt_doc::{self, ReceiptInput};
use till::secucard::{CardSplit, Secucard};
use till::{Cents, CompletedSale, VatRate};

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract::parse(&contract::typescript()))
}

#[track_caller]
fn fits(name: &str, value: &impl Serialize) {
    let json = serde_json::to_value(value).expect("serialise");
    if let Err(e) = contract().check(name, &json) {
        panic!("{name} does not fit its TypeScript type: {e}");
    }
}

#[track_caller]
fn misfit(name: &str, json: Value) -> String {
    contract()
        .check(name, &json)
        .expect_err("the check must refuse this value")
}

fn basket() -> Basket {
    let mut discounted = BasketLine::article("Kaffee", 2, Cents(220), VatRate::Standard);
    discounted.article_number = Some("2001".into());
    discounted.discount = Cents(40);
    Basket {
        lines: vec![
            BasketLine::article("Brötchen", 3, Cents(45), VatRate::Reduced),
            discounted,
            BasketLine::card_load(Cents(1000)),
        ],
        card: Some("9276004429942845".into()),
    }
}

fn sale() -> CompletedSale {
    let basket = basket();
    let shop = ShopHeader {
        name: "Demo-Café".into(),
        address_lines: vec!["Musterstraße 55".into()],
        vat_id: None,
        footer: Some("Vielen Dank!".into()),
    };
    let tse = till::TseRecord::Signed(till::TseSignature {
        tx_id: "0f8e7b9c-1d2e-4f3a-8b5c-6d7e8f9a0b1c".into(),
        tx_number: 17,
        tss_id: "b8b0a7a2-1c55-4c7e-9a51-0d6c1a3f0e01".into(),
        tss_serial: "5f0a3c1e9b7d24f6".into(),
        client_serial: "SMART-TILL-DEMO-1".into(),
        time_start: 1_795_000_000,
        time_end: 1_795_000_003,
        signature_counter: 35,
        signature: "c2lnbmF0dXJl".into(),
        signature_algorithm: "ecdsa-plain-SHA256".into(),
        public_key: "cHVibGlj".into(),
        qr_code_data: "V0;SMART-TILL-DEMO-1;Kassenbeleg-V1;Beleg^1.00_0.00_0.00_0.00_0.00^1.00:Bar"
            .into(),
    });
    let receipt = receipt_doc::build(ReceiptInput {
        shop: &shop,
        till_id: "KASSE-1",
        receipt_number: 7,
        issued_at: chrono::Local::now(),
        basket: &basket,
        payments: vec![receipt_doc::cash_payment(basket.total(), Some(Cents(5000)))],
        transaction_id: Some("STX_1"),
        provider_lines: vec![
            ProviderLine {
                kind: "separator".into(),
                value: Value::Null,
            },
            ProviderLine {
                kind: "name-value".into(),
                value: json!({"name": "Terminal-ID", "value": "72015255", "decoration": ["bold"]}),
            },
        ],
        demo: true,
        tse: Some(&tse),
        served_by: Some("Anna"),
    });
    CompletedSale {
        sale_id: "sale-7".into(),
        receipt_number: 7,
        transaction_id: "STX_1".into(),
        total: basket.total(),
        receipt_text: "SUMME EUR 16,35".into(),
        receipt,
        merchant_receipt_text: None,
        queued: false,
        qr_svg: receipt::qr::svg("V0;SMART-TILL-DEMO-1"),
    }
}

#[test]
fn till_answers_fit_their_types() {
    for a in till::catalog::demo_articles() {
        fits("Article", &a);
    }
    fits("Basket", &basket());
    fits("Basket", &Basket::default());
    for v in basket().vat_totals() {
        fits("VatTotal", &v);
    }
    let mut sale = sale();
    fits("CompletedSale", &sale);
    sale.merchant_receipt_text = Some("Händlerbeleg".into());
    sale.queued = true;
    fits("CompletedSale", &sale);
    fits("Receipt", &sale.receipt);
    fits(
        "Secucard",
        &Secucard {
            card_number: "9276004429942845".into(),
            group_name: Some("Geschenkgutschein".into()),
            customer_name: None,
            balance: Cents(1500),
            cash_balance: Cents(1250),
            bonus_balance: Cents(250),
            points: 340,
            lock_status: "locked".into(),
            stock_status: "stored".into(),
            passcode_required: true,
            last_usage: Some("2026-11-18T16:22:36+01:00".into()),
            expiry_date: None,
        },
    );
    fits(
        "CardSplit",
        &CardSplit {
            total: Cents(1635),
            from_card: Cents(1500),
            rest: Cents(135),
        },
    );
    fits(
        "RefusedSale",
        &RefusedSale {
            sale_id: "sale-3".into(),
            receipt_number: 3,
            since: "2026-11-21T14:03:00+01:00".into(),
            problem: "Transaktion unbekannt".into(),
        },
    );
}

#[test]
fn closing_figures_fit_their_types() {
    use till::closing::{CashMovement, RunningTotals};
    use till::{Closing, DayFigures};
    let since = RunningTotals::default();
    let mut now = since;
    now.sales = 3;
    now.cash = 1200;
    now.gross[1] = 1200;
    now.tax[1] = 79;
    now.last_receipt = 3;
    now.cash_in = 500;
    let figures = DayFigures::between(&since, &now);
    fits("DayFigures", &figures);
    let mut closing = Closing {
        z_number: 4,
        closed_at: "2026-11-21T19:04:00+01:00".into(),
        figures,
        cash_counted: Cents(1700),
        difference: Cents(0),
        terminal: None,
        chain_head: "ab".repeat(32),
        note: None,
        opened_at: None,
        tse: None,
        retained: None,
        drawer: None,
        by_cashier: vec![],
    };
    fits("StoredClosing", &closing);
    closing.terminal = Some(json!({"ok": true, "count": 2}));
    closing.note = Some("Wechselgeld".into());
    fits("StoredClosing", &closing);
    closing.tse = Some(till::journal::TseSummary {
        devices: vec![till::journal::TseRange {
            tss_serial: "5f".repeat(32),
            signed: 3,
            first_tx_number: 7,
            last_tx_number: 9,
            first_signature_counter: 14,
            last_signature_counter: 19,
        }],
        outages: vec![till::journal::OutagePeriod {
            start: "2026-11-21T12:00:01.000+01:00".into(),
            end: None,
            reason: "the TSE cannot be reached".into(),
        }],
    });
    fits("StoredClosing", &closing);
    for m in [
        CashMovement::Float,
        CashMovement::CashIn,
        CashMovement::CashOut,
    ] {
        fits("CashMovement", &m);
    }
}

#[test]
fn what_the_ui_sends_by_the_types_reads_back() {
    // The fewest fields the TypeScript `Basket` allows.
    let sent =
        json!({"lines": [{"text": "Wasser", "quantity": 1, "unit_price": 99, "vat": "standard"}]});
    contract().check("Basket", &sent).expect("a valid Basket");
    let basket: Basket = serde_json::from_value(sent).expect("serde reads it");
    assert_eq!(basket.lines[0].discount, Cents::ZERO);
    // Every optional field, null where the type allows it.
    let sent = json!({"lines": [{"article_number": null, "ean": "4260447149502", "text": "Aufladung",
        "quantity": 1, "unit_price": 1000, "vat": "zero", "discount": 0, "kind": "card_load"}], "card": "927600"});
    contract().check("Basket", &sent).expect("a valid Basket");
    let basket: Basket = serde_json::from_value(sent).expect("serde reads it");
    assert_eq!(basket.lines[0].kind, till::basket::LineKind::CardLoad);
}

#[test]
fn the_check_refuses_wrong_shapes() {
    let line = json!({"text": "Wasser", "quantity": 1, "unit_price": 99, "vat": "standard"});
    let mut extra = line.clone();
    extra["colour"] = json!("red");
    assert!(misfit("BasketLine", extra).contains("`colour` is not in the type"));
    let mut missing = line.clone();
    missing.as_object_mut().unwrap().remove("vat");
    assert!(misfit("BasketLine", missing).contains("`vat` is missing"));
    let mut wrong = line;
    wrong["vat"] = json!("high");
    assert!(misfit("BasketLine", wrong).contains("no member of the union fits"));
    assert!(misfit("Cents", json!("1,99")).contains("expected a number"));
    assert!(misfit("ScanOutcome", json!({"outcome": "found"})).contains("missing"));
}

#[test]
fn catalog_answers_fit_their_types() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = catalog::Catalog::open(&dir.path().join("catalog.sqlite3")).unwrap();
    cat.load_demo().unwrap();
    let articles = cat.all_articles().unwrap();
    assert!(!articles.is_empty());
    for a in &articles {
        fits("CatalogArticle", a);
    }
    fits("ArticlePage", &cat.list_group(None, 0, 5).unwrap());
    for c in cat.cashiers().unwrap() {
        fits("Cashier", &c);
    }
    for change in cat.changes_since(0, 50).unwrap() {
        fits("StoredChange", &change);
    }
    let ean = articles
        .iter()
        .find_map(|a| a.eans.first().cloned())
        .unwrap();
    for code in [ean.as_str(), "4006381333931", "12345", "4999012345678"] {
        fits("ScanOutcome", &cat.scan(code).unwrap());
    }
    let csv = "Artikelnummer;Bezeichnung;Preis;MwSt;EAN\n\
               9001;Neuer Kuchen;2,50;7;\n\
               ;Ohne Nummer;1,00;19;\n\
               9002;Zu teuer;abc;19;\n\
               9003;Falsche EAN;1,00;19;4006381333932\n";
    let preview = cat.preview_import(csv.as_bytes()).unwrap();
    assert!(!preview.bad.is_empty() && !preview.rows.is_empty());
    fits("ImportPreview", &preview);
}
