//! CSV import and export on a real SQLite file: good, bad and odd files, the same file
//! twice, export → import, and a generated 20,000-line file.

mod common;

use catalog::import::{LineProblem, RowKind};
use catalog::{ApplyMode, ArticleDraft, CatalogError, Filter, GroupDraft, Unit};
use common::{owner, shop};
use till::money::{Cents, VatRate};

const EXAMPLE: &[u8] = include_bytes!("../examples/artikel.csv");

#[test]
fn the_example_file_imports_and_the_same_file_twice_changes_nothing() {
    let mut s = shop();
    let by = owner();
    let preview = s.catalog.preview_import(EXAMPLE).unwrap();
    assert!(preview.bad.is_empty(), "{:?}", preview.bad);
    assert_eq!(preview.encoding, catalog::csv_io::Encoding::Utf8Bom);
    assert_eq!(
        (preview.count(RowKind::New), preview.count(RowKind::Changed)),
        (10, 0)
    );
    let names: Vec<&str> = preview
        .new_groups
        .iter()
        .map(|g| g.draft.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Backwaren",
            "Heißgetränke",
            "Kaltgetränke",
            "Süßwaren",
            "Sonstiges"
        ]
    );
    let outcome = s
        .catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .unwrap();
    assert_eq!(
        (
            outcome.created,
            outcome.groups_created,
            outcome.events.len()
        ),
        (10, 5, 15)
    );

    let schorle = s.catalog.article_by_number("52").unwrap().unwrap();
    assert_eq!(schorle.text, "Apfelschorle; 0,5 l");
    assert_eq!(schorle.eans, ["4006381333931", "96385074"]);
    assert_eq!(
        (schorle.price, schorle.vat),
        (Cents(189), VatRate::Standard)
    );
    let basket = s.catalog.article_by_number("6001").unwrap().unwrap();
    assert_eq!(
        (basket.text.as_str(), basket.price),
        ("Geschenkkorb \"Genießer\" groß", Cents(124_900))
    );
    let pralines = s.catalog.article_by_number("5001").unwrap().unwrap();
    assert_eq!((pralines.unit, pralines.price), (Unit::Kg, Cents(5990)));
    assert!(
        s.catalog
            .article_by_number("1010")
            .unwrap()
            .unwrap()
            .open_price
    );
    assert!(!s.catalog.article_by_number("3001").unwrap().unwrap().active);
    let group = s.catalog.group(schorle.group.unwrap()).unwrap().unwrap();
    assert_eq!(
        (group.name.as_str(), group.default_vat),
        ("Kaltgetränke", VatRate::Standard)
    );

    // again: nothing new, nothing changed, no revision, no event
    let changes_before = s.catalog.changes_since(0, 1000).unwrap().len();
    let again = s.catalog.preview_import(EXAMPLE).unwrap();
    assert!(again.new_groups.is_empty());
    assert_eq!(again.count(RowKind::Unchanged), 10);
    let outcome = s
        .catalog
        .apply_import(&again, ApplyMode::AllOrNothing, &by)
        .unwrap();
    assert_eq!(
        (outcome.created, outcome.changed, outcome.unchanged),
        (0, 0, 10)
    );
    assert!(outcome.events.is_empty());
    assert_eq!(
        s.catalog.changes_since(0, 1000).unwrap().len(),
        changes_before
    );
    assert_eq!(
        s.catalog.article_by_number("52").unwrap().unwrap().revision,
        1
    );
}

