//! The provider's error payload, answered with a fitting HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub error: &'static str,
    pub details: String,
    pub user: String,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: u32,
        error: &'static str,
        details: impl Into<String>,
        user: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            error,
            details: details.into(),
            user: user.into(),
        }
    }

    /// The provider's answer to a missing, unknown or expired token.
    pub fn token_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            2003,
            "ProductNotAllowedException",
            "Valid auth token required",
            "Die Anmeldung ist abgelaufen. Bitte erneut versuchen.",
        )
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            1001,
            "ProductNotFoundException",
            format!("{what} {id} not found"),
            "Der Vorgang wurde nicht gefunden.",
        )
    }

    pub fn bad_request(details: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            1002,
            "ProductFormatException",
            details,
            "Die Anfrage ist ungültig.",
        )
    }

    pub fn conflict(details: impl Into<String>, user: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            1003,
            "ProductInternalException",
            details,
            user,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let support_id = format!("{:032x}", rand::random::<u128>());
        let body = json!({
            "status": "error",
            "error": self.error,
            "error_details": self.details,
            "error_user": self.user,
            "code": self.code,
            "supportId": support_id,
        });
        (self.status, Json(body)).into_response()
    }
}

/// The OAuth error shape: `{error, error_description}`.
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}
