//! Transactions: `PUT /tss/{tss}/tx/{tx}?tx_revision=N` starts (ACTIVE),
//! updates and finishes (FINISHED or CANCELLED) them, each step signed over
//! its TR-03151 log message. A step repeated with the same revision and body
//! is answered as before (nothing is signed twice).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::process_data;
use crate::records::{Revision, Tx};
use crate::state::{now, Sandbox};
use crate::tlog::{QrCode, TransactionLog, ALGORITHM_NAME, TIME_FORMAT};
use crate::tss::{tss_not_found, uuid, API_VERSION, MAX_ACTIVE_TRANSACTIONS};

impl Tx {
    fn key(tss_id: &str, tx_id: &str) -> String {
        format!("{tss_id}/{tx_id}")
    }

    fn is_open(&self) -> bool {
        self.revisions.last().is_some_and(|r| r.state == "ACTIVE")
    }

    /// Revision `n` (1-based) as the API answers it.
    fn render(&self, n: usize, tss_serial: &str, public_key: &str) -> Value {
        let r = &self.revisions[n - 1];
        let mut doc = json!({
            "_id": self.id,
            "_type": "TRANSACTION",
            "_env": "TEST",
            "_version": API_VERSION,
            "tss_id": self.tss_id,
            "tss_serial_number": tss_serial,
            "client_id": self.client_id,
            "client_serial_number": self.client_serial_number,
            "number": self.number,
            "state": r.state,
            "revision": n,
            "latest_revision": self.revisions.len(),
            "time_start": self.time_start,
            "metadata": r.metadata,
            "log": {"operation": r.operation, "timestamp": r.log_time, "timestamp_format": TIME_FORMAT},
            "signature": {
                "value": r.signature,
                "algorithm": ALGORITHM_NAME,
                "counter": r.signature_counter.to_string(),
                "public_key": public_key,
            },
        });
        if let Some(schema) = &r.schema {
            doc["schema"] = schema.clone();
        }
        if let Some(end) = r.time_end {
            doc["time_end"] = json!(end);
        }
        if let Some(qr) = &r.qr_code_data {
            doc["qr_code_data"] = json!(qr);
        }
        doc
    }
}

fn tx_error(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("E_TX_UPSERT", message)
}

impl Sandbox {
    /// `PUT /tss/{tss}/tx/{tx}?tx_revision=N`.
    pub(crate) fn upsert_tx(
        &self,
        tss_id: &str,
        tx_id: &str,
        revision: Option<u64>,
        body: &Value,
    ) -> Result<Value, ApiError> {
        uuid(tx_id, "tx_id")?;
        let state = body
            .get("state")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !matches!(state, "ACTIVE" | "FINISHED" | "CANCELLED") {
            return Err(ApiError::schema(
                "state must be ACTIVE, FINISHED or CANCELLED",
            ));
        }
        let client_id = body
            .get("client_id")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::schema("client_id is required"))?;
        let schema = body.get("schema").filter(|s| !s.is_null()).cloned();
        let mut inner = self.lock();
        let tss = inner
            .data
            .tss
            .get(tss_id)
            .ok_or_else(|| tss_not_found(tss_id))?;
        let (serial, public_key) = (tss.serial_number.clone(), tss.public_key.clone());
        let key = Tx::key(tss_id, tx_id);

        // A repeated step (its answer was lost): the same answer, nothing signed again.
        if let Some(tx) = inner.data.txs.get(&key) {
            let latest = tx.revisions.len() as u64;
            let wanted = revision.unwrap_or(latest + 1);
            if wanted >= 1 && wanted <= latest {
                let same = tx.revisions[wanted as usize - 1].request == *body;
                return if same {
                    Ok(tx.render(wanted as usize, &serial, &public_key))
                } else {
                    Err(tx_error(format!(
                        "revision {wanted} exists with other content"
                    )))
                };
            }
            if wanted != latest + 1 {
                return Err(tx_error(format!(
                    "tx_revision must be {} (the next)",
                    latest + 1
                )));
            }
            if !tx.is_open() {
                return Err(tx_error("the transaction is already finished"));
            }
            if tx.client_id != client_id {
                return Err(tx_error("the transaction belongs to another client"));
            }
        } else if revision.is_some_and(|r| r != 1) {
            return Err(tx_error("a new transaction starts with tx_revision=1"));
        } else if state != "ACTIVE" || schema.is_some() {
            return Err(tx_error("a transaction starts ACTIVE and without schema"));
        }

