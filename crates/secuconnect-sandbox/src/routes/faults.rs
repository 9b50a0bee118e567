//! The fault layer: latency, injected 5xx, dropped connections, malformed
//! answers, expired tokens, offline.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::faults::FaultKind;
use crate::state::Sandbox;

/// Put on every request by the server: notifying it closes the connection at
/// once, without an answer.
#[derive(Clone)]
pub struct ConnectionKill(pub Arc<Notify>);

async fn drop_connection(kill: Option<ConnectionKill>) -> Response {
    match kill {
        Some(ConnectionKill(notify)) => {
            notify.notify_one();
            // The connection task drops this request with the connection.
            std::future::pending::<()>().await;
            unreachable!("the connection is closed before this resumes")
        }
        // Served without the sandbox's server (e.g. `Router::oneshot`): the closest thing.
        None => ApiError::server(StatusCode::SERVICE_UNAVAILABLE).into_response(),
    }
}

pub async fn fault_layer(
    State(sandbox): State<Arc<Sandbox>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    let kill = req.extensions().get::<ConnectionKill>().cloned();
    if sandbox.is_offline() {
        return drop_connection(kill).await;
    }
    let fired = sandbox.take_faults(req.method().as_str(), &path);
    if fired.is_empty() {
        return next.run(req).await;
    }
    let has = |kind: FaultKind| fired.iter().any(|f| f.kind == kind);
    for fault in fired.iter().filter(|f| f.kind == FaultKind::Latency) {
        tokio::time::sleep(std::time::Duration::from_millis(
            fault.latency_ms.unwrap_or(1000),
        ))
        .await;
    }
    if has(FaultKind::ExpireToken) {
        if let Some(token) = super::bearer(req.headers()) {
            sandbox.expire_token(token);
        }
    }
    if has(FaultKind::DropBefore) {
        tracing::info!(%path, "fault: connection dropped before processing");
        return drop_connection(kill).await;
    }
    if let Some(fault) = fired.iter().find(|f| f.kind == FaultKind::Error5xx) {
        let status = StatusCode::from_u16(fault.status.unwrap_or(500))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return ApiError::server(status).into_response();
    }
    if let Some(fault) = fired.iter().find(|f| f.kind == FaultKind::Refuse) {
        let status = StatusCode::from_u16(fault.status.unwrap_or(422))
            .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        tracing::info!(%path, %status, "fault: request refused");
        return ApiError::refused(status).into_response();
    }
    let response = next.run(req).await;
    if has(FaultKind::DropAfter) {
        tracing::info!(%path, "fault: connection dropped after processing");
        return drop_connection(kill).await;
    }
    if has(FaultKind::Malformed) {
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        // Half of the answer is never valid JSON (for an object or list).
        let cut = if bytes.len() >= 4 {
            bytes.slice(..bytes.len() / 2)
        } else {
            axum::body::Bytes::from_static(b"<html>Bad Gateway")
        };
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(cut));
    }
    response
}