/// Windows-1252, no BOM, LF, columns in another order with English and odd headers,
/// an empty line, a line of empty fields, an unknown column, quoted semicolons.
#[test]
fn odd_files_read_right() {
    let mut s = shop();
    let by = owner();
    let text = "price;Bezeichnung;Lieferant;Art.-Nr.;VAT rate\n\
                0,45;Br\u{f6}tchen;B\u{e4}ckerei M\u{fc}ller;1001;7 %\n\
                \n\
                ;;;;\n\
                \"1.234,50\";\"Torte; gro\u{df}\";x;T1;19\n\
                2,5;\u{c4}pfel \u{20ac} kg;;A1;7\n";
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!lossy);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let preview = s.catalog.preview_import(&bytes).unwrap();
    assert_eq!(preview.encoding, catalog::csv_io::Encoding::Windows1252);
    assert!(preview.bad.is_empty(), "{:?}", preview.bad);
    assert_eq!(preview.ignored_columns, ["Lieferant"]);
    let lines: Vec<u64> = preview.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 5, 6]);
    s.catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .unwrap();
    assert_eq!(
        s.catalog.article_by_number("1001").unwrap().unwrap().text,
        "Brötchen"
    );
    let torte = s.catalog.article_by_number("T1").unwrap().unwrap();
    assert_eq!(
        (torte.text.as_str(), torte.price),
        ("Torte; groß", Cents(123_450))
    );
    assert_eq!(
        s.catalog.article_by_number("A1").unwrap().unwrap().text,
        "Äpfel € kg"
    );
    assert_eq!(
        s.catalog
            .search("BROTCHEN", Filter::Active, 5)
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        s.catalog
            .search("BRÖTCHEN", Filter::Active, 5)
            .unwrap()
            .len(),
        1
    );

    // the same in UTF-8 with CRLF and a BOM reads the same, so nothing changes
    let utf8 = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let preview = s.catalog.preview_import(utf8.as_bytes()).unwrap();
    assert_eq!(preview.encoding, catalog::csv_io::Encoding::Utf8Bom);
    assert_eq!(preview.count(RowKind::Unchanged), 3);
    // and its lines keep their numbers (a spreadsheet's CRLF counts one line, not two)
    let lines: Vec<u64> = preview.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 5, 6]);
    let crlf = "Artikelnummer;Bezeichnung;Preis;MwSt\r\n1;Gut;1,00;19\r\n2;Schlecht;zwei;19\r\n";
    let preview = s.catalog.preview_import(crlf.as_bytes()).unwrap();
    assert_eq!(preview.bad.iter().map(|b| b.line).collect::<Vec<_>>(), [3]);
}

#[test]
fn bad_lines_are_named_and_nothing_is_half_imported() {
    let mut s = shop();
    let by = owner();
    let mut cola = ArticleDraft::new("77", "Cola", Cents(150), VatRate::Standard);
    cola.eans = vec!["4000000000006".into()];
    s.catalog.create_article(cola, &by).unwrap();
    let long = "x".repeat(81);
    let file = format!(
        "Artikelnummer;EAN;Bezeichnung;Preis;MwSt;Aktiv\n\
         1;;Gut;1,00;19;ja\n\
         2;;Steuer falsch;1,00;16;ja\n\
         3;;Preis falsch;zwei Euro;7;ja\n\
         4;4006381333931;EAN einmal;1,00;7;ja\n\
         5;4006381333931;EAN zweimal;1,00;7;ja\n\
         6;4000000000006;EAN der Cola;1,00;7;ja\n\
         ;;ohne Nummer;1,00;7;ja\n\
         8;;;1,00;7;ja\n\
         9;;{long};1,00;7;ja\n\
         10;4006381333932;Prüfziffer falsch;1,00;7;ja\n\
         11;;Aktiv falsch;1,00;7;vielleicht\n\
         1;;Nummer zweimal;1,00;19;ja\n\
         12;;Zwei Fehler;;99;ja\n"
    );
    let preview = s.catalog.preview_import(file.as_bytes()).unwrap();
    let good: Vec<&str> = preview
        .rows
        .iter()
        .map(|r| r.draft.number.as_str())
        .collect();
    assert_eq!(good, ["1", "4"]);
    let bad: Vec<(u64, Vec<LineProblem>)> = preview
        .bad
        .iter()
        .map(|b| (b.line, b.problems.clone()))
        .collect();
    use LineProblem::*;
    let ean = "4006381333931".to_string();
    assert_eq!(
        bad,
        vec![
            (3, vec![UnknownVat { value: "16".into() }]),
            (
                4,
                vec![PriceNotANumber {
                    value: "zwei Euro".into()
                }]
            ),
            (6, vec![DuplicateEanInFile { ean, line: 5 }]),
            (
                7,
                vec![EanOfOtherArticle {
                    ean: "4000000000006".into(),
                    number: "77".into()
                }]
            ),
            (8, vec![MissingNumber]),
            (9, vec![MissingText]),
            (10, vec![TextTooLong { max: 80 }]),
            (
                11,
                vec![InvalidEan {
                    error: catalog::CodeError::CheckDigit {
                        code: "4006381333932".into(),
                        expected: 1
                    }
                }]
            ),
            (
                12,
                vec![NotYesNo {
                    column: "Aktiv".into(),
                    value: "vielleicht".into()
                }]
            ),
            (13, vec![DuplicateNumber { line: 2 }]),
            (
                14,
                vec![
                    PriceNotANumber { value: "".into() },
                    UnknownVat { value: "99".into() }
                ]
            ),
        ]
    );
    // every problem has words for the shop owner
    assert_eq!(
        preview.bad[0].problems[0].to_string(),
        "the VAT rate \"16\" is not one of 19, 7 or 0"
    );

    let refused = s
        .catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .unwrap_err();
    assert!(
        matches!(refused, CatalogError::ImportHasBadLines(11)),
        "{refused}"
    );
    assert!(refused
        .to_string()
        .starts_with("The import has 11 bad lines;"));
    assert!(CatalogError::ImportHasBadLines(1)
        .to_string()
        .starts_with("The import has 1 bad line;"));
    assert_eq!(
        s.catalog.all_articles().unwrap().len(),
        1,
        "nothing written"
    );

    let outcome = s
        .catalog
        .apply_import(&preview, ApplyMode::GoodLinesOnly, &by)
        .unwrap();
    assert_eq!((outcome.created, outcome.skipped_bad_lines), (2, 11));
    assert_eq!(s.catalog.all_articles().unwrap().len(), 3);
}

