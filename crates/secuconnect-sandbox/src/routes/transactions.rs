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

pub async fn create(State(sandbox): Sb, headers: HeaderMap, RawBody(body): RawBody) -> Answer {
    authorize(&sandbox, &headers)?;
    let body = object_body(&body, true)?;
    sandbox.create_transaction(body).map(Json)
}

pub async fn list(State(sandbox): Sb, headers: HeaderMap, RawQuery(raw): RawQuery) -> Answer {
    authorize(&sandbox, &headers)?;
    let pairs = query_pairs(raw.as_deref())?;
    sandbox
        .list_transactions(
            query_param(&pairs, "q"),
            query_usize(&pairs, "count")?,
            query_usize(&pairs, "offset")?,
            query_param(&pairs, "sort"),
        )
        .map(Json)
}

pub async fn get(State(sandbox): Sb, headers: HeaderMap, ApiPath(id): ApiPath<String>) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.get_transaction(&id).map(Json)
}

pub async fn update(
    State(sandbox): Sb,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    RawBody(body): RawBody,
) -> Answer {
    authorize(&sandbox, &headers)?;
    let body = object_body(&body, true)?;
    sandbox.update_transaction(&id, body).map(Json)
}

pub async fn pre_transaction(
    State(sandbox): Sb,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.pre_transaction(&id).map(Json)
}

pub async fn start(
    State(sandbox): Sb,
    headers: HeaderMap,
    ApiPath((id, method)): ApiPath<(String, String)>,
    RawBody(body): RawBody,
) -> Answer {
    authorize(&sandbox, &headers)?;
    // The body (SmartTransactionsStart) is optional; when given it must be an object.
    object_body(&body, false)?;
    match method.as_str() {
        "cash" => sandbox.start_cash(&id).map(Json),
        "cashless" => sandbox.start_cashless(&id).await.map(Json),
        other => Err(ApiError::bad_request(format!(
            "payment method {other:?} is not supported here (cash, cashless)"
        ))),
    }
}

pub async fn abort(State(sandbox): Sb, headers: HeaderMap, ApiPath(id): ApiPath<String>) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.abort(&id).await.map(Json)
}

pub async fn cancel(
    State(sandbox): Sb,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.cancel(&id).await.map(Json)
}

pub async fn cancel_trx(
    State(sandbox): Sb,
    headers: HeaderMap,
    ApiPath(receipt_number): ApiPath<String>,
) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.cancel_trx(&receipt_number).await.map(Json)
}

pub async fn end_of_day(
    State(sandbox): Sb,
    headers: HeaderMap,
    ApiPath(device): ApiPath<String>,
) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.end_of_day(&device).await.map(Json)
}

pub async fn diagnosis(
    State(sandbox): Sb,
    headers: HeaderMap,
    ApiPath(device): ApiPath<String>,
) -> Answer {
    authorize(&sandbox, &headers)?;
    sandbox.diagnosis(&device).await.map(Json)
}
