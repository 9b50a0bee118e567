//! The TSE's own events in the journal: a business event's start (the first
//! line entered the basket), its abort, and the TSE's outages.
//!
//! The start is journaled *before* the TSE is asked, so every TSE
//! transaction the till may have opened is known to the journal; `open_tse`
//! (kept by triggers from the entries) lists those not yet ended by a sale,
//! a failed payment or an abort, and the clean-up at start finishes them.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::schema::kind;
use super::write::Appender;
use super::{Journal, JournalError};
use crate::tse::TseRecord;

/// Why a business event's TSE transaction ended without a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbortReason {
    /// The cashier cleared the basket.
    BasketCleared,
    /// Found open at start: the till stopped (a crash, the app closed) with a basket.
    LeftOpen,
}

/// A `tse_abort` entry's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TseAbort {
    pub reason: AbortReason,
    /// The signed `AVBelegabbruch`; `None` when the TSE never had the
    /// transaction (its start never arrived), `Failed` when it could not finish it.
    pub tse: Option<TseRecord>,
    /// The basket as it stood when it was cleared (the tax export's
    /// `AVBelegabbruch` lines); `None` when the till did not know it (left
    /// open by a crash) and in journals before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basket: Option<crate::basket::Basket>,
}

/// A `tse_start` entry's body: what the business event is for. Empty for a
/// basket (its sale names it) and a cash movement (its receipt does).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TseStartOf {
    /// A cash sale's cancellation: the receipt it cancels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancels_receipt: Option<i64>,
    /// Why it is cancelled (as the cashier said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A `tse_outage` entry's body: the TSE stopped signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TseOutage {
    /// The client's stable code (`tse_unreachable`, …).
    pub code: String,
    /// In words.
    pub reason: String,
}

/// An outage as the closing reports it: from its first failure to the
/// first signature after it (`end` `None`: still down).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OutagePeriod {
    pub start: String,
    pub end: Option<String>,
    pub reason: String,
}

/// What one TSE signed in a closing's period (sales, cancellations, aborts,
/// cash movements, returns, the float).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TseRange {
    /// The TSE's serial number.
    pub tss_serial: String,
    /// How many transactions it signed.
    pub signed: u64,
    pub first_tx_number: u64,
    pub last_tx_number: u64,
    pub first_signature_counter: u64,
    pub last_signature_counter: u64,
}

/// The TSE's part of a closing (the Z report prints it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TseSummary {
    /// One per TSE that signed in the period (normally one).
    pub devices: Vec<TseRange>,
    /// Outages in the period, or going on at its start.
    pub outages: Vec<OutagePeriod>,
}

