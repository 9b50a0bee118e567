//! The simulator's records: TSSs, their clients and transactions as the
//! state holds them (and the state file keeps them). Plain data: the state
//! owns them; what the API does with them is in `tss` and `tx`, which work on
//! the state, so every module depends one way.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TssState {
    Created,
    Uninitialized,
    Initialized,
    Disabled,
}

impl TssState {
    /// Clients and transactions need an INITIALIZED TSS.
    pub(crate) fn require_initialized(self) -> Result<(), ApiError> {
        match self {
            TssState::Initialized => Ok(()),
            TssState::Disabled => Err(ApiError::bad_request(
                "E_TSS_DISABLED",
                "the TSS is disabled",
            )),
            _ => Err(ApiError::bad_request(
                "E_TSS_NOT_INITIALIZED",
                "the TSS is not initialized",
            )),
        }
    }
}

/// One TSS. No `Debug`: it holds its key, PUK and PIN.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Tss {
    pub id: String,
    pub state: TssState,
    /// Hex of the private scalar.
    pub secret_key: String,
    pub public_key: String,
    pub serial_number: String,
    pub certificate: String,
    pub admin_puk: String,
    pub admin_pin: Option<String>,
    pub failed_logins: u32,
    pub signature_counter: u64,
    pub transaction_counter: u64,
    pub active_transactions: u64,
    /// The latest log time signed, so that log times never go back.
    pub last_log_time: i64,
    pub time_creation: i64,
    pub time_uninit: Option<i64>,
    pub time_init: Option<i64>,
    pub time_disable: Option<i64>,
    pub metadata: Map<String, Value>,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct ClientRecord {
    pub id: String,
    pub tss_id: String,
    pub serial_number: String,
    pub time_creation: i64,
    pub metadata: Map<String, Value>,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Tx {
    pub id: String,
    pub tss_id: String,
    pub client_id: String,
    pub client_serial_number: String,
    pub number: u64,
    pub time_start: i64,
    pub revisions: Vec<Revision>,
}

/// One signed step of a transaction.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Revision {
    /// The request body, to recognise a repeated step.
    pub request: Value,
    pub state: String,
    pub schema: Option<Value>,
    pub metadata: Map<String, Value>,
    /// `Start`, `Update` or `Finish`.
    pub operation: String,
    pub log_time: i64,
    pub signature_counter: u64,
    pub signature: String,
    pub time_end: Option<i64>,
    pub qr_code_data: Option<String>,
}
