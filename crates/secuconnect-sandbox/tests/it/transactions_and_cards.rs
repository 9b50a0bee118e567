//! Smart transactions and secucards: every rule of the API over loopback HTTP.

use crate::common;

use common::{assert_error_payload, basket, basket_with_card, schema, start, CARDS, STX};
use reqwest::{Method, StatusCode};
use secuconnect_sandbox::demo;
use serde_json::{json, Value};

fn id(stx: &Value) -> String {
    stx["id"].as_str().unwrap().to_string()
}

async fn assert_refused(
    env: &common::Env,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: StatusCode,
) -> Value {
    let (got, answer) = env.call(method, path, body.clone()).await;
    assert_eq!(got, status, "{path} {body:?} → {answer}");
    assert_error_payload(&answer);
    answer
}

#[tokio::test]
async fn wrong_types_and_malformed_bodies_are_refused_without_harm() {
    let env = start().await;
    let bad_bodies = [
        json!({"basket_info": {"sum": -1, "currency": "EUR"}}),
        json!({"basket_info": {"sum": 1.5, "currency": "EUR"}}),
        json!({"basket_info": {"sum": "500", "currency": "EUR"}}),
        json!({"basket_info": {"sum": 500, "currency": "USD"}}),
        json!({"basket_info": {"sum": 500, "currency": 978}}),
        json!({"basket_info": {"currency": "EUR"}}),
        json!({"basket_info": 500}),
        json!({"basket_info": {"sum": 500, "gratuity": -5}}),
        json!({"basket": {"products": [{"quantity": 1, "priceOne": 100}]}}),
        json!({"basket": {"products": [{"quantity": 1, "priceOne": 100}]}, "basket_info": {"sum": 99}}),
        json!({"basket": {"products": [{"quantity": -1, "priceOne": 100}]}, "basket_info": {"sum": 0}}),
        json!({"basket": {"products": [{"quantity": 1, "priceOne": "1,00"}]}, "basket_info": {"sum": 100}}),
        json!({"basket": {"products": [{"quantity": 1}]}, "basket_info": {"sum": 0}}),
        json!({"basket": {"products": [{"quantity": 1, "priceOne": 1, "ean": 4_999_012_345_678_i64}]}, "basket_info": {"sum": 1}}),
        json!({"basket": {"products": [{"quantity": 9_000_000_000_000_000_000_u64, "priceOne": 2}]}, "basket_info": {"sum": 1}}),
        json!({"basket": {"products": [{"quantity": 4_611_686_018_427_387_904_i64, "priceOne": 2}]}, "basket_info": {"sum": 1}}),
        json!({"basket": {"products": "none"}, "basket_info": {"sum": 0}}),
        json!({"basket": {"products": [7]}, "basket_info": {"sum": 0}}),
        json!({"basket": [], "basket_info": {"sum": 0}}),
        json!({"basket_info": {"sum": 1}, "idents": [{"type": "card", "value": 9_276_004_429_942_845_i64}]}),
        json!({"basket_info": {"sum": 1}, "idents": [{"type": "voucher", "value": "1"}]}),
        json!({"basket_info": {"sum": 1}, "idents": "9276004429942845"}),
        json!({"basket_info": {"sum": 1}, "merchantRef": 5}),
        json!({"basket_info": {"sum": 1}, "is_demo": "yes"}),
        json!({"basket_info": {"sum": 1}, "intent": "steal"}),
        json!({"basket_info": {"sum": 1}, "customer": "Max"}),
        json!([1, 2, 3]),
        json!("text"),
    ];
    for body in bad_bodies {
        assert_refused(&env, Method::POST, STX, Some(body), StatusCode::BAD_REQUEST).await;
    }
    for raw in ["{\"basket_info\":", "", "null", "\u{0}"] {
        let resp = env
            .http
            .post(env.url(STX))
            .bearer_auth(&env.token)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{raw:?}");
        assert_error_payload(&resp.json().await.unwrap());
    }
    assert!(env.state().transaction_ids().is_empty());

    // Unknown ids and routes.
    for (method, path) in [
        (Method::GET, format!("{STX}/STX_UNKNOWN")),
        (Method::PUT, format!("{STX}/STX_UNKNOWN")),
        (Method::POST, format!("{STX}/STX_UNKNOWN/preTransaction")),
        (Method::POST, format!("{STX}/STX_UNKNOWN/start/cash")),
        (Method::POST, format!("{STX}/STX_UNKNOWN/start/cashless")),
        (Method::POST, format!("{STX}/STX_UNKNOWN/abort")),
        (Method::POST, format!("{STX}/STX_UNKNOWN/cancel")),
        (Method::POST, format!("{STX}/999/canceltrx")),
        (Method::POST, format!("{STX}/SDV_UNKNOWN/endOfDay")),
        (Method::GET, format!("{CARDS}/MCD_UNKNOWN")),
        (Method::GET, "/api/v2/Nothing/Here".to_string()),
    ] {
        let body = (method == Method::PUT).then(|| basket(1));
        assert_refused(&env, method, &path, body, StatusCode::NOT_FOUND).await;
    }
    let stx = env.create(basket(100)).await;
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/paypal", id(&stx)),
        None,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/cash", id(&stx)),
        Some(json!([1])),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_refused(
        &env,
        Method::DELETE,
        &format!("{STX}/{}", id(&stx)),
        None,
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;
    assert_refused(
        &env,
        Method::GET,
        &format!("{STX}?count=ten"),
        None,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_refused(
        &env,
        Method::GET,
        &format!("{STX}?q=status"),
        None,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_refused(
        &env,
        Method::GET,
        &format!("{STX}?sort=created:up"),
        None,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/abc/canceltrx"),
        None,
        StatusCode::BAD_REQUEST,
    )
    .await;
    // A path that is not UTF-8: still the provider's payload.
    assert_refused(
        &env,
        Method::GET,
        &format!("{STX}/%FF%FE"),
        None,
        StatusCode::BAD_REQUEST,
    )
    .await;
    // Still serving after all of that.
    assert_eq!(
        env.get(&format!("{STX}/{}", id(&stx))).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn update_changes_the_basket_only_before_the_payment() {
    let env = start().await;
    let stx = env
        .create(json!({"basket_info": {"sum": 0, "currency": "EUR"}}))
        .await;
    let path = format!("{STX}/{}", id(&stx));
    let (status, updated) = env
        .put(&path, json!({
            "basket": {"products": [
                {"id": 1, "desc": "Brot", "quantity": 2, "priceOne": 250, "tax": 7},
                {"id": 2, "desc": "Rabatt", "item_type": "coupon", "quantity": 1, "priceOne": 100, "tax": 7}
            ]},
            "basket_info": {"sum": 400, "currency": "EUR"},
            "merchantRef": "Kunde 7",
            "transactionRef": "Bon 42"
        }))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["basket_info"]["sum"], 400);
    assert_eq!(updated["merchantRef"], "Kunde 7");
    assert_eq!(updated["basket"]["products"][0]["item_type"], "article");
    assert!(updated["updated"].is_string());
    schema::assert_valid("SmartTransactionsProductModel", &updated);

    // A basket without basket_info, or a sum that is not the total, changes nothing.
    assert_refused(
        &env,
        Method::PUT,
        &path,
        Some(json!({"basket": {"products": []}})),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_refused(
        &env,
        Method::PUT,
        &path,
        Some(json!({"basket_info": {"sum": 500}})),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(env.get(&path).await.1["basket_info"]["sum"], 400);

    let (status, paid) = env.post_empty(&format!("{path}/start/cash")).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    let answer = assert_refused(
        &env,
        Method::PUT,
        &path,
        Some(basket(100)),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(answer["error_user"]
        .as_str()
        .unwrap()
        .contains("nach der Zahlung"));
    assert_eq!(env.get(&path).await.1["basket_info"]["sum"], 400);
}

#[tokio::test]
async fn list_filters_counts_pages_and_sorts() {
    let env = start().await;
    let mut ids = Vec::new();
    for (i, sum) in [300, 100, 200, 500, 400].iter().enumerate() {
        let mut body = basket(*sum);
        body["merchantRef"] = json!(format!("Kunde {i}"));
        ids.push(id(&env.create(body).await));
    }
    env.post_empty(&format!("{STX}/{}/start/cash", ids[1]))
        .await;
    env.post_empty(&format!("{STX}/{}/start/cash", ids[3]))
        .await;

    let (status, all) = env.get(STX).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["count"], 5);
    schema::assert_valid("SmartTransactionsList", &all);
    let order: Vec<String> = all["data"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(order, ids, "oldest first without sort");

    let (_, paid) = env.get(&format!("{STX}?q=status:ok")).await;
    assert_eq!(paid["count"], 2);
    let (_, q) = env
        .get(&format!(
            "{STX}?q={}",
            urlencode("status:created AND basket_info.sum:[200 TO 400]")
        ))
        .await;
    assert_eq!(q["count"], 3);
    let (_, q) = env
        .get(&format!("{STX}?q={}", urlencode("merchantRef:\"Kunde 4\"")))
        .await;
    assert_eq!(q["count"], 1);
    assert_eq!(q["data"][0]["id"], ids[4].as_str());

    let (_, page) = env
        .get(&format!("{STX}?sort=basket_info.sum:desc&count=2&offset=1"))
        .await;
    assert_eq!(page["count"], 5, "count is the number of matches");
    let sums: Vec<i64> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["basket_info"]["sum"].as_i64().unwrap())
        .collect();
    assert_eq!(sums, vec![400, 300]);
    let (_, asc) = env
        .get(&format!("{STX}?sort=basket_info.sum:asc&count=1"))
        .await;
    assert_eq!(asc["data"][0]["basket_info"]["sum"], 100);
    let (_, none) = env.get(&format!("{STX}?offset=10")).await;
    assert_eq!(none["data"], json!([]));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_card_balance_pays_the_rest_of_a_cash_payment() {
    let env = start().await;
    let stx = env.create(basket_with_card(796, demo::CARD_GUIDE)).await;
    assert_eq!(stx["idents"][0]["valid"], true);
    assert_eq!(stx["idents"][0]["merchantcard"]["balance"], 500);
    let path = format!("{STX}/{}", id(&stx));
    let (status, pre) = env.post_empty(&format!("{path}/preTransaction")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pre, json!({"missing_sum": 296, "bonus_products": []}));
    schema::assert_valid("SmartTransactionsPreTransactionModel", &pre);
    assert_eq!(
        env.card_balance(demo::CARD_GUIDE),
        500,
        "preTransaction moves nothing"
    );

    let (status, paid) = env.post_empty(&format!("{path}/start/cash")).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["status"], "ok");
    assert_eq!(paid["payment_method"], "cash");
    assert_eq!(paid["transactions"][0]["object"], "loyalty.transactions");
    assert!(paid["transactions"][0]["id"]
        .as_str()
        .unwrap()
        .starts_with("LTX_"));
    assert_eq!(paid["idents"][0]["merchantcard"]["balance"], 0);
    let receipt = paid["receipt"].as_array().unwrap();
    assert_eq!(
        receipt[0],
        json!({"type": "separator", "value": {"caption": "Kundenkarte"}})
    );
    assert_eq!(receipt[1]["value"]["value"], demo::CARD_GUIDE);
    assert_eq!(receipt[2]["value"]["name"], "TA Code:");
    assert_eq!(receipt[2]["value"]["value"], paid["trans_id"]);
    assert!(receipt.iter().any(|l| l["value"]["value"] == "5,00 EUR"));
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 0);

    // Nothing left on the card: the next sale is paid fully by the till.
    let next = env.create(basket_with_card(100, demo::CARD_GUIDE)).await;
    let (_, pre) = env
        .post_empty(&format!("{STX}/{}/preTransaction", id(&next)))
        .await;
    assert_eq!(pre["missing_sum"], 100);
    let (_, paid2) = env
        .post_empty(&format!("{STX}/{}/start/cash", id(&next)))
        .await;
    let (a, b) = (
        paid["trans_id"].as_str().unwrap().parse::<u64>().unwrap(),
        paid2["trans_id"].as_str().unwrap().parse::<u64>().unwrap(),
    );
    assert_eq!(b, a + 1);
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 0, "never negative");

    // Without a card the till pays everything.
    let plain = env.create(basket(350)).await;
    let (_, pre) = env
        .post_empty(&format!("{STX}/{}/preTransaction", id(&plain)))
        .await;
    assert_eq!(pre["missing_sum"], 350);
}

#[tokio::test]
async fn bonus_is_spent_first_and_a_full_balance_covers_the_sale() {
    let env = start().await;
    let stx = env.create(basket_with_card(1100, demo::CARD_BONUS)).await;
    let (_, pre) = env
        .post_empty(&format!("{STX}/{}/preTransaction", id(&stx)))
        .await;
    assert_eq!(pre["missing_sum"], 0);
    let (status, paid) = env
        .post_empty(&format!("{STX}/{}/start/cash", id(&stx)))
        .await;
    assert_eq!(status, StatusCode::OK);
    let card = &paid["idents"][0]["merchantcard"];
    assert_eq!(card["bonus_balance"], 0);
    assert_eq!(card["cash_balance"], 150);
    assert_eq!(card["balance"], 150);
    assert_eq!(card["points"], 340);
}

#[tokio::test]
async fn a_card_load_raises_the_balance_once_paid_and_cancel_takes_it_back() {
    let env = start().await;
    let mut body = basket_with_card(0, demo::CARD_GUIDE);
    body["basket"]["products"] = json!([
        {"id": 1, "desc": "Brötchen", "quantity": 1, "priceOne": 300, "tax": 7},
        {"id": 2, "ean": "4260447149519", "desc": "Kartenaufladung 10 EUR", "quantity": 1, "priceOne": 1000, "tax": 0}
    ]);
    body["basket_info"]["sum"] = json!(1300);
    let stx = env.create(body).await;
    let path = format!("{STX}/{}", id(&stx));
    // The card pays the article, never the load; the till collects the load.
    let (_, pre) = env.post_empty(&format!("{path}/preTransaction")).await;
    assert_eq!(pre["missing_sum"], 1000);
    assert_eq!(
        env.card_balance(demo::CARD_GUIDE),
        500,
        "not loaded before the payment"
    );
    let (status, paid) = env.post_empty(&format!("{path}/start/cash")).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 500 - 300 + 1000);
    assert!(paid["idents"][0]["merchantcard"]["last_charge"].is_string());

    let (status, cancelled) = env.post_empty(&format!("{path}/cancel")).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 500);
    assert_refused(
        &env,
        Method::POST,
        &format!("{path}/cancel"),
        None,
        StatusCode::CONFLICT,
    )
    .await;

    // A load that was spent meanwhile cannot be taken back.
    let load = env.create(json!({
        "idents": [{"type": "card", "value": demo::CARD_EMPTY}],
        "basket": {"products": [{"id": 1, "ean": "4260447149502", "desc": "Aufladung", "quantity": 1, "priceOne": 1500, "tax": 0}]},
        "basket_info": {"sum": 1500, "currency": "EUR"}
    })).await;
    env.post_empty(&format!("{STX}/{}/start/cash", id(&load)))
        .await;
    assert_eq!(env.card_balance(demo::CARD_EMPTY), 1500);
    let spend = env.create(basket_with_card(1000, demo::CARD_EMPTY)).await;
    env.post_empty(&format!("{STX}/{}/start/cash", id(&spend)))
        .await;
    assert_eq!(env.card_balance(demo::CARD_EMPTY), 500);
    let answer = assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/cancel", id(&load)),
        None,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(answer["error_user"]
        .as_str()
        .unwrap()
        .contains("verbraucht"));
    assert_eq!(env.card_balance(demo::CARD_EMPTY), 500);
}

#[tokio::test]
async fn pay_from_card_lines_take_exactly_their_amount_from_the_card() {
    let env = start().await;
    let mut body = basket_with_card(0, demo::CARD_GUIDE);
    body["basket"]["products"] = json!([
        {"id": 1, "desc": "Kaffee", "quantity": 1, "priceOne": 300, "tax": 19},
        {"id": 2, "ean": "4260447149533", "desc": "Zahlung mit Guthaben", "quantity": 1, "priceOne": 200, "tax": 0}
    ]);
    body["basket_info"]["sum"] = json!(500);
    let stx = env.create(body.clone()).await;
    let (_, pre) = env
        .post_empty(&format!("{STX}/{}/preTransaction", id(&stx)))
        .await;
    assert_eq!(pre["missing_sum"], 300);
    env.post_empty(&format!("{STX}/{}/start/cash", id(&stx)))
        .await;
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 300);

    // More than the balance is refused and moves nothing.
    body["basket"]["products"][1]["ean"] = json!("4260447149540");
    body["basket"]["products"][1]["priceOne"] = json!(400);
    body["basket_info"]["sum"] = json!(700);
    let stx = env.create(body).await;
    let answer = assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/cash", id(&stx)),
        None,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(answer["error_user"].as_str().unwrap().contains("Guthaben"));
    assert_eq!(env.card_balance(demo::CARD_GUIDE), 300);

    // Without a card such a line makes no sense.
    let mut no_card = basket(100);
    no_card["basket"]["products"][0]["ean"] = json!("4260447149533");
    let stx = env.create(no_card).await;
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/cash", id(&stx)),
        None,
        StatusCode::CONFLICT,
    )
    .await;
}

