//! Scanner codes: check digits, and GS1 Germany price-, count- and weight-embedded EANs,
//! with worked examples computed by hand (see the comments) against the GS1 rules.

mod common;

use catalog::codes::{self, value_check_digit, CodeError, Measure};
use catalog::{ArticleDraft, ScanOutcome, Unit, UnknownCode};
use common::{owner, shop};
use till::money::{Cents, VatRate};

#[test]
fn check_digits_of_ean13_ean8_and_upc_a() {
    // EAN-13 4006381333931: weights 3,1,3,… from the right over 400638133393:
    // 3·3 + 9 + 3·3 + 3 + 3·3 + 1 + 3·8 + 3 + 3·6 + 0 + 3·0 + 4 = 89 → 10 − 9 = 1
    assert_eq!(codes::normalize("4006381333931").unwrap(), "4006381333931");
    // EAN-8 96385074: 3·7 + 0 + 3·5 + 8 + 3·3 + 6 + 3·9 = 86 → 4
    assert_eq!(codes::normalize("96385074").unwrap(), "96385074");
    // UPC-A 036000291452: 3·5 + 4 + 3·1 + 9 + 3·2 + 0 + 0 + 0 + 3·6 + 3 + 0 = 58 → 2;
    // stored as the EAN-13 with a leading 0
    assert_eq!(codes::normalize("036000291452").unwrap(), "0036000291452");
    assert_eq!(
        codes::normalize(" 4006381333931\r\n").unwrap(),
        "4006381333931"
    );

    assert_eq!(
        codes::parse("4006381333932"),
        Err(CodeError::CheckDigit {
            code: "4006381333932".into(),
            expected: 1
        })
    );
    assert!(matches!(
        codes::parse("96385075"),
        Err(CodeError::CheckDigit { expected: 4, .. })
    ));
    assert!(matches!(
        codes::parse("036000291453"),
        Err(CodeError::CheckDigit { expected: 2, .. })
    ));
    for not_an_ean in [
        "",
        "12345",
        "40063813339310",
        "4OO6381333931",
        "4006-381333931",
    ] {
        assert!(
            matches!(codes::parse(not_an_ean), Err(CodeError::NotAnEan { .. })),
            "{not_an_ean}"
        );
    }
}

#[test]
fn value_check_digit_worked_by_hand() {
    // GS1 General Specifications 7.9.4, five digits with weights 5+, 2-, 5-, 5+, 2-.
    // 00239: 0 + 0 + 5-(2)=9 + 5+(3)=6 + 2-(9)=7 → 22; 30 − 22 = 8; 5-(4) = 8 → 4
    assert_eq!(value_check_digit(&[0, 0, 2, 3, 9]), 4);
    // 06870: 0 + 2-(6)=1 + 5-(8)=6 + 5+(7)=8 + 0 → 15; 20 − 15 = 5; 5-(1) = 5 → 1
    assert_eq!(value_check_digit(&[0, 6, 8, 7, 0]), 1);
    // 14685: 5+(1)=5 + 2-(4)=8 + 5-(6)=7 + 5+(8)=4 + 2-(5)=9 → 33; 40 − 33 = 7; 5-(6) = 7 → 6
    assert_eq!(value_check_digit(&[1, 4, 6, 8, 5]), 6);
    assert_eq!(value_check_digit(&[0, 0, 0, 0, 0]), 0);
}

#[test]
fn price_and_weight_labels_parse() {
    // 22 | 1111 | 4 | 00239 | 4: price 2,39 €; EAN check over 221111400239 is 56 → 4
    let price = codes::parse("2211114002394").unwrap();
    assert_eq!(price.measure, Some(Measure::Price(Cents(239))));
    // base: value and its check digit zeroed, EAN check over 221111000000 = 16 → 4
    assert_eq!(price.key, "2211110000004");
    // 28 | 1111 | 1 | 06870 | 8: 6870 g
    let weight = codes::parse("2811111068708").unwrap();
    assert_eq!(weight.measure, Some(Measure::Weight(6870)));
    assert_eq!(weight.key, "2811110000006");
    // 25: a count of pieces
    let count = codes::parse(&codes::embed("2511110000005", 12).unwrap()).unwrap();
    assert_eq!(count.measure, Some(Measure::Count(12)));
    // a value check digit that does not fit: 2211115002393 has the right EAN check digit
    // for its first twelve digits but 5 where the value 00239 needs 4
    assert_eq!(
        codes::parse("2211115002393"),
        Err(CodeError::ValueCheckDigit {
            code: "2211115002393".into()
        })
    );
    // prefixes 20, 21, 24 and 27 carry nothing: the whole code is the key
    let plain = codes::parse("2112345678900").unwrap();
    assert_eq!((plain.key.as_str(), plain.measure), ("2112345678900", None));
}

