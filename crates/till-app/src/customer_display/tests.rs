use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use receipt::{PaymentLine, Receipt, ReceiptLine, ShopHeader};
use till::{Basket, BasketLine, Cents, CompletedSale, VatRate};

use super::*;

/// Keeps every view it was shown, as the display's window would get them.
#[derive(Default)]
struct Recorder(Mutex<Vec<CustomerView>>);

impl DisplaySink for Recorder {
    fn show(&self, view: &CustomerView) {
        self.0.lock().unwrap().push(view.clone());
    }
}

impl Recorder {
    fn last(&self) -> CustomerView {
        self.0
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a view was sent")
    }
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

fn display(thanks_for: Duration) -> (Arc<CustomerDisplay>, Arc<Recorder>) {
    let display = CustomerDisplay::new(
        "Bäckerei Sonne".into(),
        Some("Heute frische Brötchen".into()),
        Language::De,
        thanks_for,
    );
    let sink = Arc::new(Recorder::default());
    display.connect(sink.clone());
    (display, sink)
}

fn line(text: &str, quantity: i64, cents: i64) -> BasketLine {
    let mut l = BasketLine::article(text, quantity, Cents(cents), VatRate::Standard);
    l.quantity = quantity;
    l
}

/// A paid sale of `lines` as the checkout answers it, with its payments.
fn sale(lines: &[(&str, i64, i64)], payments: Vec<PaymentLine>) -> CompletedSale {
    let lines: Vec<ReceiptLine> = lines
        .iter()
        .map(|&(text, quantity, unit)| ReceiptLine {
            quantity,
            text: text.into(),
            unit_price_cents: unit,
            total_cents: unit * quantity,
            vat_mark: 'A',
            discounts: vec![],
        })
        .collect();
    let total: i64 = lines.iter().map(|l| l.total_cents).sum();
    CompletedSale {
        sale_id: "s1".into(),
        receipt_number: 1,
        transaction_id: "STX_1".into(),
        total: Cents(total),
        receipt: Receipt {
            shop: ShopHeader {
                name: "Bäckerei Sonne".into(),
                address_lines: vec![],
                vat_id: None,
                footer: None,
            },
            till_id: "KASSE-1".into(),
            receipt_number: 1,
            issued_at: "03.12.2026 10:00".into(),
            lines,
            total_cents: total,
            vat: vec![],
            payments,
            transaction_id: None,
            provider_lines: vec![],
            demo: false,
            tse: None,
            served_by: None,
        },
        receipt_text: String::new(),
        merchant_receipt_text: None,
        queued: false,
        qr_svg: None,
    }
}

fn cash(amount: i64, tendered: i64) -> PaymentLine {
    PaymentLine {
        label: "Bar".into(),
        amount_cents: amount,
        tendered_cents: Some(tendered),
        change_cents: Some(tendered - amount),
    }
}

#[test]
fn the_display_starts_idle_with_the_shop_and_its_message() {
    let (_display, sink) = display(THANKS_FOR);
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Idle);
    assert_eq!(v.shop_name, "Bäckerei Sonne");
    assert_eq!(v.message.as_deref(), Some("Heute frische Brötchen"));
    assert!(v.lines.is_empty());
    assert_eq!(v.total, Cents::ZERO);
}

#[test]
fn the_basket_grows_line_by_line_with_its_total() {
    let (display, sink) = display(THANKS_FOR);
    let mut basket = Basket {
        lines: vec![line("Wasser 0,5 l", 1, 99)],
        card: None,
    };
    display.basket(&basket, false);
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Basket);
    assert_eq!(v.lines.len(), 1);
    assert_eq!(v.total, Cents(99));

    basket.lines[0].quantity = 2;
    basket.lines.push(line("Brezel", 1, 349));
    basket.lines[1].discount = Cents(49);
    display.basket(&basket, false);
    let v = sink.last();
    assert_eq!(
        v.lines,
        [
            DisplayLine {
                text: "Wasser 0,5 l".into(),
                quantity: 2,
                amount: Cents(198)
            },
            DisplayLine {
                text: "Brezel".into(),
                quantity: 1,
                amount: Cents(300)
            },
        ]
    );
    assert_eq!(v.total, Cents(498));
    // Every change is numbered, newest highest.
    let seqs: Vec<u64> = sink.0.lock().unwrap().iter().map(|v| v.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    // The cashier takes everything off again: idle.
    display.basket(&Basket::default(), false);
    assert_eq!(sink.last().phase, DisplayPhase::Idle);
    assert!(sink.last().lines.is_empty());
}

