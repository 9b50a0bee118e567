//! Checks of a smart transaction's request body: amounts, currency, basket total,
//! idents, and the fields the provider adds to every product.

use serde_json::{json, Map, Value};

use crate::cards::{LOAD_EANS, PAY_FROM_CARD_EANS};
use crate::error::ApiError;

/// What a create or update request asks for, checked.
#[derive(Debug, Clone)]
pub struct Draft {
    pub basket: Option<Value>,
    pub basket_info: Option<Value>,
    /// Card numbers of `idents` of type `card`, if given.
    pub cards: Option<Vec<String>>,
}

fn optional_string(body: &Map<String, Value>, key: &str) -> Result<(), ApiError> {
    match body.get(key) {
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be a string"))),
    }
}

fn non_negative_int(v: &Value, what: &str) -> Result<i64, ApiError> {
    v.as_i64()
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::bad_request(format!("{what} must be an integer >= 0")))
}

/// Checks the body of a create or update. `current_basket` is the basket an
/// update keeps when it sends none.
pub fn check(body: &Map<String, Value>, current_basket: Option<&Value>) -> Result<Draft, ApiError> {
    for key in ["merchantRef", "transactionRef", "intent"] {
        optional_string(body, key)?;
    }
    if let Some(intent) = body.get("intent").and_then(Value::as_str) {
        if intent != "sale" && intent != "order" {
            return Err(ApiError::bad_request(format!(
                "intent must be sale or order, not {intent:?}"
            )));
        }
    }
    match body.get("is_demo") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => {}
        Some(_) => return Err(ApiError::bad_request("is_demo must be a boolean")),
    }
    for key in [
        "contract",
        "device_source",
        "customer",
        "application_context",
    ] {
        match body.get(key) {
            None | Some(Value::Null) | Some(Value::Object(_)) => {}
            Some(_) => return Err(ApiError::bad_request(format!("{key} must be an object"))),
        }
    }

    let basket = match body.get("basket") {
        None | Some(Value::Null) => None,
        Some(Value::Object(b)) => Some(normalise_basket(b)?),
        Some(_) => return Err(ApiError::bad_request("basket must be an object")),
    };
    let basket_info = match body.get("basket_info") {
        None | Some(Value::Null) => None,
        Some(Value::Object(info)) => Some(info),
        Some(_) => return Err(ApiError::bad_request("basket_info must be an object")),
    };
    let basket_info = match basket_info {
        Some(info) => {
            let sum = info
                .get("sum")
                .ok_or_else(|| ApiError::bad_request("basket_info.sum is required"))
                .and_then(|v| non_negative_int(v, "basket_info.sum"))?;
            let gratuity = match info.get("gratuity") {
                None | Some(Value::Null) => None,
                Some(v) => Some(non_negative_int(v, "basket_info.gratuity")?),
            };
            let currency = match info.get("currency") {
                None | Some(Value::Null) => "EUR",
                Some(Value::String(c)) => c.as_str(),
                Some(_) => {
                    return Err(ApiError::bad_request(
                        "basket_info.currency must be a string",
                    ))
                }
            };
            if currency != "EUR" {
                return Err(ApiError::bad_request(format!(
                    "currency {currency} is not supported, only EUR"
                )));
            }
            let products = basket.as_ref().or(current_basket);
            if let Some(total) = products.map(basket_total).transpose()? {
                let expected = total + gratuity.unwrap_or(0);
                let has_products = products
                    .and_then(|b| b.get("products"))
                    .and_then(Value::as_array)
                    .is_some_and(|p| !p.is_empty());
                if has_products && expected != sum {
                    return Err(ApiError::bad_request(format!(
                        "basket_info.sum {sum} does not match the basket total {expected}"
                    )));
                }
            }
            Some(json!({"sum": sum, "gratuity": gratuity, "currency": currency}))
        }
        None if basket.is_some() => {
            return Err(ApiError::bad_request(
                "basket_info is required with a basket",
            ))
        }
        None => None,
    };

    let cards = match body.get("idents") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut cards = Vec::new();
            for item in items {
                let obj = item
                    .as_object()
                    .ok_or_else(|| ApiError::bad_request("every ident must be an object"))?;
                match obj.get("type").and_then(Value::as_str) {
                    Some("card") => {}
                    Some(other) => {
                        return Err(ApiError::bad_request(format!(
                            "ident type {other:?} is not supported, only card"
                        )))
                    }
                    None => return Err(ApiError::bad_request("ident.type must be a string")),
                }
                let number = obj.get("value").and_then(Value::as_str).ok_or_else(|| {
                    ApiError::bad_request("ident.value must be a string (the card number)")
                })?;
                if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
                    return Err(ApiError::bad_request(format!(
                        "ident.value {number:?} is not a card number"
                    )));
                }
                cards.push(number.to_string());
            }
            Some(cards)
        }
        Some(_) => return Err(ApiError::bad_request("idents must be a list")),
    };

    Ok(Draft {
        basket,
        basket_info,
        cards,
    })
}