#[test]
fn weight_times_price_per_kg_rounds_half_up_in_integers() {
    // 6870 g at 12,99 €/kg = 89,2413 € → 89,24 €
    assert_eq!(
        codes::price_for_weight(Cents(1299), 6870),
        Some(Cents(8924))
    );
    // 250 g at 59,90 €/kg = 14,975 € → 14,98 € (half a cent rounds up)
    assert_eq!(codes::price_for_weight(Cents(5990), 250), Some(Cents(1498)));
    // 5 g at 1,00 €/kg = 0,5 ct → 1 ct; 4 g → 0,4 ct → 0 ct
    assert_eq!(codes::price_for_weight(Cents(100), 5), Some(Cents(1)));
    assert_eq!(codes::price_for_weight(Cents(100), 4), Some(Cents(0)));
    assert_eq!(codes::price_for_weight(Cents(i64::MAX), 2), None);
    assert_eq!(codes::price_for_weight(Cents(100), -1), None);
}

#[test]
fn scanning_finds_articles_prices_and_weights() {
    let mut s = shop();
    let by = owner();
    let mut water = ArticleDraft::new("51", "Wasser", Cents(99), VatRate::Standard);
    water.eans = vec!["4006381333931".into(), "96385074".into()];
    s.catalog.create_article(water, &by).unwrap();
    // registered by scanning one of its labels: stored under the base code
    let mut cake = ArticleDraft::new("1010", "Kuchen vom Blech", Cents(0), VatRate::Reduced);
    cake.open_price = true;
    cake.eans = vec!["2200022003500".into()];
    let (cake, _) = s.catalog.create_article(cake, &by).unwrap();
    assert_eq!(cake.eans, ["2200020000006"]);
    let mut pralines = ArticleDraft::new("5001", "Pralinen lose", Cents(5990), VatRate::Reduced);
    pralines.unit = Unit::Kg;
    pralines.eans = vec!["2800010000001".into()];
    s.catalog.create_article(pralines, &by).unwrap();
    s.catalog
        .create_article(
            ArticleDraft::new("A-17", "Postkarte", Cents(150), VatRate::Standard),
            &by,
        )
        .unwrap();

    let found = |code: &str| match s.catalog.scan(code).unwrap() {
        ScanOutcome::Found(hit) => hit,
        other => panic!("{code}: {other:?}"),
    };
    let hit = found("96385074");
    assert_eq!(
        (hit.article.number.as_str(), hit.unit_price, hit.quantity),
        ("51", Cents(99), 1)
    );
    assert!(!hit.needs_price);

    // 22 | 0002 | 2 | 00350 | 0 → 3,50 € for the cake (an open-price article: the label's price)
    let hit = found("2200022003500");
    assert_eq!(
        (hit.article.number.as_str(), hit.unit_price),
        ("1010", Cents(350))
    );
    assert_eq!(hit.measure, Some(Measure::Price(Cents(350))));
    assert!(!hit.needs_price);
    // the cake's base code alone: the till asks for the price
    assert!(found("2200020000006").needs_price);

    // 28 | 0001 | 3 | 00250 | 7 → 250 g pralines at 59,90 €/kg = 14,975 € → 14,98 €
    let hit = found("2800013002507");
    assert_eq!(
        (hit.article.number.as_str(), hit.unit_price),
        ("5001", Cents(1498))
    );
    assert_eq!(hit.measure, Some(Measure::Weight(250)));

    // an internal code that is no EAN but an article number
    assert_eq!(found("A-17").article.number, "A-17");

    let unknown = |code: &str| match s.catalog.scan(code).unwrap() {
        ScanOutcome::Unknown { code, reason } => (code, reason),
        other => panic!("{code}: {other:?}"),
    };
    assert_eq!(
        unknown("4000000000006"),
        ("4000000000006".into(), UnknownCode::NotInCatalogue)
    );
    assert!(matches!(
        unknown("4006381333932").1,
        UnknownCode::Invalid(CodeError::CheckDigit { .. })
    ));
    assert!(matches!(
        unknown("xyz").1,
        UnknownCode::Invalid(CodeError::NotAnEan { .. })
    ));
    // a price label of an article the shop does not have
    assert_eq!(unknown("2211114002394").1, UnknownCode::NotInCatalogue);
    // the JSON the UI gets
    let json = serde_json::to_value(s.catalog.scan("4000000000006").unwrap()).unwrap();
    assert_eq!(json["outcome"], "unknown");
    assert_eq!(json["reason"]["reason"], "not_in_catalogue");
}
