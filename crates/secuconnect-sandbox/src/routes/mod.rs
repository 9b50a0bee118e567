//! The HTTP surface: the provider's routes, answered from [`Sandbox`].

mod oauth;
mod transactions;

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::state::Sandbox;

pub fn router(state: Arc<Sandbox>) -> Router {
    Router::new()
        .route("/oauth/token", post(oauth::token))
        .route("/api/v2/Smart/Transactions", post(transactions::create))
        .route("/api/v2/Smart/Transactions/{id}", get(transactions::get))
        .route(
            "/api/v2/Smart/Transactions/{id}/start/cash",
            post(transactions::start_cash),
        )
        .with_state(state)
}

/// Checks `Authorization: Bearer <token>`.
fn authorize(sandbox: &Sandbox, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or_else(ApiError::token_required)?;
    sandbox.check_token(token.trim())
}

/// A JSON object body, or the provider's error for anything else.
fn object_body(
    body: Result<axum::Json<Value>, JsonRejection>,
) -> Result<Map<String, Value>, ApiError> {
    match body {
        Ok(axum::Json(Value::Object(map))) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(e.body_text())),
    }
}
