//! Articles and groups on a real SQLite file: create, change, soft delete, revisions,
//! change events, search and paging.

mod common;

use catalog::{Action, ArticleDraft, CatalogError, ChangeAction, Entity, Filter, GroupDraft, Unit};
use common::{owner, shop};
use serde_json::json;
use till::money::{Cents, VatRate};

fn water() -> ArticleDraft {
    let mut d = ArticleDraft::new("51", "Wasser 0,25 l", Cents(99), VatRate::Standard);
    d.eans = vec!["4006381333931".into()];
    d
}

#[test]
fn create_read_update_with_revisions_and_change_events() {
    let mut s = shop();
    let by = owner();
    let (created, event) = s.catalog.create_article(water(), &by).unwrap();
    assert_eq!(created.revision, 1);
    assert_eq!(event.action, ChangeAction::Created);
    assert_eq!(event.entity, Entity::Article);
    assert_eq!(event.label, "51");
    assert!(event
        .fields
        .iter()
        .any(|f| f.field == "price" && f.old.is_null() && f.new == json!(99)));

    s.clock.advance(chrono::Duration::minutes(5));
    let mut dearer = created.draft();
    dearer.price = Cents(109);
    let (updated, event) = s
        .catalog
        .update_article(created.id, dearer.clone(), &by)
        .unwrap();
    let event = event.expect("a price change is a change");
    assert_eq!(updated.id, created.id, "the UUID is stable");
    assert_eq!(updated.revision, 2);
    assert_eq!(event.revision, 2);
    assert_eq!(event.action, ChangeAction::Updated);
    assert_eq!(event.fields.len(), 1);
    assert_eq!(event.fields[0].field, "price");
    assert_eq!(
        (event.fields[0].old.clone(), event.fields[0].new.clone()),
        (json!(99), json!(109))
    );
    assert_eq!(event.at, updated.updated_at);
    assert!(event.at > created.updated_at);

    // the same draft again: no revision, no event
    let (same, none) = s.catalog.update_article(created.id, dearer, &by).unwrap();
    assert_eq!(same.revision, 2);
    assert!(none.is_none());

    // the history explains every price, and survives a restart
    s.reopen();
    let history = s.catalog.history(created.id).unwrap();
    assert_eq!(history.len(), 2);
    let json = serde_json::to_value(&history[1]).unwrap();
    assert_eq!(
        json["fields"][0],
        json!({"field": "price", "old": 99, "new": 109})
    );
    assert_eq!(json["by"]["name"], "Test");
    let back: catalog::ChangeEvent = serde_json::from_value(json).unwrap();
    assert_eq!(back, history[1]);
    assert_eq!(
        s.catalog.article_by_number("51").unwrap().unwrap().price,
        Cents(109)
    );
    let all = s.catalog.changes_since(0, 100).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(s.catalog.changes_since(all[0].seq, 100).unwrap().len(), 1);
}

#[test]
fn soft_delete_keeps_the_row_and_frees_the_ean() {
    let mut s = shop();
    let by = owner();
    let (a, _) = s.catalog.create_article(water(), &by).unwrap();
    let event = s.catalog.deactivate_article(a.id, &by).unwrap().unwrap();
    assert_eq!(event.action, ChangeAction::Deactivated);
    let stored = s.catalog.article(a.id).unwrap().expect("never deleted");
    assert!(!stored.active);
    assert_eq!(stored.revision, 2);
    assert!(s
        .catalog
        .search("51", Filter::Active, 10)
        .unwrap()
        .is_empty());
    assert_eq!(s.catalog.search("51", Filter::All, 10).unwrap().len(), 1);

    // the EAN is unique among active articles only
    let mut other = ArticleDraft::new("52", "Wasser still", Cents(99), VatRate::Standard);
    other.eans = vec!["4006381333931".into()];
    let (b, _) = s.catalog.create_article(other, &by).unwrap();
    // so the old article cannot come back with it
    let err = s.catalog.reactivate_article(a.id, &by).unwrap_err();
    assert!(
        matches!(err, CatalogError::EanTaken { ref number, .. } if number == "52"),
        "{err}"
    );
    assert_eq!(err.code(), "ean_taken");
    s.catalog.deactivate_article(b.id, &by).unwrap();
    let event = s.catalog.reactivate_article(a.id, &by).unwrap().unwrap();
    assert_eq!(event.action, ChangeAction::Reactivated);
}