#[test]
fn files_that_are_no_article_list() {
    let s = shop();
    for (file, words) in [
        (&b""[..], "Artikelnummer"),
        (b"Nummer;Text\n1;x\n", "Preis"),
        (b"Preis;Preis;Bezeichnung;Artikelnummer\n", "twice"),
    ] {
        let err = s.catalog.preview_import(file).unwrap_err();
        assert_eq!(err.code(), "bad_file");
        assert!(err.to_string().contains(words), "{err}");
    }
}

#[test]
fn a_price_list_keeps_what_it_does_not_name_and_eans_may_swap() {
    let mut s = shop();
    let by = owner();
    let (g, _) = s
        .catalog
        .create_group(
            GroupDraft::new("10", "Backwaren", VatRate::Reduced, "#F9A825"),
            &by,
        )
        .unwrap();
    let mut a = ArticleDraft::new("1", "Brot", Cents(300), VatRate::Reduced);
    a.eans = vec!["4006381333931".into()];
    a.group = Some(g.id);
    let (a, _) = s.catalog.create_article(a, &by).unwrap();
    let mut b = ArticleDraft::new("2", "Brot groß", Cents(450), VatRate::Reduced);
    b.eans = vec!["96385074".into()];
    s.catalog.create_article(b, &by).unwrap();

    let prices = "Artikelnummer;Bezeichnung;Preis\n1;Brot;3,20\n";
    let preview = s.catalog.preview_import(prices.as_bytes()).unwrap();
    assert_eq!(preview.rows[0].kind, RowKind::Changed);
    assert_eq!(
        preview.rows[0].fields.len(),
        1,
        "{:?}",
        preview.rows[0].fields
    );
    s.catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .unwrap();
    let a2 = s.catalog.article(a.id).unwrap().unwrap();
    assert_eq!(
        (a2.price, a2.group, a2.eans.clone(), a2.revision),
        (Cents(320), Some(g.id), a.eans.clone(), 2)
    );

    // the two articles swap their EANs in one file: fine, whatever the order
    let swap = "Artikelnummer;EAN;Bezeichnung;Preis\n1;96385074;Brot;3,20\n2;4006381333931;Brot groß;4,50\n";
    let preview = s.catalog.preview_import(swap.as_bytes()).unwrap();
    assert!(preview.bad.is_empty(), "{:?}", preview.bad);
    s.catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .unwrap();
    assert_eq!(
        s.catalog.article_by_number("1").unwrap().unwrap().eans,
        ["96385074"]
    );
    assert_eq!(
        s.catalog.article_by_number("2").unwrap().unwrap().eans,
        ["4006381333931"]
    );

    // taking another article's EAN when that article keeps it is a bad line
    let steal = "Artikelnummer;EAN;Bezeichnung;Preis;MwSt\n3;96385074;Dieb;1,00;19\n";
    let preview = s.catalog.preview_import(steal.as_bytes()).unwrap();
    assert!(matches!(
        preview.bad[0].problems[0],
        LineProblem::EanOfOtherArticle { .. }
    ));
}

