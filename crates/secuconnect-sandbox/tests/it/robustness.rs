//! Random bodies of random shapes on every route: always an answer, never a 5xx,
//! never a negative balance.

use crate::common;

use common::{assert_error_payload, basket_with_card, start, CARDS, STX};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use secuconnect_sandbox::demo;
use serde_json::{json, Map, Value};

const KEYS: [&str; 18] = [
    "basket",
    "basket_info",
    "sum",
    "currency",
    "gratuity",
    "products",
    "quantity",
    "priceOne",
    "ean",
    "idents",
    "type",
    "value",
    "cardnumber",
    "pin",
    "merchant",
    "merchantRef",
    "item_type",
    "is_demo",
];

fn random_value(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..if depth > 3 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(rng.random_range(-5_i64..5000)),
        3 => json!(rng.random::<i64>()),
        4 => json!(
            [
                "EUR",
                "card",
                "coupon",
                "4260447149502",
                "4260447149533",
                demo::CARD_GUIDE,
                "",
                "ö"
            ][rng.random_range(0..8)]
        ),
        5 => json!(rng.random::<f64>() * 100.0),
        6 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.random_range(0..5) {
                map.insert(
                    KEYS[rng.random_range(0..KEYS.len())].into(),
                    random_value(rng, depth + 1),
                );
            }
            Value::Object(map)
        }
    }
}

#[tokio::test]
async fn random_requests_get_answers_and_leave_the_state_sound() {
    let env = start().await;
    let mut rng = StdRng::seed_from_u64(0x5EC0_C0DE);
    let stx = env.create(basket_with_card(796, demo::CARD_GUIDE)).await;
    let stx_id = stx["id"].as_str().unwrap().to_string();
    let card_id = stx["idents"][0]["merchantcard"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let routes = [
        (Method::POST, STX.to_string()),
        (Method::GET, format!("{STX}?q=status:ok&sort=created:desc")),
        (Method::PUT, format!("{STX}/{stx_id}")),
        (Method::POST, format!("{STX}/{stx_id}/preTransaction")),
        (Method::POST, format!("{STX}/{stx_id}/start/cash")),
        (Method::POST, format!("{STX}/{stx_id}/start/cashless")),
        (Method::POST, format!("{STX}/{stx_id}/abort")),
        (Method::POST, format!("{STX}/{stx_id}/cancel")),
        (Method::POST, format!("{STX}/1/canceltrx")),
        (Method::POST, format!("{STX}/me/endOfDay")),
        (
            Method::POST,
            format!("{CARDS}/{card_id}/validateMerchantcard"),
        ),
        (Method::POST, format!("{CARDS}/{card_id}/checkPasscode")),
        (
            Method::GET,
            format!("{CARDS}?q=card.cardnumber:{}", demo::CARD_GUIDE),
        ),
        (Method::PATCH, format!("{STX}/{stx_id}")),
    ];
    for round in 0..400 {
        let (method, path) = &routes[rng.random_range(0..routes.len())];
        let body = random_value(&mut rng, 0);
        let mut req = env
            .http
            .request(method.clone(), env.url(path))
            .bearer_auth(&env.token);
        req = if round % 7 == 0 {
            req.header("content-type", "application/json")
                .body(format!("{body}").chars().rev().collect::<String>())
        } else {
            req.json(&body)
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(
            status.as_u16() < 500,
            "{method} {path} {body} → {status} {text}"
        );
        let answer: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        if !status.is_success() {
            assert_error_payload(&answer);
        }
    }
    for card in env.state().snapshot()["cards"].as_array().unwrap() {
        for key in ["balance", "cash_balance", "bonus_balance"] {
            assert!(card[key].as_i64().unwrap() >= 0, "{card}");
        }
    }
    assert_eq!(env.get(STX).await.0, StatusCode::OK);
}
