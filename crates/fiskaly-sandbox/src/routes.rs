//! The HTTP surface: the API routes under `/api/v2`, the control routes under
//! `/_sandbox/` (no token; faults never apply to them), and the fault layer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::faults::{Fault, FaultKind};
use crate::state::{Sandbox, SandboxConfig};

type Sb = State<Arc<Sandbox>>;
type Answer = Result<Json<Value>, ApiError>;

/// Put on every request by the server: notifying it closes the connection
/// at once, without an answer.
#[derive(Clone)]
pub(crate) struct ConnectionKill(pub Arc<Notify>);

pub(crate) fn router(sandbox: Arc<Sandbox>) -> Router {
    Router::new()
        .route("/api/v2/auth", post(auth))
        .route(
            "/api/v2/tss/{tss}",
            put(create_tss).get(get_tss).patch(update_tss),
        )
        .route(
            "/api/v2/tss/{tss}/admin",
            axum::routing::patch(change_admin_pin),
        )
        .route("/api/v2/tss/{tss}/admin/auth", post(admin_auth))
        .route("/api/v2/tss/{tss}/admin/logout", post(admin_logout))
        .route(
            "/api/v2/tss/{tss}/client/{client}",
            put(put_client).get(get_client),
        )
        .route("/api/v2/tss/{tss}/tx/{tx}", put(upsert_tx).get(get_tx))
        .route("/_sandbox/state", get(control_state))
        .route("/_sandbox/reset", post(control_reset))
        .route("/_sandbox/config", post(control_config))
        .route(
            "/_sandbox/faults",
            post(control_inject)
                .get(control_faults)
                .delete(control_clear),
        )
        .route("/_sandbox/offline", post(control_offline))
        .route("/_sandbox/tokens/expire", post(control_expire_tokens))
        .route("/_sandbox/tss/{tss}/disable", post(control_disable))
        .fallback(|uri: axum::http::Uri| async move {
            ApiError::not_found("E_NOT_FOUND", format!("no route {}", uri.path()))
        })
        .layer(axum::middleware::from_fn_with_state(
            sandbox.clone(),
            fault_layer,
        ))
        .with_state(sandbox)
}

/// The body as JSON; an empty body is `{}`.
fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::schema("the body must be a JSON object")),
        Err(e) => Err(ApiError::schema(format!("malformed JSON: {e}"))),
    }
}

/// The access token of a request, checked.
fn token(sandbox: &Sandbox, headers: &HeaderMap) -> Result<String, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("Bearer "))
        .map(str::trim);
    sandbox.check_token(token)?;
    Ok(token.unwrap_or_default().to_string())
}

fn tx_revision(query: Option<String>) -> Result<Option<u64>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
            .map_err(|e| ApiError::schema(format!("malformed query: {e}")))?;
    pairs
        .iter()
        .find(|(k, _)| k == "tx_revision")
        .map(|(_, v)| {
            v.parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ApiError::schema("tx_revision must be an integer ≥ 1"))
        })
        .transpose()
}

async fn auth(State(s): Sb, body: Bytes) -> Answer {
    s.authenticate(&json_body(&body)?).map(Json)
}

async fn create_tss(State(s): Sb, h: HeaderMap, Path(tss): Path<String>, body: Bytes) -> Answer {
    token(&s, &h)?;
    s.create_tss(&tss, &json_body(&body)?).map(Json)
}

async fn get_tss(State(s): Sb, h: HeaderMap, Path(tss): Path<String>) -> Answer {
    token(&s, &h)?;
    s.get_tss(&tss).map(Json)
}

async fn update_tss(State(s): Sb, h: HeaderMap, Path(tss): Path<String>, body: Bytes) -> Answer {
    let t = token(&s, &h)?;
    s.update_tss(&t, &tss, &json_body(&body)?).map(Json)
}

async fn change_admin_pin(
    State(s): Sb,
    h: HeaderMap,
    Path(tss): Path<String>,
    body: Bytes,
) -> Answer {
    token(&s, &h)?;
    s.change_admin_pin(&tss, &json_body(&body)?).map(Json)
}

async fn admin_auth(State(s): Sb, h: HeaderMap, Path(tss): Path<String>, body: Bytes) -> Answer {
    let t = token(&s, &h)?;
    s.admin_auth(&t, &tss, &json_body(&body)?).map(Json)
}

