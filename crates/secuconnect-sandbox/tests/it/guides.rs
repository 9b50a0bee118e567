//! The requests of the provider's guides replayed against the sandbox: the
//! answers carry the guides' fields with the guides' types, and match the
//! schemas of `openapi-reconstructed.json`.

use crate::common;

use common::{fixture, schema, start, STX};
use reqwest::StatusCode;
use secuconnect_sandbox::{demo, CardScheme, Outcome, TerminalNext};
use serde_json::{json, Value};

/// Every field of the guide's answer is in ours, with the same JSON type where
/// both are not null (the provider sends null for unset fields). Arrays compare
/// their first elements.
fn assert_shape(guide: &Value, ours: &Value, skip: &[&str]) {
    let mut errors = Vec::new();
    shape(guide, ours, "", skip, &mut errors);
    assert!(errors.is_empty(), "{}\nours: {ours:#}", errors.join("\n"));
}

fn shape(guide: &Value, ours: &Value, path: &str, skip: &[&str], errors: &mut Vec<String>) {
    if guide.is_null() || ours.is_null() {
        return;
    }
    match (guide, ours) {
        (Value::Object(g), Value::Object(o)) => {
            for (k, gv) in g {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if skip.contains(&p.as_str()) {
                    continue;
                }
                match o.get(k) {
                    None => errors.push(format!("{p}: missing")),
                    Some(ov) => shape(gv, ov, &p, skip, errors),
                }
            }
        }
        (Value::Array(g), Value::Array(o)) => {
            if let (Some(gv), Some(ov)) = (g.first(), o.first()) {
                shape(gv, ov, &format!("{path}[0]"), skip, errors);
            }
        }
        (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_)) => {}
        (Value::Number(g), Value::Number(o)) if g.is_i64() == o.is_i64() => {}
        _ => errors.push(format!("{path}: guide {guide}, ours {ours}")),
    }
}

#[tokio::test]
async fn guide_01_token_and_checkout_transaction() {
    let env = start().await;
    // The guide's own test client credentials, exactly as printed.
    let (status, token) = env.oauth(fixture("guides/01-token-request.json")).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_shape(&fixture("guides/01-token-response.json"), &token, &[]);
    let guide_token = token["access_token"].as_str().unwrap();

    let (status, stx) = env
        .call_with(
            guide_token,
            reqwest::Method::POST,
            STX,
            Some(fixture("guides/01-create-request.json")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stx}");
    schema::assert_valid("SmartTransactionsProductModel", &stx);
    assert_shape(
        &fixture("guides/01-create-response.json"),
        &stx,
        &["customer.contact.salutation"],
    );
    assert_eq!(stx["basket_info"]["sum"], 500);
    assert_eq!(stx["contract"]["id"], "GCR_KTSST836QYITQJM1JGYIZ4F4OLKI04");
    assert_eq!(stx["customer"]["contact"]["name"], "Max Mustermann");
    assert!(stx["customer"]["id"].as_str().unwrap().starts_with("PCU_"));
    assert_eq!(stx["application_context"]["language"], "de");
    // Step 3: the general link opens Smart Checkout, here on the sandbox's own address.
    let id = stx["id"].as_str().unwrap();
    let general = stx["payment_links"]["general"].as_str().unwrap();
    assert_eq!(
        general,
        format!(
            "{}/checkout?stx={id}&contract=GCR_KTSST836QYITQJM1JGYIZ4F4OLKI04&server=sandbox",
            env.sandbox.url()
        )
    );
    let page = env.http.get(general).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("5,00 €"), "{page}");
    assert!(page.contains("PayPal"), "{page}");
}

#[tokio::test]
async fn other_client_credentials_are_still_refused() {
    let env = start().await;
    let mut request = fixture("guides/01-token-request.json");
    request["client_secret"] = json!("not-the-guides-secret");
    let (status, answer) = env.oauth(request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["error"], "invalid_client");
}

