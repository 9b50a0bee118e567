//! Transactions: one per business event, started when it starts and
//! finished when it ends. Each step is `PUT …/tx/{tx}?tx_revision=N` with the
//! till's own transaction id: repeating a step is harmless (the TSE answers
//! the step it already signed), so a lost answer is repeated or read back,
//! never signed twice.

use std::time::Instant;

use reqwest::Method;
use serde_json::{json, Value};
use tracing::info;

use crate::client::Client;
use crate::error::Error;
use crate::models::{Receipt, Transaction, TxState};

impl Client {
    /// Starts a transaction (revision 1, ACTIVE). `tx_id` is a new UUIDv4 the
    /// till keeps with its business event.
    pub async fn start_transaction(
        &self,
        tss_id: &str,
        client_id: &str,
        tx_id: &str,
    ) -> Result<Transaction, Error> {
        let body = json!({"state": TxState::Active, "client_id": client_id});
        self.step(tss_id, tx_id, 1, &body, TxState::Active).await
    }

    /// Finishes a transaction with its receipt. `revision` is the one after
    /// the latest (2 after a plain start); repeating a finish that may have
    /// been signed uses the same revision and receipt.
    pub async fn finish_transaction(
        &self,
        tss_id: &str,
        client_id: &str,
        tx_id: &str,
        revision: u64,
        receipt: &Receipt,
    ) -> Result<Transaction, Error> {
        let body = json!({
            "state": TxState::Finished,
            "client_id": client_id,
            "schema": {"standard_v1": {"receipt": receipt}},
        });
        self.step(tss_id, tx_id, revision, &body, TxState::Finished)
            .await
    }

    /// Ends a transaction without a receipt (CANCELLED), e.g. one found open after a crash.
    pub async fn cancel_transaction(
        &self,
        tss_id: &str,
        client_id: &str,
        tx_id: &str,
        revision: u64,
    ) -> Result<Transaction, Error> {
        let body = json!({"state": TxState::Cancelled, "client_id": client_id});
        self.step(tss_id, tx_id, revision, &body, TxState::Cancelled)
            .await
    }

    /// A transaction by id (or number), at a revision or the latest.
    pub async fn get_transaction(
        &self,
        tss_id: &str,
        tx_id: &str,
        revision: Option<u64>,
    ) -> Result<Transaction, Error> {
        self.get_transaction_until(tss_id, tx_id, revision, self.step_deadline())
            .await
    }

    async fn get_transaction_until(
        &self,
        tss_id: &str,
        tx_id: &str,
        revision: Option<u64>,
        deadline: Instant,
    ) -> Result<Transaction, Error> {
        let query: Vec<(&str, String)> = revision
            .map(|r| vec![("tx_revision", r.to_string())])
            .unwrap_or_default();
        self.read(&format!("tss/{tss_id}/tx/{tx_id}"), &query, deadline)
            .await
    }

    /// One step; when its answer is lost, the step is read back (within the
    /// same deadline) to learn whether the TSE signed it.
    async fn step(
        &self,
        tss_id: &str,
        tx_id: &str,
        revision: u64,
        body: &Value,
        wanted: TxState,
    ) -> Result<Transaction, Error> {
        let deadline = self.step_deadline();
        let path = format!("tss/{tss_id}/tx/{tx_id}");
        let query = [("tx_revision", revision.to_string())];
        let result = self
            .call(Method::PUT, &path, &query, Some(body), deadline)
            .await;
        let Err(error) = result else {
            return result;
        };
        if !error.outcome_unknown() || Instant::now() >= deadline {
            return Err(error);
        }
        match self
            .get_transaction_until(tss_id, tx_id, Some(revision), deadline)
            .await
        {
            Ok(tx) if tx.state == wanted => {
                info!(tx_id, revision, "the lost step was signed; read back");
                Ok(tx)
            }
            // Not (yet) there: the step may still be in flight at the TSE,
            // so the outcome stays unknown and the same step may be repeated.
            _ => Err(error),
        }
    }

    /// A GET: nothing changes at the TSE, so a lost answer means "not done".
    pub(crate) async fn read<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        deadline: Instant,
    ) -> Result<T, Error> {
        self.call(Method::GET, path, query, None, deadline)
            .await
            .map_err(|e| match e {
                Error::OutcomeUnknown(m) => Error::NotExecuted(m),
                other => other,
            })
    }
}
