//! The application layer as the desktop drives it, without a window: a till
//! started in demo mode (the simulator on loopback, a real SQLite journal in a
//! temporary folder), settings and secrets in memory.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::basket;
use secuconnect_sandbox::{Outcome, SandboxConfig};
use till::Cents;
use till_app::commands::{card, closing, connection, sale, settings, status, tax_export};
use till_app::settings::{Environment, ShopSettings, KEY_SHOP};
use till_app::ErrorCode;

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shop_the_receipt_cannot_carry_is_refused_and_nothing_is_saved() {
    let host = common::start_demo().await;
    let bad = ShopSettings {
        vat_id: Some("DE12345".into()),
        ..ShopSettings::default()
    };
    let e = settings::save_shop(&host.state, bad, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidVatId);
    assert_eq!(serde_json::to_value(e.code).unwrap(), "invalid_vat_id");
    use till_app::settings::SettingsStore;
    assert_eq!(host.store.load(KEY_SHOP).unwrap(), None, "nothing saved");

    let good = ShopSettings {
        name: "  Bäckerei Sonne ".into(),
        ..ShopSettings::default()
    };
    let saved = settings::save_shop(&host.state, good, None).await.unwrap();
    assert_eq!(saved.shop.name, "Bäckerei Sonne");
    assert_eq!(
        host.state.shop().name,
        "Bäckerei Sonne",
        "the next receipt's header"
    );
    let kept = host.store.load(KEY_SHOP).unwrap().expect("saved");
    assert_eq!(kept["name"], "Bäckerei Sonne");
    // A section the till cannot read is named, and its defaults apply.
    host.store
        .save("printers", serde_json::json!("not a list"))
        .unwrap();
    let shown = settings::settings(&host.state).await.unwrap();
    assert!(shown.printers.is_empty());
    assert_eq!(shown.problems.len(), 1, "{:?}", shown.problems);
    assert!(shown.problems[0].contains("printers"));
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_environment_checks_first_and_saves_only_what_passed() {
    let host = common::start_demo().await;
    // Testing needs credentials: refused in words, nothing saved.
    let e = connection::set_environment(&host.state, Environment::Testing, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);
    use till_app::settings::SettingsStore;
    assert_eq!(host.store.load("connection").unwrap(), None);
    // The demo needs no pairing.
    let e = connection::pairing_start(&host.state, Environment::Demo, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);
    // Demo to demo is always allowed and saved.
    let shown = connection::set_environment(&host.state, Environment::Demo, None, None, None)
        .await
        .unwrap();
    assert_eq!(shown.connection.environment, Environment::Demo);
    assert_eq!(
        host.store.load("connection").unwrap().unwrap()["environment"],
        "demo"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_provider_is_reachable_by_one_rule() {
    let host = common::start_demo().await;
    status::catch_up(&host.state).await;
    assert!(status::till_status(&host.state).await.unwrap().online);
    assert!(host.state.link().last_sync.is_some());
    // The simulator drops every connection: a cash sale is queued, and
    // catching up cannot send it: offline.
    host.sandbox().set_offline(true);
    let sale = sale::pay_cash(&host.state, basket(250), None)
        .await
        .unwrap();
    assert!(sale.queued);
    status::catch_up(&host.state).await;
    let now = status::till_status(&host.state).await.unwrap();
    assert!(!now.online);
    assert_eq!(now.outbox_pending, 1);
    // Back: the queued sale is registered.
    host.sandbox().set_offline(false);
    status::catch_up(&host.state).await;
    let now = status::till_status(&host.state).await.unwrap();
    assert!(now.online);
    assert_eq!(now.outbox_pending, 0);
    assert!(secuconnect::Error::NotExecuted("refused".into()).unreachable());
    assert!(secuconnect::Error::OutcomeUnknown("timeout".into()).unreachable());
    assert!(!secuconnect::Error::Auth("refused".into()).unreachable());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_card_payment_is_never_settled_and_an_abort_is_told_from_a_decline() {
    let host = common::start_demo().await;
    host.sandbox()
        .configure(SandboxConfig {
            terminal_delay_ms: Some(20_000),
            ..Default::default()
        })
        .unwrap();
    let state = Arc::clone(&host.state);
    let paying = tokio::spawn(async move { card::pay_card(&state, basket(250)).await });
    until("the card payment to run", || host.state.card_running()).await;

    // While it runs: no switch, no restart, no second payment, and catching
    // up leaves it alone (it is not "pending" either).
    let e = connection::restart_allowed(&host.state).unwrap_err();
    assert_eq!(e.code, ErrorCode::SwitchCardRunning);
    let e = card::pay_card(&host.state, basket(300)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::TerminalBusy);
    status::sync_now(&host.state).await.unwrap();
    assert_eq!(host.state.journal().in_doubt().unwrap().len(), 1);
    assert!(
        !status::till_status(&host.state)
            .await
            .unwrap()
            .pending_card_payment
    );
    assert!(card::check_card_payment(&host.state)
        .await
        .unwrap()
        .is_none());

    let asked = card::abort_card_payment(&host.state).await.unwrap();
    assert!(asked.requested);
    let result = paying.await.unwrap().unwrap();
    assert_eq!(result.outcome, card::CardOutcome::Aborted);
    assert!(result.sale.is_none());
    assert!(!host.state.card_running());
    connection::restart_allowed(&host.state).unwrap();

    // The terminal declines the next one: declined, whatever its words.
    host.sandbox()
        .configure(SandboxConfig {
            terminal_delay_ms: Some(10),
            ..Default::default()
        })
        .unwrap();
    host.sandbox().next_terminal_outcome(Outcome::Declined);
    let result = card::pay_card(&host.state, basket(250)).await.unwrap();
    assert_eq!(result.outcome, card::CardOutcome::Declined);
    assert_eq!(result.message.as_deref(), Some("Zahlung abgelehnt"));
    // Paid: the sale is in the journal.
    let result = card::pay_card(&host.state, basket(250)).await.unwrap();
    assert_eq!(result.outcome, card::CardOutcome::Paid);
    assert_eq!(host.state.journal().in_doubt().unwrap().len(), 0);
}

#[test]
fn the_command_line_opens_the_journal_of_the_saved_environment() {
    use till_app::settings::{JsonFileStore, SettingsFile, KEY_CONNECTION, STORE_FILE};
    use till_app::startup::journal_path;
    let dir = tempfile::tempdir().unwrap();
    // Nothing saved, or a file that cannot be read: the demo journal.
    assert_eq!(journal_path(dir.path()), dir.path().join("journal.sqlite3"));
    std::fs::write(dir.path().join(STORE_FILE), "{not json").unwrap();
    assert_eq!(journal_path(dir.path()), dir.path().join("journal.sqlite3"));
    std::fs::remove_file(dir.path().join(STORE_FILE)).unwrap();

    let file = SettingsFile::new(Arc::new(JsonFileStore::new(dir.path().join(STORE_FILE))));
    let live = till_app::settings::ConnectionSettings {
        environment: Environment::Live,
        ..Default::default()
    };
    file.put(KEY_CONNECTION, &live).unwrap();
    assert_eq!(file.connection(), live);
    // The store plugin's format: one object, a key per section.
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(STORE_FILE)).unwrap()).unwrap();
    assert_eq!(raw["connection"]["environment"], "live");
    assert_eq!(
        journal_path(dir.path()),
        dir.path().join("journal-live.sqlite3")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_mode_signs_each_sale_with_the_built_in_tse_and_the_status_bar_shows_it() {
    let host = common::start_demo().await;
    let before = status::till_status(&host.state).await.unwrap();
    assert_eq!(before.tse.state, status::TseState::Unknown);
    let sale = sale::pay_cash(&host.state, basket(250), None)
        .await
        .unwrap();
    let Some(receipt::TseBlock::Signed {
        tss_serial,
        client_serial,
        qr_code_data,
        ..
    }) = &sale.receipt.tse
    else {
        panic!("not signed: {:?}", sale.receipt.tse);
    };
    assert_eq!(client_serial, fiskaly_sandbox::DEMO_CLIENT_SERIAL);
    assert!(qr_code_data.starts_with("V0;SMART-TILL-DEMO-1;Kassenbeleg-V1;Beleg^"));
    assert!(sale.receipt_text.contains("TSE-Seriennummer:"));
    let now = status::till_status(&host.state).await.unwrap();
    assert_eq!(now.tse.state, status::TseState::Ready);
    assert_eq!(now.tse.serial.as_deref(), Some(tss_serial.as_str()));

    // The TSE down: the sale completes, its receipt and the status bar say so.
    let tse = host.state.tse_sandbox.as_ref().expect("demo mode");
    tse.set_offline(true).await;
    let sale = sale::pay_cash(&host.state, basket(300), None)
        .await
        .unwrap();
    assert_eq!(sale.receipt.tse, Some(receipt::TseBlock::Failed));
    assert!(sale.receipt_text.contains("TSE ausgefallen"));
    let now = status::till_status(&host.state).await.unwrap();
    assert_eq!(now.tse.state, status::TseState::Failed);
    assert!(now.tse.problem.is_some());
    tse.set_offline(false).await;
    sale::pay_cash(&host.state, basket(300), None)
        .await
        .unwrap();
    let now = status::till_status(&host.state).await.unwrap();
    assert_eq!(now.tse.state, status::TseState::Ready);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tax_export_goes_where_the_save_dialog_says_and_nowhere_when_it_is_closed() {
    let (dir, state) = common::demo_till().await.into_parts();
    let no_dialog = |_: String| async { panic!("no dialog for a day that is not one") };
    let e = tax_export::export_dsfinvk(&state, "3.12.2026", "2026-12-03", no_dialog, |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);

    sale::pay_cash(&state, basket(250), None).await.unwrap();
    let day = closing::close_day(&state, Cents(250), None, None, None)
        .await
        .unwrap()
        .business_day;
    let offered = Mutex::new(Vec::new());
    let closed_dialog = |name: String| {
        offered.lock().unwrap().push(name);
        async { Ok(None) }
    };
    let none = tax_export::export_dsfinvk(&state, &day, &day, closed_dialog, |_| {}).await;
    assert!(none.unwrap().is_none());
    let name = format!("DSFinV-K_{}_{day}_{day}.zip", state.till_id);
    assert_eq!(
        offered.lock().unwrap().as_slice(),
        std::slice::from_ref(&name)
    );
    assert!(!dir.path().join(&name).exists());

    let zip = dir.path().join(&name);
    let percents = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&percents);
    let picked = |_: String| async { Ok(Some(zip.clone())) };
    let done = tax_export::export_dsfinvk(&state, &day, &day, picked, move |p| {
        seen.lock().unwrap().push(p)
    })
    .await
    .unwrap()
    .expect("exported");
    assert!(done.zip);
    assert_eq!(done.closings, [1]);
    assert_eq!(done.receipts, 1);
    assert_eq!(std::fs::metadata(&zip).unwrap().len(), done.bytes);
    assert_eq!(percents.lock().unwrap().last(), Some(&100));
}