        tss.state.require_initialized()?;
        let client = inner
            .data
            .clients
            .get(client_id)
            .filter(|c| c.tss_id == tss_id)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "E_CLIENT_NOT_FOUND",
                    format!("client {client_id} is not registered with this TSS"),
                )
            })?;
        let client_serial = client.serial_number.clone();
        let (process_type, process_data) = match &schema {
            Some(s) => process_data::from_schema(s).map_err(ApiError::schema)?,
            None => (String::new(), String::new()),
        };

        let existing = inner.data.txs.get(&key).cloned();
        let clock = inner.clock;
        let tss = inner.data.tss.get_mut(tss_id).expect("looked up above");
        if existing.is_none() && tss.active_transactions >= MAX_ACTIVE_TRANSACTIONS {
            return Err(ApiError::bad_request(
                "E_TX_LIMIT_REACHED",
                "too many active transactions",
            ));
        }
        let mut tx = existing.unwrap_or_else(|| {
            tss.transaction_counter += 1;
            tss.active_transactions += 1;
            Tx {
                id: tx_id.to_string(),
                tss_id: tss_id.to_string(),
                client_id: client_id.to_string(),
                client_serial_number: client_serial.clone(),
                number: tss.transaction_counter,
                time_start: 0,
                revisions: Vec::new(),
            }
        });
        let (operation, log_operation) = match (tx.revisions.is_empty(), state) {
            (true, _) => ("StartTransaction", "Start"),
            (false, "ACTIVE") => ("UpdateTransaction", "Update"),
            (false, _) => ("FinishTransaction", "Finish"),
        };
        tss.signature_counter += 1;
        let log_time = clock.unwrap_or_else(now).max(tss.last_log_time);
        tss.last_log_time = log_time;
        let key_pair = tss.key();
        let log = TransactionLog {
            operation: operation.into(),
            client_id: client_serial.clone(),
            process_data: process_data.clone().into_bytes(),
            process_type: process_type.clone(),
            transaction_number: tx.number,
            serial_number: key_pair.serial_number_bytes(),
            signature_counter: tss.signature_counter,
            log_time: log_time as u64,
        };
        let signature = BASE64.encode(key_pair.sign_plain(&log.signed_bytes()));
        if tx.revisions.is_empty() {
            tx.time_start = log_time;
        }
        let finished = log_operation == "Finish";
        if finished {
            tss.active_transactions = tss.active_transactions.saturating_sub(1);
        }
        let qr_code_data = finished.then(|| {
            QrCode {
                client_serial_number: client_serial.clone(),
                process_type: process_type.clone(),
                process_data: process_data.clone(),
                transaction_number: tx.number,
                signature_counter: log.signature_counter,
                start_time: tx.time_start,
                log_time,
                signature: signature.clone(),
                public_key: public_key.clone(),
            }
            .render()
        });
        tx.revisions.push(Revision {
            request: body.clone(),
            state: state.to_string(),
            schema,
            metadata: body
                .get("metadata")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            operation: log_operation.into(),
            log_time,
            signature_counter: log.signature_counter,
            signature,
            time_end: finished.then_some(log_time),
            qr_code_data,
        });
        let answer = tx.render(tx.revisions.len(), &serial, &public_key);
        inner.data.txs.insert(key.clone(), tx);
        if finished {
            self.finished(&mut inner, key);
        }
        self.persist(&inner);
        Ok(answer)
    }

    /// `GET /tss/{tss}/tx/{tx id or number}?tx_revision=N`.
    pub(crate) fn get_tx(
        &self,
        tss_id: &str,
        tx: &str,
        revision: Option<u64>,
    ) -> Result<Value, ApiError> {
        let inner = self.lock();
        let tss = inner
            .data
            .tss
            .get(tss_id)
            .ok_or_else(|| tss_not_found(tss_id))?;
        let found = match tx.parse::<u64>() {
            Ok(number) => inner
                .data
                .txs
                .range(format!("{tss_id}/")..)
                .take_while(|(k, _)| k.starts_with(&format!("{tss_id}/")))
                .map(|(_, t)| t)
                .find(|t| t.number == number),
            Err(_) => inner.data.txs.get(&Tx::key(tss_id, tx)),
        };
        let found = found.ok_or_else(|| {
            ApiError::not_found("E_TX_NOT_FOUND", format!("transaction {tx} not found"))
        })?;
        let n = revision.unwrap_or(found.revisions.len() as u64) as usize;
        if n == 0 || n > found.revisions.len() {
            return Err(ApiError::bad_request(
                "E_TX_REVISION_NOT_FOUND",
                format!("revision {n} does not exist"),
            ));
        }
        Ok(found.render(n, &tss.serial_number, &tss.public_key))
    }
}

/// A transaction as a test compares it with a till's journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxSummary {
    pub tss_id: String,
    pub id: String,
    pub number: u64,
    /// `ACTIVE`, `FINISHED` or `CANCELLED` (the latest revision's).
    pub state: String,
    /// The latest revision's signature counter.
    pub signature_counter: u64,
    /// `BON_TYP` of a finished receipt (`Beleg`, `AVBelegabbruch`, …).
    pub process_data: Option<String>,
}

impl Sandbox {
    /// Every transaction kept, in the order of their numbers per TSS.
    pub fn transactions(&self) -> Vec<TxSummary> {
        let inner = self.lock();
        let mut out: Vec<TxSummary> = inner
            .data
            .txs
            .values()
            .filter_map(|tx| {
                let last = tx.revisions.last()?;
                Some(TxSummary {
                    tss_id: tx.tss_id.clone(),
                    id: tx.id.clone(),
                    number: tx.number,
                    state: last.state.clone(),
                    signature_counter: last.signature_counter,
                    process_data: last
                        .qr_code_data
                        .as_deref()
                        .and_then(QrCode::parse)
                        .map(|q| q.process_data),
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.tss_id, a.number).cmp(&(&b.tss_id, b.number)));
        out
    }
}
