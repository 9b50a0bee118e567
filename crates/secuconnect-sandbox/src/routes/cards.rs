use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::Value;

use super::{authorize, object_body, query_pairs, query_param, query_usize, ApiPath, RawBody};
use crate::error::ApiError;
use crate::state::Sandbox;

type Answer = Result<Json<Value>, ApiError>;
type Sb = State<Arc<Sandbox>>;

pub async fn list(State(sandbox): Sb, headers: HeaderMap, RawQuery(raw): RawQuery) -> Answer {
    authorize(&sandbox, &headers)?;
    let pairs = query_pairs(raw.as_deref())?;
    sandbox
        .list_cards(
            query_param(&pairs, "q"),
            query_usize(&pairs, "count")?,
            query_usize(&pairs, "offset")?,
        )
        .map(Json)
}

pub async fn get(State(sandbox): Sb, headers: HeaderMap, ApiPath(id): ApiPath<String>) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.get_card(&id).map(Json)
}

pub async fn validate(State(sandbox): Sb, headers: HeaderMap, RawBody(body): RawBody) -> Answer {
    authorize(&sandbox, &headers)?;
    let body = object_body(&body, true)?;
    sandbox.validate_card(&body).map(Json)
}

pub async fn check_passcode(
    State(sandbox): Sb,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    RawBody(body): RawBody,
) -> Answer {
    authorize(&sandbox, &headers)?;
    let body = object_body(&body, true)?;
    sandbox.check_passcode(&id, &body).map(Json)
}
