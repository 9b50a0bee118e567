//! The provider's error payload, answered with a fitting HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error as the provider answers it: `{status: "error", error, error_details,
/// error_user, code, supportId}` with a fitting HTTP status.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {error} ({code}): {details}")]
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

    /// The provider's answer to a missing, unknown or expired token (HTTP 403, code 2003).
    pub fn token_required() -> Self {
        Self::token_required_with(StatusCode::FORBIDDEN)
    }

    /// The same answer with the status the sandbox is configured to use (401 or 403).
    pub fn token_required_with(status: StatusCode) -> Self {
        Self::new(
            status,
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

    /// A secucard that cannot be used for what was asked (locked, inactive, …).
    pub fn card(details: impl Into<String>, user: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            1004,
            "ProductLoyaltyException",
            details,
            user,
        )
    }

    /// An injected server failure.
    /// A refusal injected as a fault: the request is not acceptable, for good.
    pub fn refused(status: StatusCode) -> Self {
        Self::new(
            status,
            1002,
            "ProductBadRequestException",
            "The request was refused",
            "Die Buchung wurde abgelehnt: Daten ungültig.",
        )
    }

    pub fn server(status: StatusCode) -> Self {
        Self::new(
            status,
            1500,
            "ProductInternalException",
            "Internal server error",
            "Der Dienst ist vorübergehend nicht erreichbar. Bitte später erneut versuchen.",
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