/// Quantity × unit price over all products; coupons reduce the total.
pub fn basket_total(basket: &Value) -> Result<i64, ApiError> {
    let mut total: i64 = 0;
    for p in products(basket) {
        let line = line_total(p)?;
        total = if p.get("item_type").and_then(Value::as_str) == Some("coupon") {
            total.checked_sub(line)
        } else {
            total.checked_add(line)
        }
        .ok_or_else(|| ApiError::bad_request("basket amount out of range"))?;
    }
    if total < 0 {
        return Err(ApiError::bad_request(
            "the basket total must not be negative",
        ));
    }
    Ok(total)
}

fn line_total(p: &Value) -> Result<i64, ApiError> {
    let q = p.get("quantity").and_then(Value::as_i64).unwrap_or(0);
    let price = p.get("priceOne").and_then(Value::as_i64).unwrap_or(0);
    q.checked_mul(price)
        .ok_or_else(|| ApiError::bad_request("basket amount out of range"))
}

pub fn products(basket: &Value) -> impl Iterator<Item = &Value> {
    basket
        .get("products")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The total of the lines with one of `eans`.
pub fn total_of_eans(basket: Option<&Value>, eans: &[&str]) -> i64 {
    basket
        .map(|b| {
            products(b)
                .filter(|p| {
                    p.get("ean")
                        .and_then(Value::as_str)
                        .is_some_and(|e| eans.contains(&e))
                })
                .map(|p| line_total(p).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

pub fn load_total(basket: Option<&Value>) -> i64 {
    total_of_eans(basket, &LOAD_EANS)
}

pub fn pay_from_card_total(basket: Option<&Value>) -> i64 {
    total_of_eans(basket, &PAY_FROM_CARD_EANS)
}

/// Checks every product and fills in the fields the provider adds.
fn normalise_basket(basket: &Map<String, Value>) -> Result<Value, ApiError> {
    let products = match basket.get("products") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(p)) => p.clone(),
        Some(_) => return Err(ApiError::bad_request("basket.products must be a list")),
    };
    let mut out = Vec::with_capacity(products.len());
    for (i, mut p) in products.into_iter().enumerate() {
        let obj = p.as_object_mut().ok_or_else(|| {
            ApiError::bad_request(format!("basket.products[{i}] must be an object"))
        })?;
        for key in ["quantity", "priceOne"] {
            let v = obj.get(key).ok_or_else(|| {
                ApiError::bad_request(format!("basket.products[{i}].{key} is required"))
            })?;
            non_negative_int(v, &format!("basket.products[{i}].{key}"))?;
        }
        for key in ["tax", "id", "parent"] {
            match obj.get(key) {
                None | Some(Value::Null) => {}
                Some(v) if v.is_i64() => {}
                Some(_) => {
                    return Err(ApiError::bad_request(format!(
                        "basket.products[{i}].{key} must be an integer"
                    )))
                }
            }
        }
        for key in [
            "ean",
            "desc",
            "item_type",
            "serialNumber",
            "reference_id",
            "contract_id",
        ] {
            match obj.get(key) {
                None | Some(Value::Null) | Some(Value::String(_)) => {}
                Some(_) => {
                    return Err(ApiError::bad_request(format!(
                        "basket.products[{i}].{key} must be a string"
                    )))
                }
            }
        }
        for (key, default) in [
            ("parent", Value::Null),
            ("item_type", json!("article")),
            ("group", json!([])),
            ("serialNumber", Value::Null),
            ("reference_id", Value::Null),
            ("contract_id", Value::Null),
            ("sum", Value::Null),
        ] {
            obj.entry(key).or_insert(default);
        }
        out.push(p);
    }
    let texts = basket.get("texts").cloned().unwrap_or(json!([]));
    let kind = basket.get("type").cloned().unwrap_or(json!("default"));
    Ok(json!({"products": out, "texts": texts, "type": kind}))
}
