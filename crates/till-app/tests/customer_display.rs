//! The customer display driven by the real commands: a demo till (the
//! simulator on loopback, a real SQLite journal), its display connected to a
//! sink that records what the display's window would get.

mod common;

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use common::basket;
use secuconnect_sandbox::{Outcome, SandboxConfig};
use till::Cents;
use till_app::commands::customer_display::DisplayWindow;
use till_app::commands::{card, customer_display, sale, settings};
use till_app::customer_display::{
    CustomerDisplaySettings, CustomerView, DisplayPhase, DisplaySink, MonitorSpot,
};
use till_app::settings::Language;
use till_app::{AppState, ErrorCode};

#[derive(Default)]
struct Recorder(Mutex<Vec<CustomerView>>);

impl DisplaySink for Recorder {
    fn show(&self, view: &CustomerView) {
        self.0.lock().unwrap().push(view.clone());
    }
}

impl Recorder {
    fn last(&self) -> CustomerView {
        self.0.lock().unwrap().last().cloned().unwrap()
    }
}

/// A demo till (the common one) whose display reports to a [`Recorder`].
async fn till() -> (tempfile::TempDir, Arc<AppState>, Arc<Recorder>) {
    let (dir, state) = common::demo_till().await.into_parts();
    let sink = Arc::new(Recorder::default());
    state.display.connect(sink.clone());
    (dir, state, sink)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cash_sale_reaches_the_display_with_its_change() {
    let (_dir, state, sink) = till().await;
    assert_eq!(sink.last().phase, DisplayPhase::Idle);
    assert_eq!(sink.last().shop_name, "Smart Till Demo-Café");

    customer_display::customer_basket(&state, basket(250), false).unwrap();
    assert_eq!(sink.last().phase, DisplayPhase::Basket);
    customer_display::customer_basket(&state, basket(250), true).unwrap();
    assert_eq!(sink.last().phase, DisplayPhase::Paying);

    let paid = sale::pay_cash(&state, basket(250), Some(Cents(500)))
        .await
        .unwrap();
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Paid);
    assert_eq!(v.total, paid.total);
    assert_eq!(v.paid, Some(Cents(500)));
    assert_eq!(v.change, Some(Cents(250)));
    assert_eq!(v.lines.len(), 1);
    assert_eq!(v.lines[0].text, "Kaffee");

    // Too little cash: the sale stays open, the display shows the basket again.
    customer_display::customer_basket(&state, basket(900), true).unwrap();
    let e = sale::pay_cash(&state, basket(900), Some(Cents(500)))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotEnoughCash);
    assert_eq!(sink.last().phase, DisplayPhase::Basket);
    assert_eq!(sink.last().total, Cents(900));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_card_payment_shows_paying_then_paid_and_a_declined_one_the_basket() {
    let (_dir, state, sink) = till().await;
    state
        .sandbox
        .as_ref()
        .unwrap()
        .state
        .configure(SandboxConfig {
            terminal_delay_ms: Some(10),
            ..Default::default()
        })
        .unwrap();
    customer_display::customer_basket(&state, basket(250), false).unwrap();
    state
        .sandbox
        .as_ref()
        .unwrap()
        .state
        .next_terminal_outcome(Outcome::Declined);
    let result = card::pay_card(&state, basket(250)).await.unwrap();
    assert_eq!(result.outcome, card::CardOutcome::Declined);
    let views = sink.0.lock().unwrap().clone();
    assert!(
        views.iter().any(|v| v.phase == DisplayPhase::Paying),
        "paying was shown while the terminal ran"
    );
    assert_eq!(sink.last().phase, DisplayPhase::Basket);

    let result = card::pay_card(&state, basket(250)).await.unwrap();
    assert_eq!(result.outcome, card::CardOutcome::Paid);
    let v = sink.last();
    assert_eq!(v.phase, DisplayPhase::Paid);
    assert_eq!(v.paid, Some(Cents(250)));
    assert_eq!(v.change, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owners_message_and_the_language_reach_the_display() {
    let (_dir, state, sink) = till().await;
    let saved = customer_display::save_customer_display(
        &state,
        CustomerDisplaySettings {
            message: Some(" Heute frische Brötchen! ".into()),
            open_at_start: true,
            monitor: Some("ignored: the till remembers it".into()),
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        saved.customer_display.message.as_deref(),
        Some("Heute frische Brötchen!")
    );
    assert_eq!(saved.customer_display.monitor, None);
    assert_eq!(
        sink.last().message.as_deref(),
        Some("Heute frische Brötchen!")
    );

    customer_display::remember_placement(&state, true, Some("HDMI-1".into())).unwrap();
    let s = settings::load(&state);
    assert_eq!(s.customer_display.monitor.as_deref(), Some("HDMI-1"));
    assert_eq!(
        s.customer_display.message.as_deref(),
        Some("Heute frische Brötchen!")
    );

    settings::set_language(&state, Language::En).await.unwrap();
    assert_eq!(sink.last().language, Language::En);

    // A new shop name reaches the display at once; the message stays.
    let shop = till_app::settings::ShopSettings {
        name: "Bäckerei Sonne".into(),
        ..Default::default()
    };
    settings::save_shop(&state, shop, None).await.unwrap();
    assert_eq!(sink.last().shop_name, "Bäckerei Sonne");
    assert_eq!(
        sink.last().message.as_deref(),
        Some("Heute frische Brötchen!")
    );

    let e = customer_display::save_customer_display(
        &state,
        CustomerDisplaySettings {
            message: Some("Zeile\nZeile".into()),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidDisplayMessage);
    assert_eq!(
        customer_display::customer_view(&state).message.as_deref(),
        Some("Heute frische Brötchen!")
    );
}

/// A desktop with monitors `(name, x)` side by side, the first the primary:
/// it records where the display's window was made.
#[derive(Default)]
struct Desk {
    monitors: Vec<(Option<&'static str>, i32)>,
    /// `Some(None)`: made as a plain window; `Some(Some(name))`: on that monitor.
    built: RefCell<Option<Option<Option<&'static str>>>>,
    open: RefCell<bool>,
    fronted: RefCell<bool>,
    refuse: bool,
}

impl DisplayWindow for Desk {
    type Monitor = (Option<&'static str>, i32);
    fn monitors(&self) -> Vec<Self::Monitor> {
        self.monitors.clone()
    }
    fn spot<'m>(&self, m: &'m Self::Monitor) -> MonitorSpot<'m> {
        MonitorSpot {
            name: m.0,
            position: (m.1, 0),
        }
    }
    fn primary(&self) -> Option<(i32, i32)> {
        self.monitors.first().map(|m| (m.1, 0))
    }
    fn is_open(&self) -> bool {
        *self.open.borrow()
    }
    fn bring_to_front(&self) {
        *self.fronted.borrow_mut() = true;
    }
    fn build(&self, monitor: Option<&Self::Monitor>) -> Result<(), String> {
        if self.refuse {
            return Err("no display server".into());
        }
        *self.built.borrow_mut() = Some(monitor.map(|m| m.0));
        *self.open.borrow_mut() = true;
        Ok(())
    }
    fn destroy(&self) {
        *self.open.borrow_mut() = false;
    }
}

fn desk(monitors: &[(Option<&'static str>, i32)]) -> Desk {
    Desk {
        monitors: monitors.to_vec(),
        ..Default::default()
    }
}

const TWO: &[(Option<&str>, i32)] = &[(Some("eDP-1"), 0), (Some("HDMI-1"), 1920)];

#[tokio::test(flavor = "multi_thread")]
async fn the_display_opens_on_the_second_monitor_and_the_till_remembers_it() {
    let (_dir, state, _sink) = till().await;
    let one = desk(&[(Some("eDP-1"), 0)]);
    assert!(customer_display::open_display(&state, &one).unwrap());
    assert_eq!(
        *one.built.borrow(),
        Some(None),
        "one monitor: a plain window"
    );
    let stored = settings::load(&state).customer_display;
    assert!(stored.open_at_start);
    assert_eq!(stored.monitor, None);

    let two = desk(TWO);
    customer_display::open_display(&state, &two).unwrap();
    assert_eq!(*two.built.borrow(), Some(Some(Some("HDMI-1"))));
    let stored = settings::load(&state).customer_display;
    assert_eq!(stored.monitor.as_deref(), Some("HDMI-1"));

    // Open already: brought to the front, not made twice.
    *two.built.borrow_mut() = None;
    assert!(customer_display::open_display(&state, &two).unwrap());
    assert!(*two.fronted.borrow());
    assert_eq!(*two.built.borrow(), None);

    // Closed: the till starts without it, the monitor stays remembered.
    assert!(!customer_display::close_display(&state, &two).unwrap());
    assert!(!two.is_open());
    let stored = settings::load(&state).customer_display;
    assert!(!stored.open_at_start);
    assert_eq!(stored.monitor.as_deref(), Some("HDMI-1"));

    let refusing = Desk {
        refuse: true,
        ..desk(TWO)
    };
    let e = customer_display::open_display(&state, &refusing).unwrap_err();
    assert_eq!(e.code, ErrorCode::Io);
    assert!(e.message.contains("no display server"), "{}", e.message);
    assert!(!settings::load(&state).customer_display.open_at_start);
}

#[tokio::test(flavor = "multi_thread")]
async fn at_start_the_display_opens_only_when_asked_and_on_a_monitor_of_its_own() {
    let (_dir, state, _sink) = till().await;
    let three = desk(&[
        (Some("eDP-1"), 0),
        (Some("HDMI-1"), 1920),
        (Some("DP-2"), 3840),
    ]);
    // Closed when the till last ran.
    customer_display::remember_placement(&state, false, None).unwrap();
    customer_display::open_at_start(&state, &three);
    assert_eq!(*three.built.borrow(), None, "not asked to open at start");

    customer_display::remember_placement(&state, true, Some("DP-2".into())).unwrap();
    let one = desk(&[(Some("eDP-1"), 0)]);
    customer_display::open_at_start(&state, &one);
    assert_eq!(
        *one.built.borrow(),
        None,
        "no window beside the till's unasked"
    );

    customer_display::open_at_start(&state, &three);
    assert_eq!(*three.built.borrow(), Some(Some(Some("DP-2"))));

    // The remembered monitor is gone: the first that is not the till's.
    customer_display::open_at_start(&state, &desk(TWO));
    let stored = settings::load(&state).customer_display;
    assert_eq!(stored.monitor.as_deref(), Some("HDMI-1"));
    assert!(stored.open_at_start);
}