#[test]
fn a_cash_sale_shows_what_was_given_the_change_and_thanks_until_the_next_basket() {
    let (display, sink) = display(Duration::from_secs(3600));
    let basket = Basket {
        lines: vec![line("Wasser 0,5 l", 2, 99), line("Brezel", 1, 349)],
        card: None,
    };
    display.basket(&basket, true);
    assert_eq!(sink.last().phase, DisplayPhase::Paying);
    assert_eq!(sink.last().total, Cents(547));

    display.paid(&sale(
        &[("Wasser 0,5 l", 2, 99), ("Brezel", 1, 349)],
        vec![cash(547, 1000)],
    ));
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Paid);
    assert_eq!(v.total, Cents(547));
    assert_eq!(v.paid, Some(Cents(1000)));
    assert_eq!(v.change, Some(Cents(453)));
    assert_eq!(v.lines.len(), 2);

    // The cashier's window empties its basket after the sale: the thanks stay.
    let sent = sink.count();
    display.basket(&Basket::default(), false);
    assert_eq!(sink.count(), sent, "nothing new to show");
    assert_eq!(display.view().phase, DisplayPhase::Paid);

    // The next customer's first article ends them.
    display.basket(
        &Basket {
            lines: vec![line("Kaffee", 1, 250)],
            card: None,
        },
        false,
    );
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Basket);
    assert_eq!((v.paid, v.change), (None, None));
    assert_eq!(v.total, Cents(250));
}

#[test]
fn a_card_payment_shows_the_amount_paid_and_no_change() {
    let (display, sink) = display(THANKS_FOR);
    display.basket(
        &Basket {
            lines: vec![line("Kaffee", 1, 250)],
            card: None,
        },
        false,
    );
    display.paying();
    assert_eq!(sink.last().phase, DisplayPhase::Paying);
    let card = PaymentLine {
        label: "Karte".into(),
        amount_cents: 250,
        tendered_cents: None,
        change_cents: None,
    };
    display.paid(&sale(&[("Kaffee", 1, 250)], vec![card]));
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Paid);
    assert_eq!(v.paid, Some(Cents(250)));
    assert_eq!(v.change, None);
}

#[test]
fn a_declined_payment_shows_the_basket_again() {
    let (display, sink) = display(THANKS_FOR);
    let basket = Basket {
        lines: vec![line("Kaffee", 1, 250)],
        card: None,
    };
    display.basket(&basket, false);
    display.paying();
    display.not_paid();
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Basket);
    assert_eq!(v.total, Cents(250));
    // Not paying: nothing to undo.
    let sent = sink.count();
    display.not_paid();
    assert_eq!(sink.count(), sent);
}

#[tokio::test]
async fn thanks_give_way_to_idle_after_a_while() {
    let (display, sink) = display(Duration::from_millis(20));
    display.basket(
        &Basket {
            lines: vec![line("Kaffee", 1, 250)],
            card: None,
        },
        true,
    );
    display.paid(&sale(&[("Kaffee", 1, 250)], vec![cash(250, 500)]));
    assert_eq!(sink.last().phase, DisplayPhase::Paid);
    let deadline = Instant::now() + Duration::from_secs(10);
    while display.view().phase != DisplayPhase::Idle {
        assert!(Instant::now() < deadline, "still {:?}", display.view());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Idle);
    assert_eq!(v.shop_name, "Bäckerei Sonne");
    assert!(v.lines.is_empty() && v.paid.is_none() && v.change.is_none());
}

#[tokio::test]
async fn the_next_basket_is_not_cut_short_by_the_last_sales_thanks() {
    let (display, _sink) = display(Duration::from_millis(20));
    display.paid(&sale(&[("Kaffee", 1, 250)], vec![cash(250, 250)]));
    display.basket(
        &Basket {
            lines: vec![line("Tee", 1, 200)],
            card: None,
        },
        false,
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let v = display.view();
    assert_eq!(v.phase, DisplayPhase::Basket, "{v:?}");
    assert_eq!(v.total, Cents(200));
}

#[test]
fn a_qr_code_is_shown_with_its_amount_and_cleared() {
    let (display, sink) = display(THANKS_FOR);
    display.basket(
        &Basket {
            lines: vec![line("Kaffee", 1, 250)],
            card: None,
        },
        true,
    );
    let link = "http://127.0.0.1:8123/checkout/STX_ABC";
    display
        .show_qr(link, Cents(250), "2026-12-03T10:05:00+01:00")
        .unwrap();
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Paying);
    let qr = v.qr.expect("a QR block");
    assert_eq!(qr.link, link);
    assert_eq!(qr.amount_cents, Cents(250));
    assert_eq!(qr.expires_at, "2026-12-03T10:05:00+01:00");
    assert_eq!(Some(qr.svg), receipt::qr::svg(link));

    display.clear_qr();
    let v = sink.last();
    assert_eq!(v.qr, None);
    assert_eq!(v.phase, DisplayPhase::Paying);
    // Nothing to clear: nothing sent.
    let sent = sink.count();
    display.clear_qr();
    assert_eq!(sink.count(), sent);

    // A link no QR code holds is refused, and the view stays as it was.
    let e = display
        .show_qr(&"x".repeat(8_000), Cents(250), "2026-12-03T10:05:00+01:00")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert_eq!(sink.count(), sent);
}

