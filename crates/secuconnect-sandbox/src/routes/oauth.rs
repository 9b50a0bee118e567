//! `POST /oauth/token`: client credentials, the device grant and refresh tokens,
//! JSON- or form-encoded.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::demo;
use crate::error::oauth_error;
use crate::state::Sandbox;

fn fields(headers: &HeaderMap, body: &Bytes) -> Option<HashMap<String, String>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let form = || serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).ok();
    let json = || match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(map) => Some(
            map.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Number(n) => Some((k, n.to_string())),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    let pairs = if content_type.starts_with("application/x-www-form-urlencoded") {
        form()?
    } else if content_type.starts_with("application/json") {
        json()?
    } else {
        json().or_else(form)?
    };
    Some(pairs.into_iter().collect())
}

pub async fn token(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body cannot be read",
        );
    };
    let Some(req) = fields(&headers, &body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body must be a JSON object or form-encoded",
        );
    };
    let field = |name: &str| req.get(name).map(String::as_str).unwrap_or("");
    let grant = field("grant_type");
    if grant.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing",
        );
    }
    if !["client_credentials", "device", "refresh_token"].contains(&grant) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The grant type is not supported",
        );
    }
    let client_id = field("client_id");
    if !demo::accepts_client(client_id, field("client_secret")) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client credentials are invalid",
        );
    }
    match grant {
        "client_credentials" => Json(sandbox.client_credentials_answer()).into_response(),
        "device" => {
            let code = field("code");
            let uuid = field("uuid");
            if !code.is_empty() {
                match sandbox.poll_device_code(client_id, code) {
                    Ok(answer) => Json(answer).into_response(),
                    Err((error, description)) => {
                        oauth_error(StatusCode::BAD_REQUEST, error, description)
                    }
                }
            } else if !uuid.is_empty() {
                Json(sandbox.start_device_authorisation(client_id, uuid)).into_response()
            } else {
                oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The device grant needs uuid (step 1) or code (step 2)",
                )
            }
        }
        _ => {
            let refresh = field("refresh_token");
            if refresh.is_empty() {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is missing",
                );
            }
            match sandbox.refresh(client_id, refresh) {
                Some(answer) => Json(answer).into_response(),
                None => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is unknown or was revoked",
                ),
            }
        }
    }
}