#[test]
fn rules_of_an_article() {
    let mut s = shop();
    let by = owner();
    s.catalog.create_article(water(), &by).unwrap();
    let taken = s
        .catalog
        .create_article(ArticleDraft::new("51", "x", Cents(1), VatRate::Zero), &by);
    assert_eq!(taken.unwrap_err().code(), "number_taken");
    let mut dup = ArticleDraft::new("53", "y", Cents(1), VatRate::Zero);
    dup.eans = vec!["4006381333931".into()];
    assert_eq!(
        s.catalog.create_article(dup, &by).unwrap_err().code(),
        "ean_taken"
    );
    let mut bad = ArticleDraft::new("54", "z", Cents(1), VatRate::Zero);
    bad.eans = vec!["4006381333932".into()];
    let err = s.catalog.create_article(bad, &by).unwrap_err();
    assert_eq!(err.code(), "invalid_ean");
    assert!(err.to_string().contains("should be 1"), "{err}");
    let long = "x".repeat(81);
    let err = s
        .catalog
        .create_article(ArticleDraft::new("55", &long, Cents(1), VatRate::Zero), &by)
        .unwrap_err();
    assert_eq!(err.code(), "too_long");
    let err = s
        .catalog
        .create_article(
            ArticleDraft::new("56", "neg", Cents(-1), VatRate::Zero),
            &by,
        )
        .unwrap_err();
    assert_eq!(err.code(), "price_out_of_range");
    let err = s
        .catalog
        .create_article(
            ArticleDraft::new("  ", "no number", Cents(1), VatRate::Zero),
            &by,
        )
        .unwrap_err();
    assert_eq!(err.code(), "missing_field");
    // a weight label needs a price per kg
    let mut cheese = ArticleDraft::new("57", "Käse", Cents(1999), VatRate::Reduced);
    cheese.eans = vec!["2811110000006".into()];
    let err = s.catalog.create_article(cheese.clone(), &by).unwrap_err();
    assert_eq!(err.code(), "label_unit");
    cheese.unit = Unit::Kg;
    let (cheese, _) = s.catalog.create_article(cheese, &by).unwrap();
    assert_eq!(cheese.eans, ["2811110000006"]);
    // UPC-A is kept as its EAN-13
    let mut upc = ArticleDraft::new("58", "Import", Cents(1), VatRate::Standard);
    upc.eans = vec!["036000291452".into()];
    assert_eq!(
        s.catalog.create_article(upc, &by).unwrap().0.eans,
        ["0036000291452"]
    );
    // nothing was half-written by the refused ones
    assert_eq!(s.catalog.all_articles().unwrap().len(), 3);
    let body = catalog::ErrorBody::from(&err);
    assert_eq!(serde_json::to_value(body).unwrap()["code"], "label_unit");
}

#[test]
fn groups_have_codes_colours_and_default_vat() {
    let mut s = shop();
    let by = owner();
    let (bakery, event) = s
        .catalog
        .create_group(
            GroupDraft::new("10", "Backwaren", VatRate::Reduced, "#f9a825"),
            &by,
        )
        .unwrap();
    assert_eq!(bakery.colour, "#F9A825");
    assert_eq!(event.entity, Entity::Group);
    assert_eq!(s.catalog.default_vat(bakery.id).unwrap(), VatRate::Reduced);
    let again = s.catalog.create_group(
        GroupDraft::new("10", "Brot", VatRate::Reduced, "#000000"),
        &by,
    );
    assert_eq!(again.unwrap_err().code(), "group_code_taken");
    let red = s
        .catalog
        .create_group(GroupDraft::new("11", "Rot", VatRate::Reduced, "red"), &by);
    assert_eq!(red.unwrap_err().code(), "invalid_colour");
    let mut renamed = bakery.draft();
    renamed.name = "Brot & Brötchen".into();
    let (g, e) = s.catalog.update_group(bakery.id, renamed, &by).unwrap();
    assert_eq!(
        (g.revision, e.unwrap().fields[0].field.as_str()),
        (2, "name")
    );
    let e = s.catalog.deactivate_group(bakery.id, &by).unwrap().unwrap();
    assert_eq!(e.action, ChangeAction::Deactivated);
    assert_eq!(s.catalog.groups().unwrap().len(), 1, "kept, inactive");
}

