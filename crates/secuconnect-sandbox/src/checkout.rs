//! Smart Checkout (guide 01): a transaction created or updated with an
//! `application_context` answers `payment_links` to a checkout page this
//! sandbox serves on its own address; paying or cancelling there changes the
//! transaction as the provider's page would.
//!
//! Besides the guide's methods the page offers two for tests: `slow` (the
//! payment runs `checkout_delay_ms`, then is paid by PayPal; an abort in
//! between cannot stop it) and `failing` (the payment fails).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::demo;
use crate::error::ApiError;
use crate::receipts::eur;
use crate::state::{now, Inner, Sandbox, Settlement};
use crate::transactions::{status, sum_of};

/// The methods of the guide's `payment_links`, in its order (`general` lists them all).
pub const GUIDE_METHODS: [&str; 8] = [
    "creditcard",
    "debit",
    "eps",
    "giropay",
    "invoice",
    "paypal",
    "prepaid",
    "sofort",
];

/// Test method: the payment takes `checkout_delay_ms`, then it is paid by PayPal.
pub const SLOW: &str = "slow";
/// Test method: the payment fails.
pub const FAILING: &str = "failing";

/// What the customer did on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutAction {
    Pay(String),
    Cancel,
}

/// What the page shows after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutResult {
    Paid,
    /// The slow method: paid once the delay has passed.
    Processing,
    Failed,
    Cancelled,
}

/// The checkout page's address for one transaction (`method`: one method only).
pub fn link(base: &str, stx: &str, contract: Option<&str>, method: Option<&str>) -> String {
    let mut url = format!("{base}/checkout?");
    if let Some(m) = method {
        url.push_str(&format!("payment-method={m}&"));
    }
    url.push_str(&format!("stx={stx}"));
    if let Some(c) = contract {
        url.push_str(&format!("&contract={c}"));
    }
    url.push_str("&server=sandbox");
    url
}

/// Adds `payment_links` and `payment_context` to a document that has an
/// `application_context` (as the provider answers it), when the address is known.
pub(crate) fn decorate(doc: &mut Map<String, Value>, base: Option<&str>) {
    let with_context = doc.get("application_context").is_some_and(Value::is_object);
    let (true, Some(base)) = (with_context, base) else {
        return;
    };
    let id = doc.get("id").and_then(Value::as_str).unwrap_or_default();
    let contract = doc
        .get("contract")
        .and_then(|c| c.get("id"))
        .and_then(Value::as_str);
    let mut links = Map::new();
    for m in GUIDE_METHODS {
        links.insert(m.into(), json!(link(base, id, contract, Some(m))));
    }
    links.insert("general".into(), json!(link(base, id, contract, None)));
    doc.insert("payment_links".into(), Value::Object(links));
    doc.insert(
        "payment_context".into(),
        json!({"auto_capture": true, "creditcard_schemes": ["mastercard", "visa", "american express", "cup"]}),
    );
}

fn not_payable(st: &str) -> ApiError {
    ApiError::conflict(
        format!("transaction is {st}, it cannot be paid on the checkout page"),
        match st {
            "processing" => "Die Zahlung läuft bereits.",
            "ok" => "Dieser Vorgang wurde bereits bezahlt.",
            _ => "Dieser Vorgang wurde abgebrochen.",
        },
    )
}