/// The TSE's part of the period after entry `after_seq`; `None` when there
/// is nothing of a TSE in it (a till without one).
pub(super) fn tse_summary(
    conn: &Connection,
    after_seq: i64,
) -> Result<Option<TseSummary>, JournalError> {
    let mut stmt = conn.prepare(
        "SELECT json_extract(body, '$.tse.tss_serial') AS serial, COUNT(*),
                MIN(json_extract(body, '$.tse.tx_number')), MAX(json_extract(body, '$.tse.tx_number')),
                MIN(json_extract(body, '$.tse.signature_counter')),
                MAX(json_extract(body, '$.tse.signature_counter'))
         FROM entries
         WHERE seq > ?1
           AND kind IN ('sale', 'cancellation', 'tse_abort', 'cash_receipt', 'return', 'cash_movement')
           AND json_valid(body) AND json_extract(body, '$.tse.status') = 'signed'
         GROUP BY serial ORDER BY MIN(seq)",
    )?;
    let devices = stmt
        .query_map(params![after_seq], |r| {
            Ok(TseRange {
                tss_serial: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                signed: r.get::<_, i64>(1)?.max(0) as u64,
                first_tx_number: r.get::<_, i64>(2)?.max(0) as u64,
                last_tx_number: r.get::<_, i64>(3)?.max(0) as u64,
                first_signature_counter: r.get::<_, i64>(4)?.max(0) as u64,
                last_signature_counter: r.get::<_, i64>(5)?.max(0) as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let outages = outages_between(conn, after_seq, i64::MAX)?;
    Ok((!devices.is_empty() || !outages.is_empty()).then_some(TseSummary { devices, outages }))
}

/// The outages that overlap the entries after `after_seq` up to `upto_seq`, oldest first.
fn outages_between(
    conn: &Connection,
    after_seq: i64,
    upto_seq: i64,
) -> Result<Vec<OutagePeriod>, JournalError> {
    let mut stmt = conn.prepare(
        "SELECT seq, kind, created_at, body FROM entries
         WHERE kind IN ('tse_outage', 'tse_outage_end') AND seq <= ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![upto_seq], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out: Vec<(i64, OutagePeriod)> = Vec::new();
    for row in rows {
        let (seq, k, at, body) = row?;
        if k == kind::TSE_OUTAGE {
            let reason = serde_json::from_str::<TseOutage>(&body)
                .map(|o| o.reason)
                .unwrap_or_default();
            out.push((
                seq,
                OutagePeriod {
                    start: at,
                    end: None,
                    reason,
                },
            ));
        } else if let Some((end_seq, last)) = out.last_mut() {
            if last.end.is_none() {
                last.end = Some(at);
                *end_seq = seq;
            }
        }
    }
    // Those still going on, or that ended within the period.
    Ok(out
        .into_iter()
        .filter(|(last_seq, o)| o.end.is_none() || *last_seq > after_seq)
        .map(|(_, o)| o)
        .collect())
}

impl Journal {
    /// Journals that the business event `tx_id` started (before the TSE is asked).
    pub fn record_tse_start(&mut self, tx_id: &str) -> Result<(), JournalError> {
        self.record_tse_start_of(tx_id, &TseStartOf::default())
    }

    /// Journals the start of `tx_id` with what it is for (a cancellation:
    /// which receipt, why), so that the clean-up at start can end it as
    /// what it is. A start journaled before (a try that did not end) stands.
    pub fn record_tse_start_of(
        &mut self,
        tx_id: &str,
        of: &TseStartOf,
    ) -> Result<(), JournalError> {
        let body = serde_json::to_string(of)?;
        let tx = self.write_tx()?;
        let known = tx
            .prepare_cached("SELECT 1 FROM open_tse WHERE tx_id = ?1")?
            .exists(params![tx_id])?;
        if !known {
            Appender::new(&tx)?.append(kind::TSE_START, Some(tx_id), None, &body, None)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// What the open business event `tx_id` is for, as its start says.
    pub fn tse_start_of(&self, tx_id: &str) -> Result<TseStartOf, JournalError> {
        let body: Option<String> = self
            .conn
            .prepare_cached("SELECT body FROM entries WHERE kind = 'tse_start' AND sale_id = ?1")?
            .query_row(params![tx_id], |r| r.get(0))
            .optional()?;
        Ok(body
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or_default())
    }

    /// Journals the end of an abandoned business event (and its TSE
    /// answer). Answers `false`, writing nothing, when the event has ended
    /// already (ended twice at once: the clean-up and the cashier).
    pub fn record_tse_abort(
        &mut self,
        tx_id: &str,
        abort: &TseAbort,
    ) -> Result<bool, JournalError> {
        let body = serde_json::to_string(abort).map_err(|e| JournalError::Open(e.to_string()))?;
        let tx = self.write_tx()?;
        let open = tx
            .prepare_cached("SELECT 1 FROM open_tse WHERE tx_id = ?1")?
            .exists(params![tx_id])?;
        if !open {
            return Ok(false);
        }
        Appender::new(&tx)?.append(kind::TSE_ABORT, Some(tx_id), None, &body, None)?;
        tx.commit()?;
        Ok(true)
    }

    /// Business events started and not ended, oldest first.
    pub fn open_tse(&self) -> Result<Vec<String>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT tx_id FROM open_tse ORDER BY since_seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The TSE's part of the running period (since the last closing), as
    /// the next closing will store it: what the X report shows.
    pub fn running_tse_summary(&self) -> Result<Option<TseSummary>, JournalError> {
        let since_seq = super::query::last_closing(&self.conn)?.map_or(0, |(seq, _)| seq);
        tse_summary(&self.conn, since_seq)
    }

    /// Journals the start (`Some`) or the end (`None`) of an outage.
    pub fn record_tse_outage(&mut self, outage: Option<&TseOutage>) -> Result<(), JournalError> {
        let (kind, body) = match outage {
            Some(o) => (
                kind::TSE_OUTAGE,
                serde_json::to_string(o).map_err(|e| JournalError::Open(e.to_string()))?,
            ),
            None => (kind::TSE_OUTAGE_END, "{}".to_string()),
        };
        let tx = self.write_tx()?;
        Appender::new(&tx)?.append(kind, None, None, &body, None)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether the newest outage entry is a start without its end.
    pub fn tse_outage_open(&self) -> Result<bool, JournalError> {
        let last: Option<String> = self
            .conn
            .query_row(
                "SELECT kind FROM entries WHERE kind IN ('tse_outage', 'tse_outage_end')
                 ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(last.as_deref() == Some(kind::TSE_OUTAGE))
    }

    /// The outages that overlap the entries after `after_seq` up to
    /// `upto_seq` (a closing's period), oldest first.
    pub fn tse_outages(
        &self,
        after_seq: i64,
        upto_seq: i64,
    ) -> Result<Vec<OutagePeriod>, JournalError> {
        outages_between(&self.conn, after_seq, upto_seq)
    }
}
