//! `/_sandbox/…`: the control surface of `docs/sandbox-control.md`. No token needed.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::{object_body, RawBody};
use crate::cards::CardSpec;
use crate::config::SandboxConfig;
use crate::error::ApiError;
use crate::faults::Fault;
use crate::state::Sandbox;
use crate::terminal::TerminalNext;

type Answer = Result<Json<Value>, ApiError>;
type Sb = State<Arc<Sandbox>>;

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let map = object_body(body, true)?;
    serde_json::from_value(Value::Object(map)).map_err(|e| ApiError::bad_request(e.to_string()))
}

pub async fn reset(State(sandbox): Sb) -> Answer {
    sandbox.reset();
    Ok(Json(json!({"result": true})))
}

pub async fn state(State(sandbox): Sb) -> Answer {
    Ok(Json(sandbox.snapshot()))
}

pub async fn confirm(State(sandbox): Sb, RawBody(body): RawBody) -> Answer {
    #[derive(serde::Deserialize)]
    struct Confirm {
        user_code: String,
    }
    let req: Confirm = parse(&body)?;
    if sandbox.confirm_user_code(&req.user_code) {
        Ok(Json(json!({"result": true})))
    } else {
        Err(ApiError::not_found("user code", &req.user_code))
    }
}

pub async fn configure(State(sandbox): Sb, RawBody(body): RawBody) -> Answer {
    let config: SandboxConfig = parse(&body)?;
    sandbox.configure(config)?;
    Ok(Json(json!(sandbox.config())))
}

pub async fn config(State(sandbox): Sb) -> Answer {
    Ok(Json(json!(sandbox.config())))
}

pub async fn inject(State(sandbox): Sb, RawBody(body): RawBody) -> Answer {
    let fault: Fault = parse(&body)?;
    sandbox.inject(fault)?;
    Ok(Json(json!(sandbox.pending_faults())))
}

pub async fn faults(State(sandbox): Sb) -> Answer {
    Ok(Json(json!(sandbox.pending_faults())))
}

pub async fn clear_faults(State(sandbox): Sb) -> Answer {
    sandbox.clear_faults();
    Ok(Json(json!([])))
}

pub async fn offline(State(sandbox): Sb, RawBody(body): RawBody) -> Answer {
    #[derive(serde::Deserialize)]
    struct Offline {
        offline: bool,
    }
    let req: Offline = parse(&body)?;
    sandbox.set_offline(req.offline);
    Ok(Json(json!({"offline": req.offline})))
}

pub async fn terminal_next(State(sandbox): Sb, RawBody(body): RawBody) -> Answer {
    let next: TerminalNext = parse(&body)?;
    sandbox.next_terminal(next);
    Ok(Json(json!({"result": true})))
}

pub async fn put_card(State(sandbox): Sb, RawBody(body): RawBody) -> Answer {
    let spec: CardSpec = parse(&body)?;
    sandbox.put_card(spec).map(Json)
}