impl Sandbox {
    /// Pays or cancels a transaction from its checkout page.
    pub fn checkout(
        self: &Arc<Self>,
        stx: &str,
        action: &CheckoutAction,
    ) -> Result<CheckoutResult, ApiError> {
        let mut inner = self.lock();
        let tx = inner.data.transaction(stx)?;
        if !tx
            .doc
            .get("application_context")
            .is_some_and(Value::is_object)
        {
            return Err(ApiError::conflict(
                "the transaction has no application_context: no checkout",
                "Für diesen Vorgang gibt es keinen Bezahlvorgang.",
            ));
        }
        let st = status(&tx.doc).to_string();
        if st != "created" {
            return Err(not_payable(&st));
        }
        let result = match action {
            CheckoutAction::Cancel => {
                // The customer left the page: the transaction ends unpaid.
                set_status(&mut inner, stx, "aborted", None)?;
                CheckoutResult::Cancelled
            }
            CheckoutAction::Pay(m) if m == FAILING => {
                set_status(&mut inner, stx, "failed", Some(FAILING))?;
                CheckoutResult::Failed
            }
            CheckoutAction::Pay(m) if m == SLOW => {
                set_status(&mut inner, stx, "processing", Some("paypal"))?;
                let delay = inner.settings.checkout_delay;
                let sandbox = Arc::clone(self);
                let id = stx.to_string();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let mut inner = sandbox.lock();
                    if let Err(e) = paid(&mut inner, &id, "paypal") {
                        tracing::warn!(error = %e, "the slow checkout payment was lost");
                    }
                    sandbox.persist(&inner);
                });
                CheckoutResult::Processing
            }
            CheckoutAction::Pay(m) if GUIDE_METHODS.contains(&m.as_str()) => {
                paid(&mut inner, stx, m)?;
                CheckoutResult::Paid
            }
            CheckoutAction::Pay(m) => {
                return Err(ApiError::bad_request(format!(
                    "payment method {m:?} is not offered"
                )))
            }
        };
        self.persist(&inner);
        Ok(result)
    }

    /// The checkout page of a transaction: amount, shop, methods (or the one of the link).
    pub fn checkout_page(&self, stx: &str, method: Option<&str>) -> Result<String, ApiError> {
        let inner = self.lock();
        let tx = inner.data.transaction(stx)?;
        let language = language_of(&tx.doc);
        let shop = tx
            .doc
            .get("merchant")
            .and_then(|m| m.get("companyname"))
            .and_then(Value::as_str)
            .unwrap_or(demo::MERCHANT_NAME);
        let st = status(&tx.doc);
        let amount = format!("{} €", eur(sum_of(&tx.doc)));
        let t = Texts::new(language);
        let body = if st == "created" {
            let methods: Vec<&str> = match method {
                Some(m) => vec![m],
                None => GUIDE_METHODS
                    .iter()
                    .copied()
                    .chain([SLOW, FAILING])
                    .collect(),
            };
            let buttons: String = methods
                .iter()
                .map(|m| {
                    format!(
                        r#"<button type="submit" name="method" value="{m}" id="pay-{m}">{}</button>"#,
                        escape(&method_name(m, language))
                    )
                })
                .collect();
            format!(
                r#"<form method="post" action="/checkout/pay"><input type="hidden" name="stx" value="{stx}">{buttons}</form>
<form method="post" action="/checkout/cancel"><input type="hidden" name="stx" value="{stx}"><button type="submit" id="cancel" class="cancel">{}</button></form>"#,
                t.cancel
            )
        } else {
            format!(r#"<p id="state">{}</p>"#, t.state(st))
        };
        Ok(page(
            language,
            &format!(
                r#"<h1>{}</h1><p class="shop">{}</p><p class="amount" id="amount">{amount}</p>{body}"#,
                t.title,
                escape(shop)
            ),
        ))
    }

    /// The page after an action.
    pub fn checkout_result_page(&self, stx: &str, result: CheckoutResult) -> String {
        let language = self
            .lock()
            .data
            .transaction(stx)
            .map(|tx| language_of(&tx.doc))
            .unwrap_or("de");
        let t = Texts::new(language);
        let words = match result {
            CheckoutResult::Paid => t.paid,
            CheckoutResult::Processing => t.processing,
            CheckoutResult::Failed => t.failed,
            CheckoutResult::Cancelled => t.cancelled,
        };
        page(
            language,
            &format!(r#"<h1>{}</h1><p id="result">{words}</p>"#, t.title),
        )
    }
}

/// Marks a transaction paid on the checkout page by `method`.
fn paid(inner: &mut Inner, id: &str, method: &str) -> Result<(), ApiError> {
    inner.data.last_trans_id += 1;
    let trans_id = inner.data.last_trans_id;
    let tx = inner.data.transaction_mut(id)?;
    let st = status(&tx.doc);
    if st != "created" && st != "processing" {
        return Err(not_payable(st));
    }
    let sum = sum_of(&tx.doc);
    tx.doc.insert("status".into(), json!("ok"));
    tx.doc.insert("updated".into(), json!(now()));
    tx.doc.insert("payment_method".into(), json!(method));
    tx.doc
        .insert("trans_id".into(), json!(trans_id.to_string()));
    tx.settlement = Some(Settlement {
        collected: sum,
        ..Settlement::default()
    });
    Ok(())
}

fn set_status(inner: &mut Inner, id: &str, st: &str, method: Option<&str>) -> Result<(), ApiError> {
    let tx = inner.data.transaction_mut(id)?;
    tx.doc.insert("status".into(), json!(st));
    tx.doc.insert("updated".into(), json!(now()));
    if let Some(m) = method {
        tx.doc.insert("payment_method".into(), json!(m));
    }
    Ok(())
}

fn language_of(doc: &Map<String, Value>) -> &'static str {
    match doc
        .get("application_context")
        .and_then(|c| c.get("language"))
        .and_then(Value::as_str)
    {
        Some("en") => "en",
        _ => "de",
    }
}