#[tokio::test]
async fn guide_02_create_then_update_with_card_and_basket() {
    let env = start().await;
    let (status, created) = env
        .post(STX, fixture("guides/02-create-minimal-request.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    schema::assert_valid("SmartTransactionsProductModel", &created);
    assert_shape(
        &fixture("guides/02-create-minimal-response.json"),
        &created,
        &[],
    );
    assert_eq!(created["device_source"]["id"], demo::DEVICE_ID);
    assert_eq!(created["merchant"]["companyname"], demo::MERCHANT_NAME);

    let path = format!("{STX}/{}", created["id"].as_str().unwrap());
    let (status, updated) = env
        .put(&path, fixture("guides/02-update-request.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    schema::assert_valid("SmartTransactionsProductModel", &updated);
    let guide = fixture("guides/02-update-response.json");
    assert_shape(&guide, &updated, &[]);
    assert_eq!(updated["basket_info"]["sum"], 796);
    assert_eq!(updated["merchantRef"], "customer nr. 123");
    assert_eq!(updated["transactionRef"], "order nr. 123");
    // The secucard is recognised, as in the guide.
    let (g, o) = (&guide["idents"][0], &updated["idents"][0]);
    for key in ["object", "prefix", "name", "type", "value", "valid"] {
        assert_eq!(o[key], g[key], "{key}");
    }
    let (gm, om) = (&g["merchantcard"], &o["merchantcard"]);
    for key in [
        "object",
        "id",
        "cash_balance",
        "bonus_balance",
        "balance",
        "stock_status",
        "lock_status",
        "passcode",
    ] {
        assert_eq!(om[key], gm[key], "merchantcard.{key}");
    }
    assert_eq!(om["card"]["cardnumber"], gm["card"]["cardnumber"]);
    assert_eq!(om["customer"]["id"], gm["customer"]["id"]);

    // The same at once (guide 02, last section): the same answer.
    let (status, at_once) = env
        .post(STX, fixture("guides/02-create-at-once-request.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{at_once}");
    assert_shape(&guide, &at_once, &[]);
    assert_eq!(at_once["basket"], updated["basket"]);
}

#[tokio::test]
async fn guide_03_load_request_answers_the_guides_transaction() {
    let env = start().await;
    let (status, stx) = env.post(STX, fixture("guides/03-load-request.json")).await;
    assert_eq!(status, StatusCode::OK, "{stx}");
    schema::assert_valid("SmartTransactionsProductModel", &stx);
    assert_shape(&fixture("guides/03-load-response.json"), &stx, &[]);
    assert_eq!(stx["basket"]["products"][0]["ean"], "4260447149502");
    assert_eq!(stx["basket"]["products"][0]["group"], json!([]));
    assert_eq!(stx["basket"]["type"], "default");
    assert_eq!(
        stx["transactions"],
        json!([]),
        "not charged before the payment"
    );
}

fn without_dynamic(line: &Value) -> Value {
    let mut line = line.clone();
    if let Some(v) = line.get_mut("value").and_then(Value::as_object_mut) {
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if ["Datum:", "Uhrzeit:", "Beleg-Nr.", "Trace-Nr."].contains(&name.as_str()) {
            v.remove("value");
        }
        if let Some(text) = v.get("text").and_then(Value::as_str) {
            // The merchant's name and store, and the card's expiry date.
            if text == "MUSTERFIRMA GmbH"
                || text == demo::MERCHANT_NAME.to_uppercase()
                || text.starts_with("Karte 1 gültig bis 1")
            {
                v.remove("text");
            }
        }
    }
    line
}

#[tokio::test]
async fn guide_04_an_elv_payment_prints_the_guides_receipts() {
    let env = start().await;
    let stx = env
        .create(json!({
            "basket": {"products": [{"id": 1, "desc": "Test", "quantity": 1, "priceOne": 1, "tax": 19}]},
            "basket_info": {"sum": 1, "currency": "EUR"}
        }))
        .await;
    env.state().next_terminal(TerminalNext {
        outcome: Outcome::Ok,
        card: Some(CardScheme::Elv),
    });
    let (status, paid) = env
        .post_empty(&format!(
            "{STX}/{}/start/cashless",
            stx["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    schema::assert_valid("SmartTransactionsProductModel", &paid);
    let guide = fixture("guides/04-start-cashless-response.json");
    assert_shape(&guide, &paid, &[]);
    assert_eq!(paid["status"], "ok");
    assert_eq!(paid["receipt_merchant_print"], true);
    for key in ["receipt", "receipt_merchant"] {
        let ours: Vec<Value> = paid[key]
            .as_array()
            .unwrap()
            .iter()
            .map(without_dynamic)
            .collect();
        let theirs: Vec<Value> = guide[key]
            .as_array()
            .unwrap()
            .iter()
            .map(without_dynamic)
            .collect();
        assert_eq!(ours, theirs, "{key}");
    }
}

#[tokio::test]
async fn guide_05_cash_payment_uses_the_card_balance() {
    let env = start().await;
    let stx = env
        .create(fixture("guides/02-create-at-once-request.json"))
        .await;
    let (status, paid) = env
        .post_empty(&format!("{STX}/{}/start/cash", stx["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    schema::assert_valid("SmartTransactionsProductModel", &paid);
    let guide = fixture("guides/05-start-cash-response.json");
    assert_shape(&guide, &paid, &[]);
    assert_eq!(paid["status"], "ok");
    assert_eq!(paid["payment_method"], "cash");
    assert!(paid["trans_id"].is_string(), "a string, as in the guide");
    assert_eq!(
        paid["idents"][0]["merchantcard"]["balance"], 0,
        "as in the guide"
    );
    let ours: Vec<Value> = paid["receipt"].as_array().unwrap()[..4].to_vec();
    let theirs = guide["receipt"].as_array().unwrap();
    for (o, t) in ours.iter().zip(theirs) {
        assert_eq!(o["type"], t["type"]);
        assert_eq!(o["value"]["name"], t["value"]["name"]);
        assert_eq!(o["value"]["caption"], t["value"]["caption"]);
    }
    assert_eq!(ours[1]["value"]["value"], demo::CARD_GUIDE);
}

#[tokio::test]
async fn every_answer_kind_matches_its_schema() {
    let env = start().await;
    let stx = env
        .create(common::basket_with_card(796, demo::CARD_GUIDE))
        .await;
    let id = stx["id"].as_str().unwrap();
    let (_, pre) = env.post_empty(&format!("{STX}/{id}/preTransaction")).await;
    schema::assert_valid("SmartTransactionsPreTransactionModel", &pre);
    let (_, paid) = env.post_empty(&format!("{STX}/{id}/start/cashless")).await;
    schema::assert_valid("SmartTransactionsProductModel", &paid);
    let (_, list) = env.get(&format!("{STX}?q=status:ok")).await;
    schema::assert_valid("SmartTransactionsList", &list);
    let (_, eod) = env.post_empty(&format!("{STX}/me/endOfDay")).await;
    schema::assert_valid("SmartTransactionsProductModel", &eod);
    let (_, cards) = env.get(common::CARDS).await;
    schema::assert_valid("LoyaltyMerchantcardsList", &cards);
    let (_, error) = env.get(&format!("{STX}/STX_NONE")).await;
    schema::assert_valid("ProductExceptionPayload", &error);
    // The check itself catches a wrong type.
    let mut broken = paid.clone();
    broken["receipt_number"] = json!("three");
    assert!(!schema::validate("SmartTransactionsProductModel", &broken).is_empty());
    broken = paid.clone();
    broken["idents"][0]["merchantcard"]["balance"] = json!("5,00");
    assert!(!schema::validate("SmartTransactionsProductModel", &broken).is_empty());
}

#[test]
fn the_shape_check_catches_missing_fields_and_wrong_types() {
    let mut errors = Vec::new();
    shape(
        &json!({"a": 1, "b": {"c": "x"}, "d": [{"e": true}], "n": null}),
        &json!({"a": "1", "b": {}, "d": [{"e": 1}], "n": 5}),
        "",
        &[],
        &mut errors,
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
}
