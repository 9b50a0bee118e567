use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::Value;

use super::{authorize, object_body};
use crate::error::ApiError;
use crate::state::Sandbox;

type Answer = Result<Json<Value>, ApiError>;

pub async fn create(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Answer {
    authorize(&sandbox, &headers)?;
    let body = object_body(body)?;
    sandbox.create_transaction(body).map(Json)
}

pub async fn get(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.get_transaction(&id).map(Json)
}

pub async fn start_cash(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.start_cash(&id).map(Json)
}
