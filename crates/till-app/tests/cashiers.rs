//! The catalogue and the cashiers in the running till: a demo till on a
//! temporary folder (real SQLite journal and catalogue files, the simulators
//! on loopback), driven through the commands.

use std::sync::Arc;

use catalog::demo::{DEMO_CASHIER_PIN, DEMO_MANAGER_PIN};
use catalog::{Action, Role, ScanOutcome};
use till::journal::kind;
use till::{Cents, Journal};
use till_app::cashier;
use till_app::commands::catalog as sale_catalog;
use till_app::secrets::MemorySecrets;
use till_app::settings::{Environment, MemoryStore};
use till_app::startup::{open_catalog, start, Dirs};
use till_app::{AppState, ErrorCode};

struct Host {
    dir: tempfile::TempDir,
    state: Arc<AppState>,
}

async fn demo_till() -> Host {
    let dir = tempfile::tempdir().unwrap();
    let dirs = Dirs {
        data: dir.path().to_path_buf(),
        logs: dir.path().join("logs"),
    };
    let state = start(
        &dirs,
        Arc::new(MemoryStore::default()),
        Arc::new(MemorySecrets::default()),
    )
    .await
    .expect("the demo till starts");
    Host {
        dir,
        state: Arc::new(state),
    }
}

fn code(e: till_app::CommandError) -> ErrorCode {
    e.code
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_mode_starts_with_the_demo_shop_and_its_manager_logged_in() {
    let host = demo_till().await;
    let s = &host.state;
    let me = s.cashier().expect("logged in at start");
    assert_eq!((me.name.as_str(), me.role), ("Demo Chefin", Role::Manager));
    let groups = sale_catalog::sale_groups(s).unwrap();
    assert_eq!(groups.len(), 6);
    let articles = sale_catalog::articles(s).unwrap();
    assert!(
        articles.iter().any(|a| a.text == "Brötchen"),
        "{articles:?}"
    );
    // The demo catalogue's changes are in the journal, each naming who made it.
    let changes = s.journal().entries(Some(kind::CATALOG_CHANGE)).unwrap();
    assert!(changes.len() >= 16, "{}", changes.len());
    assert_eq!(changes[0].body["by"]["name"], "Demo Chefin");
    // The catalogue sits beside the journal.
    assert!(host.dir.path().join("catalog.sqlite3").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn scans_find_articles_by_ean_and_price_labels_carry_their_price() {
    let host = demo_till().await;
    let s = &host.state;
    // The water's EAN (its check digit corrected in the demo catalogue).
    let water = sale_catalog::article_by_code(s, "4999012345673")
        .unwrap()
        .expect("found");
    assert_eq!(
        (water.text.as_str(), water.price),
        ("Wasser 0,25 l", Cents(99))
    );
    // A cake price label: 2,39 € in the code.
    let label = catalog::codes::embed(catalog::demo::DEMO_PRICE_BASE, 239).unwrap();
    match sale_catalog::scan(s, &label).unwrap() {
        ScanOutcome::Found(hit) => {
            assert_eq!(hit.unit_price, Cents(239));
            assert!(!hit.needs_price);
        }
        other => panic!("{other:?}"),
    }
    let cake = sale_catalog::article_by_code(s, &label).unwrap().unwrap();
    assert_eq!(cake.price, Cents(239));
    // An unknown but valid code says so.
    match sale_catalog::scan(s, "4006381333931").unwrap() {
        ScanOutcome::Unknown { code, .. } => assert_eq!(code, "4006381333931"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sale_catalog::article_by_code(s, "4006381333931").unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cashier_needs_a_managers_pin_on_the_spot_and_the_journal_names_both() {
    let host = demo_till().await;
    let s = &host.state;
    // The manager may do it alone.
    assert_eq!(
        cashier::authorise(s, Action::CancelSale, Cents(500), None).unwrap(),
        None
    );
    let kasse = cashier::login(s, DEMO_CASHIER_PIN).unwrap();
    assert_eq!(kasse.role, Role::Cashier);
    // A cashier sells alone...
    assert_eq!(
        cashier::authorise(s, Action::Sell, Cents(500), None).unwrap(),
        None
    );
    // ...but cancels only with a manager's PIN.
    let no_pin = cashier::authorise(s, Action::CancelSale, Cents(500), None).unwrap_err();
    assert_eq!(code(no_pin), ErrorCode::ManagerRequired);
    let own_pin =
        cashier::authorise(s, Action::CancelSale, Cents(500), Some(DEMO_CASHIER_PIN)).unwrap_err();
    assert_eq!(code(own_pin), ErrorCode::NotAManager);
    let wrong = cashier::authorise(s, Action::CancelSale, Cents(500), Some("9182")).unwrap_err();
    assert_eq!(code(wrong), ErrorCode::WrongPin);
    let auth = cashier::authorise(s, Action::CancelSale, Cents(500), Some(DEMO_MANAGER_PIN))
        .unwrap()
        .expect("a manager allowed it");
    assert_eq!(auth.manager_name, "Demo Chefin");
    // Still the cashier's session: the PIN on the spot did not log the manager in.
    assert_eq!(s.cashier().unwrap().name, "Demo Kasse");

    let journal = s.journal();
    let auths = journal.entries(Some(kind::AUTHORISATION)).unwrap();
    assert_eq!(auths.len(), 1);
    assert_eq!(auths[0].body["manager_name"], "Demo Chefin");
    assert_eq!(auths[0].body["action"], "cancel_sale");
    assert_eq!(auths[0].cashier.as_ref().unwrap().name, "Demo Kasse");
    let logins = journal.entries(Some(kind::LOGIN)).unwrap();
    assert_eq!(
        logins
            .iter()
            .map(|e| e.cashier.as_ref().unwrap().name.as_str())
            .collect::<Vec<_>>(),
        ["Demo Chefin", "Demo Kasse"]
    );
    // The chain holds with the cashiers in it.
    assert_eq!(journal.verify().unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_till_refuses_until_a_pin_and_wrong_pins_slow_it_down() {
    let host = demo_till().await;
    let s = &host.state;
    cashier::lock(s).unwrap();
    let e = cashier::authorise(s, Action::Sell, Cents(0), None).unwrap_err();
    assert_eq!(code(e), ErrorCode::NotLoggedIn);
    for _ in 0..3 {
        assert_eq!(
            code(cashier::login(s, "9182").unwrap_err()),
            ErrorCode::WrongPin
        );
    }
    // The third wrong PIN starts the wait; while it runs not even the right one is tried.
    assert_eq!(
        code(cashier::login(s, DEMO_MANAGER_PIN).unwrap_err()),
        ErrorCode::PinLocked
    );
    assert!(cashier::session_info(s).unwrap().cashier.is_none());
}

#[test]
fn a_testing_or_live_till_starts_with_an_empty_catalogue_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let live = open_catalog(dir.path(), Environment::Live).unwrap();
    assert!(live.all_articles().unwrap().is_empty());
    assert!(
        !live.has_manager().unwrap(),
        "the first start asks for the owner"
    );
    let demo = open_catalog(dir.path(), Environment::Demo).unwrap();
    assert!(!demo.all_articles().unwrap().is_empty());
    assert!(dir.path().join("catalog-live.sqlite3").exists());
    assert!(dir.path().join("catalog.sqlite3").exists());
    // The journal of a till knows nothing of another's catalogue.
    let journal = Journal::open(&dir.path().join("journal-live.sqlite3")).unwrap();
    assert!(journal
        .entries(Some(kind::CATALOG_CHANGE))
        .unwrap()
        .is_empty());
}
