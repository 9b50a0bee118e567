//! TSSs and their clients: the lifecycle CREATED → UNINITIALIZED →
//! INITIALIZED (→ DISABLED), the admin PIN set with the PUK, admin sessions,
//! client registration.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::keys::TssKey;
pub use crate::records::TssState;
use crate::records::{ClientRecord, Tss};
pub use crate::state::ORGANIZATION_ID;
use crate::state::{now, Inner, Sandbox};

pub const API_VERSION: &str = "2.1.35";
pub const MAX_CLIENTS: usize = 199;
pub const MAX_ACTIVE_TRANSACTIONS: u64 = 2000;
/// Failed admin logins before the PIN is blocked.
const MAX_FAILED_LOGINS: u32 = 5;

/// The demo TSS and till that [`Sandbox::with_demo_tss`] sets up.
pub const DEMO_TSS_ID: &str = "b8b0a7a2-1c55-4c7e-9a51-0d6c1a3f0e01";
pub const DEMO_CLIENT_ID: &str = "3f1e9c0d-7b2a-4e55-8c11-5a6b7c8d9e02";
pub const DEMO_CLIENT_SERIAL: &str = "SMART-TILL-DEMO-1";
pub const DEMO_ADMIN_PIN: &str = "123456";

impl Tss {
    fn new(id: &str, metadata: Map<String, Value>) -> Self {
        let key = TssKey::generate();
        let now = now();
        Self {
            id: id.to_string(),
            state: TssState::Created,
            secret_key: key.to_hex(),
            public_key: key.public_key_base64(),
            serial_number: key.serial_number(),
            certificate: BASE64.encode(key.certificate_der(now)),
            admin_puk: random_puk(),
            admin_pin: None,
            failed_logins: 0,
            signature_counter: 0,
            transaction_counter: 0,
            active_transactions: 0,
            last_log_time: now,
            time_creation: now,
            time_uninit: None,
            time_init: None,
            time_disable: None,
            metadata,
        }
    }

    pub fn key(&self) -> TssKey {
        TssKey::from_hex(&self.secret_key).expect("the simulator wrote this key")
    }

    /// The TSS resource as the API answers it.
    pub fn render(&self) -> Value {
        let mut doc = json!({
            "_id": self.id,
            "_type": "TSS",
            "_env": "TEST",
            "_version": API_VERSION,
            "state": self.state,
            "certificate": self.certificate,
            "serial_number": self.serial_number,
            "public_key": self.public_key,
            "signature_algorithm": crate::tlog::ALGORITHM_NAME,
            "signature_timestamp_format": crate::tlog::TIME_FORMAT,
            "transaction_data_encoding": "UTF-8",
            "max_number_registered_clients": MAX_CLIENTS,
            "max_number_active_transactions": MAX_ACTIVE_TRANSACTIONS,
            "supported_update_variants": "SIGNED",
            "metadata": self.metadata,
            "time_creation": self.time_creation,
            "signature_counter": self.signature_counter.to_string(),
            "transaction_counter": self.transaction_counter.to_string(),
            "number_active_transactions": self.active_transactions,
            "bsi_certification_id": "BSI-K-TR-0000-SIMULATED",
        });
        // The PUK shows only while the TSS is CREATED: the owner keeps it then.
        if self.state == TssState::Created {
            doc["admin_puk"] = json!(self.admin_puk);
        }
        for (field, time) in [
            ("time_uninit", self.time_uninit),
            ("time_init", self.time_init),
            ("time_disable", self.time_disable),
        ] {
            if let Some(t) = time {
                doc[field] = json!(t);
            }
        }
        doc
    }
}

impl ClientRecord {
    pub fn render(&self) -> Value {
        json!({
            "_id": self.id,
            "_type": "CLIENT",
            "_env": "TEST",
            "_version": API_VERSION,
            "serial_number": self.serial_number,
            "state": "REGISTERED",
            "tss_id": self.tss_id,
            "metadata": self.metadata,
            "time_creation": self.time_creation,
            "time_update": self.time_creation,
        })
    }
}

fn random_puk() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric
        .sample_string(&mut rand::rng(), 10)
        .to_ascii_uppercase()
}

/// A path id must be a UUID.
pub(crate) fn uuid(id: &str, what: &str) -> Result<(), ApiError> {
    uuid::Uuid::parse_str(id)
        .map(|_| ())
        .map_err(|_| ApiError::schema(format!("{what} must be a UUID")))
}

fn metadata(body: &Value) -> Map<String, Value> {
    body.get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

pub(crate) fn tss_not_found(id: &str) -> ApiError {
    ApiError::not_found("E_TSS_NOT_FOUND", format!("TSS {id} not found"))
}

fn tss_mut<'a>(inner: &'a mut Inner, id: &str) -> Result<&'a mut Tss, ApiError> {
    inner.data.tss.get_mut(id).ok_or_else(|| tss_not_found(id))
}

