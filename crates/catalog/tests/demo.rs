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
