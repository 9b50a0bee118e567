//! The Smart Checkout page a customer's browser opens from `payment_links`:
//! no token (the link is the customer's), HTML answers.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use super::{query_pairs, query_param, RawBody};
use crate::checkout::CheckoutAction;
use crate::error::ApiError;
use crate::state::Sandbox;

type Sb = State<Arc<Sandbox>>;

/// An error as a small page with the provider's words for people.
fn error_page(e: ApiError) -> Response {
    let page = format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Smart Checkout</title></head><body><h1>Smart Checkout</h1><p id="error">{}</p></body></html>"#,
        e.user
    );
    (e.status, Html(page)).into_response()
}

pub async fn page(State(sandbox): Sb, RawQuery(raw): RawQuery) -> Response {
    let pairs = match query_pairs(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return error_page(e),
    };
    let stx = query_param(&pairs, "stx").unwrap_or_default();
    match sandbox.checkout_page(stx, query_param(&pairs, "payment-method")) {
        Ok(page) => Html(page).into_response(),
        Err(e) => error_page(e),
    }
}

pub async fn pay(State(sandbox): Sb, RawBody(body): RawBody) -> Response {
    act(&sandbox, &body, |form| {
        let method = query_param(form, "method").unwrap_or_default();
        CheckoutAction::Pay(method.to_string())
    })
}

pub async fn cancel(State(sandbox): Sb, RawBody(body): RawBody) -> Response {
    act(&sandbox, &body, |_| CheckoutAction::Cancel)
}

fn act(
    sandbox: &Arc<Sandbox>,
    body: &[u8],
    action: impl FnOnce(&[(String, String)]) -> CheckoutAction,
) -> Response {
    let form = match query_pairs(Some(&String::from_utf8_lossy(body))) {
        Ok(f) => f,
        Err(e) => return error_page(e),
    };
    let stx = query_param(&form, "stx").unwrap_or_default().to_string();
    let action = action(&form);
    match sandbox.checkout(&stx, &action) {
        Ok(result) => Html(sandbox.checkout_result_page(&stx, result)).into_response(),
        Err(e) => error_page(e),
    }
}