fn require_admin(inner: &Inner, tss_id: &str, token: &str) -> Result<(), ApiError> {
    if inner
        .admin_sessions
        .contains(&(tss_id.to_string(), token.to_string()))
    {
        Ok(())
    } else {
        Err(ApiError::unauthorized(
            "E_ADMIN_NOT_AUTHENTICATED",
            "log in as admin of this TSS first",
        ))
    }
}

impl Sandbox {
    /// `PUT /tss/{id}`: creates the TSS, or answers it again while it is CREATED.
    pub(crate) fn create_tss(&self, id: &str, body: &Value) -> Result<Value, ApiError> {
        uuid(id, "tss_id")?;
        let mut inner = self.lock();
        if let Some(existing) = inner.data.tss.get(id) {
            return if existing.state == TssState::Created {
                Ok(existing.render())
            } else {
                Err(ApiError::conflict(
                    "E_TSS_CONFLICT",
                    format!("TSS {id} exists and is no longer CREATED"),
                ))
            };
        }
        let tss = Tss::new(id, metadata(body));
        let answer = tss.render();
        inner.data.tss.insert(id.to_string(), tss);
        self.persist(&inner);
        Ok(answer)
    }

    pub(crate) fn get_tss(&self, id: &str) -> Result<Value, ApiError> {
        tss_mut(&mut self.lock(), id).map(|t| t.render())
    }

    /// `PATCH /tss/{id}`: a state change; the same state again is answered as done.
    pub(crate) fn update_tss(
        &self,
        token: &str,
        id: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let wanted: TssState = body
            .get("state")
            .cloned()
            .and_then(|s| serde_json::from_value(s).ok())
            .filter(|s| *s != TssState::Created)
            .ok_or_else(|| {
                ApiError::schema("state must be UNINITIALIZED, INITIALIZED or DISABLED")
            })?;
        let mut inner = self.lock();
        let current = tss_mut(&mut inner, id)?.state;
        if current != wanted {
            let admin_needed = match (current, wanted) {
                (TssState::Created, TssState::Uninitialized) => false,
                (TssState::Uninitialized, TssState::Initialized)
                | (TssState::Uninitialized, TssState::Disabled)
                | (TssState::Initialized, TssState::Disabled) => true,
                (from, to) => {
                    return Err(ApiError::bad_request(
                        "E_ILLEGAL_TSS_STATE_CHANGE",
                        format!("a TSS cannot go from {from:?} to {to:?}"),
                    ))
                }
            };
            if admin_needed {
                require_admin(&inner, id, token)?;
            }
            let tss = tss_mut(&mut inner, id)?;
            tss.state = wanted;
            let t = Some(now());
            match wanted {
                TssState::Uninitialized => tss.time_uninit = t,
                TssState::Initialized => tss.time_init = t,
                TssState::Disabled => tss.time_disable = t,
                TssState::Created => {}
            }
        }
        let tss = tss_mut(&mut inner, id)?;
        if let Some(Value::Object(m)) = body.get("metadata") {
            tss.metadata.extend(m.clone());
        }
        let answer = tss.render();
        self.persist(&inner);
        Ok(answer)
    }

    /// `PATCH /tss/{id}/admin`: sets the admin PIN with the PUK (and unblocks it).
    pub(crate) fn change_admin_pin(&self, id: &str, body: &Value) -> Result<Value, ApiError> {
        let (Some(puk), Some(pin)) = (
            body.get("admin_puk").and_then(Value::as_str),
            body.get("new_admin_pin").and_then(Value::as_str),
        ) else {
            return Err(ApiError::schema("admin_puk and new_admin_pin are required"));
        };
        if pin.chars().count() < 6 {
            return Err(ApiError::schema(
                "new_admin_pin needs at least 6 characters",
            ));
        }
        let mut inner = self.lock();
        let tss = tss_mut(&mut inner, id)?;
        if !matches!(tss.state, TssState::Uninitialized | TssState::Initialized)
            || tss.admin_puk != puk
        {
            return Err(ApiError::bad_request(
                "E_CHANGE_ADMIN_PIN_FAILED",
                "changing the admin PIN failed (wrong PUK, or the TSS is not deployed)",
            ));
        }
        tss.admin_pin = Some(pin.to_string());
        tss.failed_logins = 0;
        self.persist(&inner);
        Ok(json!({}))
    }