async fn admin_logout(State(s): Sb, h: HeaderMap, Path(tss): Path<String>) -> Answer {
    let t = token(&s, &h)?;
    s.admin_logout(&t, &tss).map(Json)
}

async fn put_client(
    State(s): Sb,
    h: HeaderMap,
    Path((tss, client)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let t = token(&s, &h)?;
    s.put_client(&t, &tss, &client, &json_body(&body)?)
        .map(Json)
}

async fn get_client(
    State(s): Sb,
    h: HeaderMap,
    Path((tss, client)): Path<(String, String)>,
) -> Answer {
    token(&s, &h)?;
    s.get_client(&tss, &client).map(Json)
}

async fn upsert_tx(
    State(s): Sb,
    h: HeaderMap,
    Path((tss, tx)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Answer {
    token(&s, &h)?;
    s.upsert_tx(&tss, &tx, tx_revision(q)?, &json_body(&body)?)
        .map(Json)
}

async fn get_tx(
    State(s): Sb,
    h: HeaderMap,
    Path((tss, tx)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    token(&s, &h)?;
    s.get_tx(&tss, &tx, tx_revision(q)?).map(Json)
}

// ---- control ---------------------------------------------------------------

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_value(json_body(body)?).map_err(|e| ApiError::schema(e.to_string()))
}

async fn control_state(State(s): Sb) -> Json<Value> {
    Json(s.snapshot())
}

async fn control_reset(State(s): Sb) -> Json<Value> {
    s.reset();
    Json(json!({"result": true}))
}

async fn control_config(State(s): Sb, body: Bytes) -> Answer {
    let config: SandboxConfig = parse(&body)?;
    s.configure(&config);
    Ok(Json(json!(s.config())))
}

async fn control_inject(State(s): Sb, body: Bytes) -> Answer {
    let fault: Fault = parse(&body)?;
    s.inject(fault)?;
    Ok(Json(json!(s.pending_faults())))
}

async fn control_faults(State(s): Sb) -> Json<Value> {
    Json(json!(s.pending_faults()))
}

async fn control_clear(State(s): Sb) -> Json<Value> {
    s.clear_faults();
    Json(json!([]))
}

async fn control_offline(State(s): Sb, body: Bytes) -> Answer {
    #[derive(serde::Deserialize)]
    struct Offline {
        offline: bool,
    }
    let req: Offline = parse(&body)?;
    s.set_offline(req.offline);
    Ok(Json(json!({"offline": req.offline})))
}

async fn control_expire_tokens(State(s): Sb) -> Json<Value> {
    s.expire_tokens();
    Json(json!({"result": true}))
}

async fn control_disable(State(s): Sb, Path(tss): Path<String>) -> Answer {
    if s.disable_tss(&tss) {
        Ok(Json(json!({"result": true})))
    } else {
        Err(crate::tss::tss_not_found(&tss))
    }
}

// ---- faults ----------------------------------------------------------------

async fn drop_connection(kill: Option<ConnectionKill>) -> Response {
    match kill {
        Some(ConnectionKill(notify)) => {
            notify.notify_one();
            // The connection task drops this request together with the connection.
            std::future::pending::<Response>().await
        }
        // Served without the simulator's own server: the nearest answer.
        None => ApiError::server(StatusCode::SERVICE_UNAVAILABLE).into_response(),
    }
}

async fn fault_layer(State(sandbox): Sb, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    let fired = sandbox.take_faults(req.method().as_str(), &path);
    if fired.is_empty() {
        return next.run(req).await;
    }
    let kill = req.extensions().get::<ConnectionKill>().cloned();
    let has = |kind: FaultKind| fired.iter().find(|f| f.kind == kind);
    for fault in fired.iter().filter(|f| f.kind == FaultKind::Latency) {
        tokio::time::sleep(std::time::Duration::from_millis(
            fault.latency_ms.unwrap_or(1000),
        ))
        .await;
    }
    if has(FaultKind::DropBefore).is_some() {
        tracing::info!(%path, "fault: connection dropped before processing");
        return drop_connection(kill).await;
    }
    if let Some(fault) = has(FaultKind::Error5xx) {
        let status = StatusCode::from_u16(fault.status.unwrap_or(500))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return ApiError::server(status).into_response();
    }
    let response = next.run(req).await;
    if has(FaultKind::DropAfter).is_some() {
        tracing::info!(%path, "fault: connection dropped after processing");
        return drop_connection(kill).await;
    }
    response
}