fn method_name(method: &str, language: &str) -> String {
    let en = language == "en";
    match method {
        "creditcard" => if en { "Credit card" } else { "Kreditkarte" }.into(),
        "debit" => if en { "Direct debit" } else { "Lastschrift" }.into(),
        "eps" => "eps".into(),
        "giropay" => "giropay".into(),
        "invoice" => if en { "Invoice" } else { "Rechnung" }.into(),
        "paypal" => "PayPal".into(),
        "prepaid" => if en { "Prepayment" } else { "Vorkasse" }.into(),
        "sofort" => "Sofort".into(),
        SLOW => if en {
            "PayPal (slow, test)"
        } else {
            "PayPal (langsam, Test)"
        }
        .into(),
        FAILING => if en {
            "Failing (test)"
        } else {
            "Schlägt fehl (Test)"
        }
        .into(),
        other => other.into(),
    }
}

struct Texts {
    title: &'static str,
    cancel: &'static str,
    paid: &'static str,
    processing: &'static str,
    failed: &'static str,
    cancelled: &'static str,
}

impl Texts {
    fn new(language: &str) -> Self {
        if language == "en" {
            Self {
                title: "Smart Checkout",
                cancel: "Cancel",
                paid: "Paid. Thank you!",
                processing: "Your payment is being processed.",
                failed: "The payment failed.",
                cancelled: "The payment was cancelled.",
            }
        } else {
            Self {
                title: "Smart Checkout",
                cancel: "Abbrechen",
                paid: "Bezahlt. Vielen Dank!",
                processing: "Ihre Zahlung wird bearbeitet.",
                failed: "Die Zahlung ist fehlgeschlagen.",
                cancelled: "Die Zahlung wurde abgebrochen.",
            }
        }
    }

    fn state(&self, st: &str) -> &'static str {
        match st {
            "ok" => self.paid,
            "processing" => self.processing,
            "failed" => self.failed,
            _ => self.cancelled,
        }
    }
}

fn page(language: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="{language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Smart Checkout</title>
<style>body{{font-family:sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem}}.amount{{font-size:2rem;font-weight:bold}}button{{display:block;width:100%;margin:.4rem 0;padding:.7rem;font-size:1rem}}.cancel{{background:#eee}}</style></head><body>{body}</body></html>"#
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
