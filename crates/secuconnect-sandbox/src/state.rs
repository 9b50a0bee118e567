//! The sandbox's in-memory state: tokens and smart transactions.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::distr::Alphanumeric;
use rand::Rng;
use serde_json::{json, Map, Value};

use crate::demo;
use crate::error::ApiError;

/// All state of one sandbox. Cheap to share behind an `Arc`.
pub struct Sandbox {
    inner: Mutex<Inner>,
    pub token_lifetime: Duration,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, Instant>,
    transactions: HashMap<String, Map<String, Value>>,
    /// Insertion order, for listing.
    order: Vec<String>,
    next_trans_id: u64,
}

/// A provider-style id: `PREFIX_` and 28 upper-case letters and digits.
pub fn new_id(prefix: &str) -> String {
    let tail: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(28)
        .map(|b| (b as char).to_ascii_uppercase())
        .collect();
    format!("{prefix}_{tail}")
}

fn now() -> String {
    chrono::Local::now()
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

impl Sandbox {
    pub fn with_demo_data() -> Self {
        Self {
            inner: Mutex::new(Inner {
                next_trans_id: 29_008_411,
                ..Inner::default()
            }),
            token_lifetime: Duration::from_secs(demo::TOKEN_LIFETIME_SECS),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panicking handler must not take the whole sandbox down with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn issue_token(&self) -> String {
        let token: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(26)
            .map(|b| (b as char).to_ascii_lowercase())
            .collect();
        self.lock()
            .tokens
            .insert(token.clone(), Instant::now() + self.token_lifetime);
        token
    }

    pub fn check_token(&self, token: &str) -> Result<(), ApiError> {
        match self.lock().tokens.get(token) {
            Some(until) if Instant::now() < *until => Ok(()),
            _ => Err(ApiError::token_required()),
        }
    }

    /// Creates a smart transaction from a validated request body.
    pub fn create_transaction(&self, body: Map<String, Value>) -> Result<Value, ApiError> {
        let basket_info = validate_basket(&body)?;
        let id = new_id("STX");
        let created = now();
        let mut stx = Map::new();
        stx.insert("object".into(), json!("smart.transactions"));
        stx.insert("id".into(), json!(id));
        stx.insert(
            "merchant".into(),
            json!({"object": "general.merchants", "id": demo::MERCHANT_ID, "companyname": demo::MERCHANT_NAME}),
        );
        stx.insert(
            "device_source".into(),
            json!({"object": "smart.devices", "id": demo::DEVICE_ID}),
        );
        stx.insert("transactions".into(), json!([]));
        stx.insert("created".into(), json!(created));
        stx.insert("status".into(), json!("created"));
        stx.insert(
            "merchantRef".into(),
            body.get("merchantRef").cloned().unwrap_or(Value::Null),
        );
        stx.insert(
            "transactionRef".into(),
            body.get("transactionRef").cloned().unwrap_or(Value::Null),
        );
        stx.insert(
            "intent".into(),
            body.get("intent").cloned().unwrap_or(json!("sale")),
        );
        stx.insert("basket".into(), normalise_basket(body.get("basket")));
        stx.insert("basket_info".into(), basket_info);
        stx.insert("idents".into(), json!([]));
        stx.insert(
            "is_demo".into(),
            body.get("is_demo").cloned().unwrap_or(json!(true)),
        );
        let answer = Value::Object(stx.clone());
        let mut inner = self.lock();
        inner.order.push(id.clone());
        inner.transactions.insert(id, stx);
        Ok(answer)
    }

    pub fn get_transaction(&self, id: &str) -> Result<Value, ApiError> {
        self.lock()
            .transactions
            .get(id)
            .map(|t| Value::Object(t.clone()))
            .ok_or_else(|| ApiError::not_found("smart transaction", id))
    }

    /// Registers the till's own payment: the transaction is paid.
    pub fn start_cash(&self, id: &str) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        inner.next_trans_id += 1;
        let trans_id = inner.next_trans_id;
        let stx = inner
            .transactions
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("smart transaction", id))?;
        match stx.get("status").and_then(Value::as_str) {
            Some("created") => {}
            Some(status) => {
                return Err(ApiError::conflict(
                    format!("transaction is {status}, a payment cannot start"),
                    "Dieser Vorgang wurde bereits bezahlt oder abgebrochen.",
                ))
            }
            None => {}
        }
        stx.insert("status".into(), json!("ok"));
        stx.insert("updated".into(), json!(now()));
        stx.insert("payment_method".into(), json!("cash"));
        stx.insert("trans_id".into(), json!(trans_id.to_string()));
        stx.insert("receipt".into(), json!([]));
        Ok(Value::Object(stx.clone()))
    }

    /// The ids of all transactions, oldest first.
    pub fn transaction_ids(&self) -> Vec<String> {
        self.lock().order.clone()
    }
}

/// Checks amounts, currency and that `basket_info.sum` equals the basket's total.
fn validate_basket(body: &Map<String, Value>) -> Result<Value, ApiError> {
    let info = body
        .get("basket_info")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad_request("basket_info is required"))?;
    let sum = info
        .get("sum")
        .and_then(Value::as_i64)
        .filter(|s| *s >= 0)
        .ok_or_else(|| ApiError::bad_request("basket_info.sum must be an integer >= 0"))?;
    let currency = info
        .get("currency")
        .and_then(Value::as_str)
        .unwrap_or("EUR");
    if currency != "EUR" {
        return Err(ApiError::bad_request(format!(
            "currency {currency} is not supported"
        )));
    }
    if let Some(products) = body.get("basket").and_then(|b| b.get("products")) {
        let products = products
            .as_array()
            .ok_or_else(|| ApiError::bad_request("basket.products must be a list"))?;
        let mut total: i64 = 0;
        for p in products {
            let quantity = p.get("quantity").and_then(Value::as_i64);
            let price = p.get("priceOne").and_then(Value::as_i64);
            match (quantity, price) {
                (Some(q), Some(pr)) if q >= 0 && pr >= 0 => {
                    total =
                        total
                            .checked_add(q.checked_mul(pr).ok_or_else(|| {
                                ApiError::bad_request("basket amount out of range")
                            })?)
                            .ok_or_else(|| ApiError::bad_request("basket amount out of range"))?;
                }
                _ => {
                    return Err(ApiError::bad_request(
                        "quantity and priceOne must be integers >= 0",
                    ))
                }
            }
        }
        if !products.is_empty() && total != sum {
            return Err(ApiError::bad_request(format!(
                "basket_info.sum {sum} does not match the basket total {total}"
            )));
        }
    }
    Ok(
        json!({"sum": sum, "gratuity": info.get("gratuity").cloned().unwrap_or(Value::Null), "currency": currency}),
    )
}

/// Fills in the fields the provider adds to every product.
fn normalise_basket(basket: Option<&Value>) -> Value {
    let products: Vec<Value> = basket
        .and_then(|b| b.get("products"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut p| {
            if let Some(obj) = p.as_object_mut() {
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
            }
            p
        })
        .collect();
    json!({"products": products, "texts": [], "type": "default"})
}