#[test]
fn search_by_number_ean_and_text_without_case_or_umlaut_trouble() {
    let mut s = shop();
    let by = owner();
    for (number, text) in [
        ("1001", "Brötchen"),
        ("1002", "Croissant"),
        ("1004", "Butter-Croissant"),
        ("1003", "Laugenbrötchen"),
        ("2001", "Kaffee groß"),
        ("2002", "Kaffee klein"),
        ("3001", "Einkaufstasche 100% Baumwolle"),
        ("10010", "Brot"),
    ] {
        s.catalog
            .create_article(
                ArticleDraft::new(number, text, Cents(100), VatRate::Reduced),
                &by,
            )
            .unwrap();
    }
    s.catalog.create_article(water(), &by).unwrap();
    let numbers = |s: &common::Shop, q: &str| -> Vec<String> {
        s.catalog
            .search(q, Filter::Active, 20)
            .unwrap()
            .into_iter()
            .map(|a| a.number)
            .collect()
    };
    // exact number first, then numbers starting with it
    assert_eq!(numbers(&s, "1001"), ["1001", "10010"]);
    assert_eq!(numbers(&s, "4006381333931"), ["51"]);
    // text: any case, umlaut spelled either way, either Unicode form
    assert_eq!(numbers(&s, "BRÖTCHEN"), ["1001", "1003"]);
    assert_eq!(numbers(&s, "broetchen"), ["1001", "1003"]);
    assert_eq!(numbers(&s, "bro\u{308}tchen"), ["1001", "1003"]);
    assert_eq!(numbers(&s, "GROSS"), ["2001"]);
    // every word must match, in any order; short words too
    assert_eq!(numbers(&s, "kaffee kl"), ["2002"]);
    assert_eq!(numbers(&s, "kl kaffee"), ["2002"]);
    assert_eq!(numbers(&s, "br"), ["1001", "10010", "1003"]);
    assert_eq!(numbers(&s, "brot"), ["10010"]);
    // LIKE wildcards are literal
    assert_eq!(numbers(&s, "100%"), ["3001"]);
    assert!(numbers(&s, "_").is_empty());
    assert!(numbers(&s, "").is_empty());
    // text starting with the query before text containing it
    assert_eq!(numbers(&s, "croissant"), ["1002", "1004"]);

    // a new text is found by its new words only
    let by = owner();
    let brot = s.catalog.article_by_number("10010").unwrap().unwrap();
    let mut d = brot.draft();
    d.text = "Bauernlaib".into();
    s.catalog.update_article(brot.id, d, &by).unwrap();
    let found = |q: &str| s.catalog.search(q, Filter::Active, 20).unwrap().len();
    assert_eq!(found("bauernlaib"), 1);
    assert_eq!(found("brot"), 0);
}

#[test]
fn a_group_page_by_page() {
    let mut s = shop();
    let by = owner();
    let (drinks, _) = s
        .catalog
        .create_group(
            GroupDraft::new("30", "Getränke", VatRate::Standard, "#039BE5"),
            &by,
        )
        .unwrap();
    for i in 0..25 {
        let mut d = ArticleDraft::new(
            &format!("{}", 500 + i),
            &format!("Saft {i:02}"),
            Cents(150),
            VatRate::Standard,
        );
        d.group = Some(drinks.id);
        d.active = i != 7;
        s.catalog.create_article(d, &by).unwrap();
    }
    s.catalog
        .create_article(
            ArticleDraft::new("9", "ohne Gruppe", Cents(1), VatRate::Zero),
            &by,
        )
        .unwrap();
    let first = s.catalog.list_group(Some(drinks.id), 0, 10).unwrap();
    assert_eq!(
        (first.total, first.pages(), first.articles.len()),
        (24, 3, 10)
    );
    assert_eq!(first.articles[0].text, "Saft 00");
    let last = s.catalog.list_group(Some(drinks.id), 2, 10).unwrap();
    assert_eq!(last.articles.len(), 4);
    assert_eq!(last.articles[3].text, "Saft 24");
    assert!(!first
        .articles
        .iter()
        .chain(&last.articles)
        .any(|a| a.text == "Saft 07"));
    let none = s.catalog.list_group(None, 0, 10).unwrap();
    assert_eq!(none.articles[0].number, "9");
    // an article's group must exist
    let mut lost = ArticleDraft::new("8", "x", Cents(1), VatRate::Zero);
    lost.group = Some(uuid::Uuid::new_v4());
    assert_eq!(
        s.catalog.create_article(lost, &by).unwrap_err().code(),
        "group_not_found"
    );
    let _ = Action::Catalogue;
}
