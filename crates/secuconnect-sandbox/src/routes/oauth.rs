use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::demo;
use crate::error::oauth_error;
use crate::state::Sandbox;

/// `POST /oauth/token` (JSON body).
pub async fn token(State(sandbox): State<Arc<Sandbox>>, body: axum::body::Bytes) -> Response {
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body must be a JSON object",
        );
    };
    let field = |name: &str| req.get(name).and_then(Value::as_str).unwrap_or("");
    match field("grant_type") {
        "client_credentials" => {
            if field("client_id") != demo::DEMO_CLIENT_ID
                || field("client_secret") != demo::DEMO_CLIENT_SECRET
            {
                return oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "Client credentials are invalid",
                );
            }
            let token = sandbox.issue_token();
            Json(json!({
                "access_token": token,
                "expires_in": sandbox.token_lifetime.as_secs(),
                "token_type": "bearer",
                "scope": "https://scope.secucard.com/e/api",
            }))
            .into_response()
        }
        "" => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing",
        ),
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The grant type is not supported",
        ),
    }
}