#[tokio::test]
async fn locked_inactive_stored_and_unknown_cards_behave_as_the_api_describes() {
    let env = start().await;
    for (card, valid, needle) in [
        (demo::CARD_LOCKED, false, "gesperrt"),
        (demo::CARD_INACTIVE, false, "nicht aktiv"),
        (demo::CARD_STORED, false, "nicht ausgegeben"),
        (demo::CARD_UNKNOWN, false, "unbekannt"),
    ] {
        let before = env.state().card(card);
        let stx = env.create(basket_with_card(500, card)).await;
        assert_eq!(stx["idents"][0]["valid"], valid, "{card}");
        schema::assert_valid("SmartTransactionsProductModel", &stx);
        for step in ["preTransaction", "start/cash", "start/cashless"] {
            let answer = assert_refused(
                &env,
                Method::POST,
                &format!("{STX}/{}/{step}", id(&stx)),
                None,
                StatusCode::CONFLICT,
            )
            .await;
            assert_eq!(answer["code"], 1004);
            assert!(
                answer["error_user"].as_str().unwrap().contains(needle),
                "{card}: {answer}"
            );
        }
        assert_eq!(env.state().card(card), before, "{card} unchanged");
        assert_eq!(
            env.get(&format!("{STX}/{}", id(&stx))).await.1["status"],
            "created"
        );
    }
    let locked = env.create(basket_with_card(1, demo::CARD_LOCKED)).await;
    assert_eq!(locked["idents"][0]["merchantcard"]["lock_status"], "locked");
    let unknown = env.create(basket_with_card(1, demo::CARD_UNKNOWN)).await;
    assert_eq!(unknown["idents"][0]["merchantcard"], Value::Null);

    // A stored card is activated by its first load.
    let stx = env.create(json!({
        "idents": [{"type": "card", "value": demo::CARD_STORED}],
        "basket": {"products": [{"id": 1, "ean": "4260447149502", "desc": "Aufladung", "quantity": 1, "priceOne": 2000, "tax": 0}]},
        "basket_info": {"sum": 2000, "currency": "EUR"}
    })).await;
    let (status, paid) = env
        .post_empty(&format!("{STX}/{}/start/cash", id(&stx)))
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["idents"][0]["valid"], true);
    assert_eq!(paid["idents"][0]["merchantcard"]["stock_status"], "active");
    assert_eq!(env.card_balance(demo::CARD_STORED), 2000);
}