#[test]
fn the_payments_outcome_takes_the_qr_code_away() {
    let (display, sink) = display(THANKS_FOR);
    let basket = Basket {
        lines: vec![line("Kaffee", 1, 250)],
        card: None,
    };
    display.basket(&basket, true);
    display
        .show_qr("https://pay.example/1", Cents(250), "2026-12-03T10:05:00Z")
        .unwrap();
    display.not_paid();
    assert_eq!(sink.last().qr, None);
    assert_eq!(sink.last().phase, DisplayPhase::Basket);

    display.basket(&basket, true);
    display
        .show_qr("https://pay.example/2", Cents(250), "2026-12-03T10:05:00Z")
        .unwrap();
    display.paid(&sale(&[("Kaffee", 1, 250)], vec![]));
    assert_eq!(sink.last().qr, None);
    assert_eq!(sink.last().paid, Some(Cents(250)), "the sale's total");
}

#[test]
fn the_shop_message_and_language_follow_the_settings() {
    let (display, sink) = display(THANKS_FOR);
    display.set_shop("Café Mond".into(), None);
    display.set_language(Language::En);
    let v = sink.last();
    assert_eq!(v.shop_name, "Café Mond");
    assert_eq!(v.message, None);
    assert_eq!(v.language, Language::En);
}

#[test]
fn a_display_connected_late_gets_the_current_view_at_once() {
    let display = CustomerDisplay::new("Laden".into(), None, Language::De, THANKS_FOR);
    display.basket(
        &Basket {
            lines: vec![line("Kaffee", 1, 250)],
            card: None,
        },
        false,
    );
    let sink = Arc::new(Recorder::default());
    display.connect(sink.clone());
    assert_eq!(sink.count(), 1);
    assert_eq!(sink.last(), display.view());
    assert_eq!(sink.last().total, Cents(250));
}

#[test]
fn the_owners_message_is_trimmed_and_checked() {
    let s = CustomerDisplaySettings {
        message: Some("  Schönen Tag!  ".into()),
        ..Default::default()
    }
    .validated()
    .unwrap();
    assert_eq!(s.message.as_deref(), Some("Schönen Tag!"));
    let blank = CustomerDisplaySettings {
        message: Some("   ".into()),
        ..Default::default()
    };
    assert_eq!(blank.validated().unwrap().message, None);
    for bad in ["ä".repeat(121), "Zeile 1\nZeile 2".to_string()] {
        let e = CustomerDisplaySettings {
            message: Some(bad),
            ..Default::default()
        }
        .validated()
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDisplayMessage);
        assert!(e.message.ends_with('.'));
    }
    // The settings file may lack the section's fields: the defaults fill them.
    let read: CustomerDisplaySettings =
        serde_json::from_value(serde_json::json!({"message": "Hallo"})).unwrap();
    assert!(read.open_at_start);
    assert_eq!(read.monitor, None);
}

#[test]
fn the_display_goes_to_the_remembered_monitor_else_the_one_beside_the_till() {
    let till = MonitorSpot {
        name: Some("eDP-1"),
        position: (0, 0),
    };
    let left = MonitorSpot {
        name: Some("HDMI-1"),
        position: (-1024, 0),
    };
    let right = MonitorSpot {
        name: Some("DP-2"),
        position: (1920, 0),
    };
    // One monitor: the till's; the display is opened from the settings.
    assert_eq!(pick_monitor(&[till], Some((0, 0)), None), None);
    // Two: the one that is not the primary, wherever it is in the list.
    assert_eq!(pick_monitor(&[till, right], Some((0, 0)), None), Some(1));
    assert_eq!(pick_monitor(&[right, till], Some((0, 0)), None), Some(0));
    // Three: the one remembered; gone, the first beside the till.
    assert_eq!(
        pick_monitor(&[till, left, right], Some((0, 0)), Some("DP-2")),
        Some(2)
    );
    assert_eq!(
        pick_monitor(&[till, left], Some((0, 0)), Some("DP-2")),
        Some(1)
    );
    // No primary known: the first monitor.
    assert_eq!(pick_monitor(&[left, right], None, None), Some(0));
}
