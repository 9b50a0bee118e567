//! The HTTP surface: the provider's routes, the control routes under `/_sandbox/`,
//! and the fault layer in front of them.

mod cards;
mod checkout;
mod control;
mod faults;
mod oauth;
mod transactions;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::state::Sandbox;

pub use faults::ConnectionKill;

pub fn router(state: Arc<Sandbox>) -> Router {
    let stx = "/api/v2/Smart/Transactions";
    let cards = "/api/v2/Loyalty/MerchantCards";
    Router::new()
        .route("/oauth/token", post(oauth::token))
        .route(stx, post(transactions::create).get(transactions::list))
        .route(
            &format!("{stx}/{{id}}"),
            get(transactions::get).put(transactions::update),
        )
        .route(
            &format!("{stx}/{{id}}/preTransaction"),
            post(transactions::pre_transaction),
        )
        .route(
            &format!("{stx}/{{id}}/start/{{method}}"),
            post(transactions::start),
        )
        .route(&format!("{stx}/{{id}}/abort"), post(transactions::abort))
        .route(&format!("{stx}/{{id}}/cancel"), post(transactions::cancel))
        .route(
            &format!("{stx}/{{id}}/canceltrx"),
            post(transactions::cancel_trx),
        )
        .route(
            &format!("{stx}/{{id}}/cancelTrx"),
            post(transactions::cancel_trx),
        )
        .route(
            &format!("{stx}/{{id}}/endOfDay"),
            post(transactions::end_of_day),
        )
        .route(
            &format!("{stx}/{{id}}/diagnosis"),
            post(transactions::diagnosis),
        )
        .route(cards, get(cards::list))
        .route(&format!("{cards}/{{id}}"), get(cards::get))
        .route(
            &format!("{cards}/{{id}}/validateMerchantcard"),
            post(cards::validate),
        )
        .route(
            &format!("{cards}/{{id}}/checkPasscode"),
            post(cards::check_passcode),
        )
        .route("/checkout", get(checkout::page))
        .route("/checkout/pay", post(checkout::pay))
        .route("/checkout/cancel", post(checkout::cancel))
        .route("/_sandbox/reset", post(control::reset))
        .route("/_sandbox/state", get(control::state))
        .route("/_sandbox/device/confirm", post(control::confirm))
        .route(
            "/_sandbox/config",
            post(control::configure).get(control::config),
        )
        .route(
            "/_sandbox/faults",
            post(control::inject)
                .get(control::faults)
                .delete(control::clear_faults),
        )
        .route("/_sandbox/offline", post(control::offline))
        .route("/_sandbox/terminal/next", post(control::terminal_next))
        .route("/_sandbox/cards", post(control::put_card))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::fault_layer,
        ))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found("route", uri.path())
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        1002,
        "ProductFormatException",
        "method not allowed on this route",
        "Die Anfrage ist ungültig.",
    )
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
}

/// Checks `Authorization: Bearer <token>`.
pub(crate) fn authorize(sandbox: &Sandbox, headers: &HeaderMap) -> Result<(), ApiError> {
    match bearer(headers) {
        Some(token) => sandbox.check_token(token),
        None => sandbox.check_token(""),
    }
}

/// A JSON object body; an empty body is an empty object unless `required`.
pub(crate) fn object_body(body: &Bytes, required: bool) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return if required {
            Err(ApiError::bad_request("a JSON body is required"))
        } else {
            Ok(Map::new())
        };
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!("malformed JSON: {e}"))),
    }
}

/// Query parameters as pairs; a malformed query string is an error.
pub(crate) fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))
}

pub(crate) fn query_param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(crate) fn query_usize(
    pairs: &[(String, String)],
    name: &str,
) -> Result<Option<usize>, ApiError> {
    query_param(pairs, name)
        .map(|v| {
            v.parse::<usize>()
                .map_err(|_| ApiError::bad_request(format!("{name} must be an integer >= 0")))
        })
        .transpose()
}

/// The request body; a body that cannot be read (too large, cut off) gets the
/// provider's error payload rather than a plain-text rejection.
pub(crate) struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| {
                ApiError::new(
                    e.status(),
                    1002,
                    "ProductFormatException",
                    e.body_text(),
                    "Die Anfrage ist ungültig.",
                )
            })
    }
}

/// Path parameters; undecodable ones get the provider's error payload.
pub(crate) struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| ApiError::bad_request(e.body_text()))
    }
}