    /// `POST /tss/{id}/admin/auth`: an admin session for this access token.
    pub(crate) fn admin_auth(
        &self,
        token: &str,
        id: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let pin = body
            .get("admin_pin")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::schema("admin_pin is required"))?;
        let mut inner = self.lock();
        let tss = tss_mut(&mut inner, id)?;
        if tss.failed_logins >= MAX_FAILED_LOGINS {
            return Err(ApiError::new(
                axum::http::StatusCode::LOCKED,
                "E_ADMIN_PIN_BLOCKED",
                "the admin PIN is blocked; set a new one with the PUK",
            ));
        }
        if tss.admin_pin.as_deref() != Some(pin) {
            tss.failed_logins += 1;
            self.persist(&inner);
            return Err(ApiError::unauthorized(
                "E_ADMIN_LOGIN_FAILED",
                "wrong admin PIN",
            ));
        }
        tss.failed_logins = 0;
        inner
            .admin_sessions
            .insert((id.to_string(), token.to_string()));
        self.persist(&inner);
        Ok(json!({}))
    }

    pub(crate) fn admin_logout(&self, token: &str, id: &str) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        tss_mut(&mut inner, id)?;
        inner
            .admin_sessions
            .remove(&(id.to_string(), token.to_string()));
        Ok(json!({}))
    }

    /// `PUT /tss/{tss}/client/{client}`: registers a till; the same again is answered as done.
    pub(crate) fn put_client(
        &self,
        token: &str,
        tss_id: &str,
        client_id: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        uuid(client_id, "client_id")?;
        let serial = body
            .get("serial_number")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::schema("serial_number is required"))?;
        let mut inner = self.lock();
        let state = tss_mut(&mut inner, tss_id)?.state;
        require_admin(&inner, tss_id, token)?;
        state.require_initialized()?;
        let allowed = |c: char| c.is_ascii_alphanumeric() || " '()+,-.:=?".contains(c);
        if serial.is_empty() || serial.chars().count() > 70 || !serial.chars().all(allowed) {
            return Err(ApiError::bad_request(
                "E_ILLEGAL_CLIENT_SERIAL",
                "the serial number needs 1–70 of A–Z a–z 0–9 space ' ( ) + , - . : = ?",
            ));
        }
        if let Some(existing) = inner.data.clients.get(client_id) {
            return if existing.tss_id == tss_id && existing.serial_number == serial {
                Ok(existing.render())
            } else {
                Err(ApiError::conflict(
                    "E_CLIENT_CONFLICT",
                    format!("client {client_id} exists"),
                ))
            };
        }
        let clients = inner.data.clients.values().filter(|c| c.tss_id == tss_id);
        let mut count = 0;
        for c in clients {
            if c.serial_number == serial {
                return Err(ApiError::conflict(
                    "E_CLIENT_CONFLICT",
                    "a client with this serial number exists",
                ));
            }
            count += 1;
        }
        if count >= MAX_CLIENTS {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "E_CLIENT_LIMIT_REACHED",
                "too many clients",
            ));
        }
        let record = ClientRecord {
            id: client_id.to_string(),
            tss_id: tss_id.to_string(),
            serial_number: serial.to_string(),
            time_creation: now(),
            metadata: metadata(body),
        };
        let answer = record.render();
        inner.data.clients.insert(client_id.to_string(), record);
        self.persist(&inner);
        Ok(answer)
    }

    pub(crate) fn get_client(&self, tss_id: &str, client_id: &str) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        tss_mut(&mut inner, tss_id)?;
        inner
            .data
            .clients
            .get(client_id)
            .filter(|c| c.tss_id == tss_id)
            .map(ClientRecord::render)
            .ok_or_else(|| {
                ApiError::not_found(
                    "E_CLIENT_NOT_FOUND",
                    format!("client {client_id} not found"),
                )
            })
    }

    /// Control: the TSS is DISABLED at once (as if its owner switched it off).
    pub fn disable_tss(&self, id: &str) -> bool {
        let mut inner = self.lock();
        let Some(tss) = inner.data.tss.get_mut(id) else {
            return false;
        };
        tss.state = TssState::Disabled;
        tss.time_disable = Some(now());
        self.persist(&inner);
        true
    }

    /// A simulator whose demo TSS is INITIALIZED (admin PIN [`DEMO_ADMIN_PIN`])
    /// with the demo till registered: demo mode needs no setup.
    pub fn with_demo_tss() -> Self {
        let sandbox = Self::new();
        sandbox.ensure_demo_tss();
        sandbox
    }

    /// Adds the demo TSS and till unless they exist (e.g. from the state file).
    pub fn ensure_demo_tss(&self) {
        let mut inner = self.lock();
        if inner.data.tss.contains_key(DEMO_TSS_ID) {
            return;
        }
        let mut tss = Tss::new(DEMO_TSS_ID, Map::new());
        tss.state = TssState::Initialized;
        tss.admin_pin = Some(DEMO_ADMIN_PIN.into());
        tss.time_uninit = Some(tss.time_creation);
        tss.time_init = Some(tss.time_creation);
        let client = ClientRecord {
            id: DEMO_CLIENT_ID.into(),
            tss_id: DEMO_TSS_ID.into(),
            serial_number: DEMO_CLIENT_SERIAL.into(),
            time_creation: tss.time_creation,
            metadata: Map::new(),
        };
        inner.data.tss.insert(DEMO_TSS_ID.into(), tss);
        inner.data.clients.insert(DEMO_CLIENT_ID.into(), client);
        self.persist(&inner);
    }
}