#[tokio::test]
async fn a_passcode_card_pays_only_after_a_correct_passcode_each_time() {
    let env = start().await;
    let stx = env.create(basket_with_card(500, demo::CARD_PASSCODE)).await;
    let card_id = stx["idents"][0]["merchantcard"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(stx["idents"][0]["merchantcard"]["passcode"], 1);
    let answer = assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/cash", id(&stx)),
        None,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(answer["code"], 1005);

    let check = format!("{CARDS}/{card_id}/checkPasscode");
    let (status, wrong) = env
        .post(
            &check,
            json!({"cardnumber": demo::CARD_PASSCODE, "pin": 1111}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(wrong, json!({"result": false}));
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/cash", id(&stx)),
        None,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_refused(
        &env,
        Method::POST,
        &check,
        Some(json!({"pin": "x"})),
        StatusCode::BAD_REQUEST,
    )
    .await;

    let (_, right) = env
        .post(
            &check,
            json!({"cardnumber": demo::CARD_PASSCODE, "pin": 1234}),
        )
        .await;
    assert_eq!(right, json!({"result": true}));
    schema::assert_valid("ResultBoolean", &right);
    let (status, paid) = env
        .post_empty(&format!("{STX}/{}/start/cash", id(&stx)))
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(env.card_balance(demo::CARD_PASSCODE), 1500);

    // The check was good for one payment only.
    let next = env.create(basket_with_card(100, demo::CARD_PASSCODE)).await;
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/cash", id(&next)),
        None,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn merchant_cards_are_found_read_and_validated() {
    let env = start().await;
    let (status, found) = env
        .get(&format!("{CARDS}?q=card.cardnumber:{}", demo::CARD_GUIDE))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["count"], 1);
    schema::assert_valid("LoyaltyMerchantcardsList", &found);
    let card = &found["data"][0];
    assert_eq!(card["object"], "loyalty.merchantcards");
    assert_eq!(card["id"], "MCD_2RXTNXPRM2YG9922UMBHHAEWEGN6AJ");
    assert_eq!(card["card"]["cardnumber"], demo::CARD_GUIDE);
    assert_eq!(card["balance"], 500);
    assert_eq!(card["stock_status"], "active");
    assert_eq!(card["lock_status"], "unlocked");
    assert_eq!(card["passcode"], 0);

    let (_, none) = env
        .get(&format!("{CARDS}?q=card.cardnumber:{}", demo::CARD_UNKNOWN))
        .await;
    assert_eq!(none, json!({"count": 0, "data": []}));
    let (_, all) = env.get(CARDS).await;
    assert_eq!(all["count"], 7);

    let (status, one) = env
        .get(&format!("{CARDS}/{}", card["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&one, card);
    schema::assert_valid("LoyaltyMerchantcardsProductModel", &one);

    let validate = format!("{CARDS}/me/validateMerchantcard");
    for (number, merchant, expected) in [
        (
            demo::CARD_GUIDE,
            demo::MERCHANT_ID,
            json!({"isValid": true, "hasPasscode": false, "isLocked": false}),
        ),
        (
            demo::CARD_LOCKED,
            demo::MERCHANT_ID,
            json!({"isValid": false, "hasPasscode": false, "isLocked": true}),
        ),
        (
            demo::CARD_INACTIVE,
            demo::MERCHANT_ID,
            json!({"isValid": false, "hasPasscode": false, "isLocked": false}),
        ),
        (
            demo::CARD_PASSCODE,
            demo::MERCHANT_ID,
            json!({"isValid": true, "hasPasscode": true, "isLocked": false}),
        ),
        (
            demo::CARD_UNKNOWN,
            demo::MERCHANT_ID,
            json!({"isValid": false, "hasPasscode": false, "isLocked": false}),
        ),
        (
            demo::CARD_GUIDE,
            "MRC_SOMEBODY_ELSE",
            json!({"isValid": false, "hasPasscode": false, "isLocked": false}),
        ),
    ] {
        let (status, answer) = env
            .post(
                &validate,
                json!({"cardnumber": number, "merchant": merchant}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer, expected, "{number}");
        schema::assert_valid("LoyaltyMerchantcardsValidateMerchantCard", &answer);
    }
    assert_refused(
        &env,
        Method::POST,
        &validate,
        Some(json!({"cardnumber": 9276})),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_refused(
        &env,
        Method::POST,
        &validate,
        Some(json!({})),
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn abort_and_cancel_of_unpaid_transactions() {
    let env = start().await;
    let a = env.create(basket(100)).await;
    let (status, aborted) = env.post_empty(&format!("{STX}/{}/abort", id(&a))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(aborted["status"], "cancelled");
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/cash", id(&a)),
        None,
        StatusCode::CONFLICT,
    )
    .await;
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/abort", id(&a)),
        None,
        StatusCode::CONFLICT,
    )
    .await;

    let c = env.create(basket(100)).await;
    let (status, cancelled) = env.post_empty(&format!("{STX}/{}/cancel", id(&c))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["status"], "cancelled");

    let p = env.create(basket(100)).await;
    env.post_empty(&format!("{STX}/{}/start/cash", id(&p)))
        .await;
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/abort", id(&p)),
        None,
        StatusCode::CONFLICT,
    )
    .await;
    assert_refused(
        &env,
        Method::POST,
        &format!("{STX}/{}/start/cash", id(&p)),
        None,
        StatusCode::CONFLICT,
    )
    .await;
    let (status, cancelled) = env.post_empty(&format!("{STX}/{}/cancel", id(&p))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["status"], "cancelled");
}

#[tokio::test]
async fn control_cards_put_changes_and_adds_cards() {
    let env = start().await;
    let (status, card) = env
        .control(
            "/_sandbox/cards",
            json!({"cardnumber": "9276123412341234", "cash_balance": 4200}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert_eq!(card["balance"], 4200);
    assert_eq!(card["stock_status"], "active");
    let (_, found) = env
        .get(&format!("{CARDS}?q=card.cardnumber:9276123412341234"))
        .await;
    assert_eq!(found["data"][0]["balance"], 4200);
    let (status, _) = env
        .control(
            "/_sandbox/cards",
            json!({"cardnumber": demo::CARD_GUIDE, "lock_status": "locked"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let stx = env.create(basket_with_card(100, demo::CARD_GUIDE)).await;
    assert_eq!(stx["idents"][0]["valid"], false);
    for bad in [
        json!({"cardnumber": "abc"}),
        json!({"cardnumber": "1", "cash_balance": -1}),
        json!({"cardnumber": "1", "lock_status": "maybe"}),
        json!({"cardnumber": "1", "colour": "red"}),
    ] {
        let (status, answer) = env.control("/_sandbox/cards", bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error_payload(&answer);
    }
}
