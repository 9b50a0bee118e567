//! The catalogue and the cashiers in the running till: a demo till on a
//! temporary folder (real SQLite journal and catalogue files, the simulators
//! on loopback), driven through the commands.

mod common;

use catalog::demo::{DEMO_CASHIER_PIN, DEMO_MANAGER_PIN};
use catalog::{Action, Role, ScanOutcome};
use common::demo_till;
use till::journal::kind;
use till::{Cents, Journal};
use till_app::cashier;
use till_app::commands::catalog as sale_catalog;
use till_app::settings::Environment;
use till_app::startup::open_catalog;
use till_app::ErrorCode;

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
    // The idle lock is a manager's setting; what is not given stays.
    use till_app::commands::cashiers;
    let saved = cashiers::save_cashier_settings(s, Some(10), None, None).unwrap();
    assert_eq!(saved.lock_after_minutes, 10);
    assert_eq!(saved.limits, catalog::Limits::default());
    assert_eq!(cashier::session_info(s).unwrap().lock_after_minutes, 10);
    let e = cashiers::save_cashier_settings(s, Some(100_000), None, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSettings);
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
    assert_eq!(cake.weighed, None);
    // A weight label: 0,250 kg of pralines; the weight and the price per kg
    // go with the line as data (the tax export's quantity and unit price).
    let label = catalog::codes::embed(catalog::demo::DEMO_WEIGHT_BASE, 250).unwrap();
    let pralines = sale_catalog::article_by_code(s, &label).unwrap().unwrap();
    let weighed = pralines.weighed.expect("weighed");
    assert_eq!(weighed.grams, 250);
    assert_eq!(weighed.price(), Some(pralines.price));
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

