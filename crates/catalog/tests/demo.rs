//! The demo shop: its articles come from the till's demo list, in groups, with a cashier
//! and a manager whose PINs the README gives.

mod common;

use catalog::demo::{DEMO_CASHIER_PIN, DEMO_MANAGER_PIN};
use catalog::{Role, ScanOutcome};
use common::shop;
use till::money::Cents;

#[test]
fn the_demo_shop() {
    let mut s = shop();
    s.catalog.load_demo().unwrap();
    let articles = s.catalog.all_articles().unwrap();
    for a in till::catalog::demo_articles() {
        let ours = articles
            .iter()
            .find(|x| x.number == a.article_number)
            .expect("every demo article");
        assert_eq!(
            (ours.text.as_str(), ours.price, ours.vat),
            (a.text.as_str(), a.price, a.vat)
        );
        assert!(ours.group.is_some(), "{} has a group", a.text);
    }
    assert_eq!(articles.len(), till::catalog::demo_articles().len() + 2);
    // the provider's sample EAN with its check digit put right
    let water = s.catalog.article_by_number("51").unwrap().unwrap();
    assert_eq!(water.eans, ["4999012345673"]);
    // 300 g of pralines from the scale: 59,90 €/kg × 0,3 kg = 17,97 €
    let label = catalog::codes::embed(catalog::demo::DEMO_WEIGHT_BASE, 300).unwrap();
    match s.catalog.scan(&label).unwrap() {
        ScanOutcome::Found(hit) => assert_eq!(hit.unit_price, Cents(1797)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        s.catalog.login("demo", DEMO_CASHIER_PIN).unwrap().role,
        Role::Cashier
    );
    assert_eq!(
        s.catalog.login("demo", DEMO_MANAGER_PIN).unwrap().role,
        Role::Manager
    );
    // loading again changes nothing
    let changes = s.catalog.changes_since(0, 1000).unwrap().len();
    s.catalog.load_demo().unwrap();
    assert_eq!(s.catalog.changes_since(0, 1000).unwrap().len(), changes);
}

#[test]
fn the_demo_shop_is_seeded_once_even_around_articles_imported_before() {
    use catalog::ApplyMode;
    let mut s = shop();
    // The shop's merchandise system imports before the till ever started:
    // its water (the demo's number 51) at its own price, in the demo's group code.
    let csv = "Artikelnummer;Bezeichnung;Preis;MwSt;Warengruppe\n51;Wasser still;1,20;19;30\n9001;Limo;1,50;19;30\n";
    let preview = s.catalog.preview_import(csv.as_bytes()).unwrap();
    assert!(preview.bad.is_empty(), "{:?}", preview.bad);
    s.catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &common::owner())
        .unwrap();
    assert!(!s.catalog.demo_seeded().unwrap());

    s.catalog.load_demo().unwrap();
    assert!(s.catalog.demo_seeded().unwrap());
    // The demo shop is there: its cashiers, groups and the articles not imported.
    assert_eq!(
        s.catalog.login("demo", DEMO_MANAGER_PIN).unwrap().role,
        Role::Manager
    );
    assert_eq!(s.catalog.groups().unwrap().len(), 6);
    assert!(s.catalog.article_by_number("1001").unwrap().is_some());
    assert!(s.catalog.article_by_number("5001").unwrap().is_some());
    // What was imported wins.
    let water = s.catalog.article_by_number("51").unwrap().unwrap();
    assert_eq!(
        (water.text.as_str(), water.price),
        ("Wasser still", Cents(120))
    );
    assert!(s.catalog.article_by_number("9001").unwrap().is_some());
    let articles = s.catalog.all_articles().unwrap().len();
    assert_eq!(articles, till::catalog::demo_articles().len() + 2 + 1);

    // Once in the catalogue's life: what the shop deactivates stays so, after a restart too.
    let croissant = s.catalog.article_by_number("1002").unwrap().unwrap();
    s.catalog
        .deactivate_article(croissant.id, &common::owner())
        .unwrap();
    let changes = s.catalog.changes_since(0, 1000).unwrap().len();
    s.reopen();
    s.catalog.load_demo().unwrap();
    assert_eq!(s.catalog.changes_since(0, 1000).unwrap().len(), changes);
    assert!(!s.catalog.article_by_number("1002").unwrap().unwrap().active);
    assert_eq!(s.catalog.all_articles().unwrap().len(), articles);
}

#[test]
fn the_open_price_cakes_own_code_asks_for_the_price_and_its_label_carries_one() {
    let mut s = shop();
    s.catalog.load_demo().unwrap();
    // The base code printed on the shelf: no price in it, so the till asks.
    match s.catalog.scan(catalog::demo::DEMO_PRICE_BASE).unwrap() {
        ScanOutcome::Found(hit) => {
            assert_eq!(hit.article.number, "1010");
            assert!(hit.needs_price, "{hit:?}");
        }
        other => panic!("{other:?}"),
    }
    // Its number typed, too.
    match s.catalog.scan("1010").unwrap() {
        ScanOutcome::Found(hit) => assert!(hit.needs_price),
        other => panic!("{other:?}"),
    }
    // A label with 2,39 € in it sells at once.
    match s.catalog.scan("2200024002396").unwrap() {
        ScanOutcome::Found(hit) => {
            assert!(!hit.needs_price);
            assert_eq!(hit.unit_price, Cents(239));
        }
        other => panic!("{other:?}"),
    }
}