#[test]
fn a_preview_is_refused_after_the_catalogue_changed() {
    let mut s = shop();
    let by = owner();
    let (a, _) = s
        .catalog
        .create_article(
            ArticleDraft::new("1", "Brot", Cents(300), VatRate::Reduced),
            &by,
        )
        .unwrap();
    let preview = s
        .catalog
        .preview_import(
            "Artikelnummer;Bezeichnung;Preis;MwSt\n1;Brot;3,50;7\n2;Neu;1,00;7\n".as_bytes(),
        )
        .unwrap();
    let mut d = a.draft();
    d.text = "Bauernbrot".into();
    s.catalog.update_article(a.id, d, &by).unwrap();
    let err = s
        .catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .unwrap_err();
    assert_eq!(err.code(), "import_stale");
    assert!(
        s.catalog.article_by_number("2").unwrap().is_none(),
        "rolled back"
    );
}

#[test]
fn export_then_import_round_trips() {
    let mut s = shop();
    s.catalog.load_demo().unwrap();
    let by = owner();
    let example = s.catalog.preview_import(EXAMPLE).unwrap();
    assert!(example.bad.is_empty(), "{:?}", example.bad);
    s.catalog
        .apply_import(&example, ApplyMode::AllOrNothing, &by)
        .unwrap();
    let exported = s.catalog.export_csv().unwrap();
    assert!(exported.starts_with(b"\xEF\xBB\xBFArtikelnummer;EAN;Bezeichnung;Preis;Einheit;MwSt;Warengruppe;Offener Preis;Aktiv\r\n"));
    let text = String::from_utf8(exported.clone()).unwrap();
    assert!(
        text.contains("\r\n51;4999012345673;Wasser 0,25 l;0,99;Stück;19;30;nein;ja\r\n"),
        "{text}"
    );

    // into itself: nothing changes
    let preview = s.catalog.preview_import(&exported).unwrap();
    assert!(preview.bad.is_empty(), "{:?}", preview.bad);
    assert_eq!(preview.count(RowKind::Unchanged), preview.rows.len());

    // into an empty till: the same articles, and the same file out again
    let mut fresh = shop();
    let preview = fresh.catalog.preview_import(&exported).unwrap();
    assert!(preview.bad.is_empty(), "{:?}", preview.bad);
    fresh
        .catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .unwrap();
    assert_eq!(fresh.catalog.export_csv().unwrap(), exported);
}

#[test]
fn twenty_thousand_lines() {
    let mut s = shop();
    let by = owner();
    let file = catalog::demo::generated_csv(20_000);
    let preview = s.catalog.preview_import(&file).unwrap();
    assert!(
        preview.bad.is_empty(),
        "{:?}",
        &preview.bad[..preview.bad.len().min(3)]
    );
    assert_eq!(preview.count(RowKind::New), 20_000);
    let outcome = s
        .catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .unwrap();
    assert_eq!(outcome.created, 20_000);
    let again = s.catalog.preview_import(&file).unwrap();
    assert_eq!(again.count(RowKind::Unchanged), 20_000);
    let hit = s.catalog.search("10042", Filter::Active, 5).unwrap();
    assert_eq!(hit[0].number, "10042");
    match s.catalog.scan(&hit[0].eans[0]).unwrap() {
        catalog::ScanOutcome::Found(h) => assert_eq!(h.article.number, "10042"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_group_the_file_brings_takes_its_vat_rate_from_its_lines() {
    let mut s = shop();
    let by = owner();
    let file = "Artikelnummer;Bezeichnung;Preis;MwSt;Warengruppe\n\
                1;Ohne Satz;1,00;;Obst\n\
                2;Apfel;0,50;7;Obst\n\
                3;Birne;0,60;;Bestehend\n";
    s.catalog
        .create_group(
            GroupDraft::new("Bestehend", "Bestehend", VatRate::Zero, "#000000"),
            &by,
        )
        .unwrap();
    let preview = s.catalog.preview_import(file.as_bytes()).unwrap();
    assert_eq!(preview.new_groups.len(), 1);
    assert_eq!(preview.new_groups[0].draft.default_vat, VatRate::Reduced);
    // a line of a new group needs its own rate; an existing group gives its default
    assert_eq!(preview.bad.len(), 1);
    assert_eq!(
        (preview.bad[0].line, &preview.bad[0].problems[..]),
        (2, &[LineProblem::NoVat][..])
    );
    let birne = preview.rows.iter().find(|r| r.draft.number == "3").unwrap();
    assert_eq!(birne.draft.vat, VatRate::Zero);
}