fn basket(text: &str, cents: i64) -> till::Basket {
    till::Basket {
        lines: vec![till::BasketLine::article(
            text,
            1,
            Cents(cents),
            till::VatRate::Standard,
        )],
        card: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cashiers_sale_names_them_and_their_cancellation_asks_for_a_manager() {
    use till_app::commands::{closing, journal, sale};
    let host = demo_till().await;
    let s = &host.state;
    cashier::login(s, DEMO_CASHIER_PIN).unwrap();
    let sold = sale::pay_cash(s, basket("Kaffee", 220), Some(Cents(500)))
        .await
        .unwrap();
    assert_eq!(sold.receipt.served_by.as_deref(), Some("Demo Kasse"));
    assert!(
        sold.receipt_text.contains("Es bediente Sie: Demo Kasse"),
        "{}",
        sold.receipt_text
    );
    let e = journal::cancel_sale(s, &sold.sale_id, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ManagerRequired);
    let e = journal::cancel_sale(s, &sold.sale_id, None, Some(DEMO_CASHIER_PIN.into()))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotAManager);
    journal::cancel_sale(s, &sold.sale_id, None, Some(DEMO_MANAGER_PIN.into()))
        .await
        .expect("a manager's PIN on the spot is enough");
    // The manager sells one more.
    cashier::login(s, DEMO_MANAGER_PIN).unwrap();
    sale::pay_cash(s, basket("Croissant", 129), None)
        .await
        .unwrap();
    let day = closing::day_summary(s).await.unwrap();
    let by: Vec<(Option<&str>, i64, i64, Cents)> = day
        .by_cashier
        .iter()
        .map(|c| (c.name.as_deref(), c.sales, c.cancellations, c.total))
        .collect();
    assert_eq!(
        by,
        [
            (Some("Demo Kasse"), 1, 1, Cents(0)),
            (Some("Demo Chefin"), 1, 0, Cents(129))
        ]
    );
    // A cashier cannot close the day alone; the closing keeps the takings per cashier.
    cashier::login(s, DEMO_CASHIER_PIN).unwrap();
    let e = closing::close_day(s, Cents(129), None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ManagerRequired);
    let closed = closing::close_day(s, Cents(129), None, None, Some(DEMO_MANAGER_PIN.into()))
        .await
        .unwrap();
    assert!(
        closed.report_text.contains("Umsatz je Kassierer"),
        "{}",
        closed.report_text
    );
    assert!(
        closed.report_text.contains("Demo Kasse (2x)"),
        "{}",
        closed.report_text
    );
    assert_eq!(s.journal().verify().unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_managers_article_is_sold_by_its_ean_and_the_journal_explains_its_price() {
    use till_app::commands::articles;
    let host = demo_till().await;
    let s = &host.state;
    cashier::login(s, DEMO_CASHIER_PIN).unwrap();
    let mut draft =
        catalog::ArticleDraft::new("777", "Apfelsaft 1 l", Cents(189), till::VatRate::Standard);
    draft.eans = vec!["4006381333931".into()];
    let e = articles::save_article(s, None, draft.clone(), None).unwrap_err();
    assert_eq!(e.code, ErrorCode::ManagerRequired);
    let saved = articles::save_article(s, None, draft, Some(DEMO_MANAGER_PIN.into())).unwrap();
    let sold = sale_catalog::article_by_code(s, "4006381333931")
        .unwrap()
        .unwrap();
    assert_eq!(
        (sold.article_number.as_str(), sold.price),
        ("777", Cents(189))
    );
    let change = s
        .journal()
        .last_recorded(kind::CATALOG_CHANGE)
        .unwrap()
        .unwrap();
    assert_eq!(change["entity_id"], saved.id.to_string());
    assert_eq!(change["by"]["name"], "Demo Chefin");
    // Deactivated, it no longer sells.
    articles::set_article_active(s, saved.id, false, Some(DEMO_MANAGER_PIN.into())).unwrap();
    assert_eq!(
        sale_catalog::article_by_code(s, "4006381333931").unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_file_is_previewed_then_imported_all_or_nothing() {
    use till_app::commands::articles;
    let host = demo_till().await;
    let s = &host.state;
    let good = "Artikelnummer;EAN;Bezeichnung;Preis;MwSt\r\n9001;4006381333931;Limo;1,50;19\r\n";
    let bad = format!("{good}9002;;Brause;zwei;19\r\n");
    let summary = articles::import_preview(s, bad.replace("\r\n", "\n").into_bytes()).unwrap();
    assert_eq!((summary.new, summary.bad.len()), (1, 1));
    assert_eq!(summary.bad[0].line, 3, "{:?}", summary.bad);
    articles::import_preview(s, bad.clone().into_bytes()).unwrap();
    assert_eq!(
        summary.bad[0].problems,
        vec![catalog::import::LineProblem::PriceNotANumber {
            value: "zwei".into()
        }],
    );
    let e = articles::import_apply(s, false, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::ImportHasBadLines);
    assert_eq!(
        sale_catalog::article_by_code(s, "4006381333931").unwrap(),
        None,
        "nothing half-imported"
    );
    articles::import_preview(s, bad.into_bytes()).unwrap();
    let done = articles::import_apply(s, true, None).unwrap();
    assert_eq!((done.created, done.skipped_bad_lines), (1, 1));
    let limo = sale_catalog::article_by_code(s, "4006381333931")
        .unwrap()
        .unwrap();
    assert_eq!(limo.price, Cents(150));

    // The command line's import and export, on a catalogue file of their own.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.csv");
    std::fs::write(&file, good).unwrap();
    // A data folder the till never made is made.
    let cat = dir.path().join("data").join("catalog.sqlite3");
    let (report, ok) = articles::import_file_at(&cat, &file, true).unwrap();
    assert!(ok && report.contains("1 new"), "{report}");
    let (_, ok) = articles::import_file_at(&cat, &file, false).unwrap();
    assert!(ok);
    let (report, _) = articles::import_file_at(&cat, &file, false).unwrap();
    assert!(report.contains("0 new, 0 changed, 1 unchanged"), "{report}");
    std::fs::write(&file, "Artikelnummer;Bezeichnung;Preis\n1;;x\n").unwrap();
    let (report, ok) = articles::import_file_at(&cat, &file, false).unwrap();
    assert!(!ok && report.contains("line 2"), "{report}");
    // One bad line is said in the singular.
    assert!(report.contains("0 unchanged, 1 bad line\n"), "{report}");
    let out = dir.path().join("out.csv");
    articles::export_file_at(&cat, &out).unwrap();
    let text = String::from_utf8(std::fs::read(&out).unwrap()).unwrap();
    assert!(text.contains("9001;4006381333931;Limo;1,50"), "{text}");
    assert!(
        articles::export_file_at(&cat, &out).is_err(),
        "never overwritten"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_demo_folder_imported_into_before_the_first_start_has_the_demo_shop_once() {
    use till_app::commands::articles;
    use till_app::secrets::MemorySecrets;
    use till_app::settings::MemoryStore;
    use till_app::startup::{catalog_path, start, Dirs};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("artikel.csv");
    std::fs::write(
        &file,
        "Artikelnummer;EAN;Bezeichnung;Preis;MwSt\n9001;4006381333931;Limo;1,50;19\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    // The shop feeds the till from its merchandise system before it ever started.
    let (report, ok) = articles::import_file_at(&catalog_path(&data), &file, false).unwrap();
    assert!(ok && report.contains("1 created"), "{report}");
    assert!(
        report.contains("0 groups created, 0 bad lines left out"),
        "{report}"
    );
    let dirs = Dirs {
        data: data.clone(),
        logs: data.join("logs"),
    };
    let open = || async {
        start(
            &dirs,
            std::sync::Arc::new(MemoryStore::default()),
            std::sync::Arc::new(MemorySecrets::default()),
        )
        .await
        .expect("the demo till starts")
    };
    let s = open().await;
    // The demo shop is there, its manager logged in, and the imported article too.
    assert_eq!(s.cashier().unwrap().name, "Demo Chefin");
    assert_eq!(sale_catalog::sale_groups(&s).unwrap().len(), 6);
    let sold = sale_catalog::articles(&s).unwrap();
    assert!(sold.iter().any(|a| a.text == "Brötchen"), "{sold:?}");
    assert!(sold.iter().any(|a| a.text == "Limo"), "{sold:?}");
    let seeded = s.catalog().changes_since(0, 10_000).unwrap().len();
    drop(s);
    // Started again, the demo is not seeded a second time.
    let s = open().await;
    assert_eq!(s.catalog().changes_since(0, 10_000).unwrap().len(), seeded);
    assert_eq!(
        sale_catalog::articles(&s).unwrap().len(),
        till::catalog::demo_articles().len() + 3
    );
}
