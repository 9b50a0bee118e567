//! Receipts whose automatic print failed, kept in the settings store as well
//! as in the print queue's memory: after a crash or a restart the cashier is
//! still offered them (within the queue's time to offer), with the document
//! as it was to be printed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use receipt::{Document, MissedReceipts};
use serde::{Deserialize, Serialize};
use tracing::warn;

use crate::settings::SettingsFile;

/// The settings section that holds them.
pub const KEY_MISSED: &str = "missed_receipts";
/// Forgotten after this long, as the queue forgets them (the journal has them).
fn keep_for() -> chrono::Duration {
    chrono::Duration::hours(1)
}

/// One receipt that did not print: when, and what to print.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptReceipt {
    pub failed_at: DateTime<Utc>,
    pub document: Document,
}

/// The kept receipts by number, and the store they are written to.
pub struct Kept {
    file: SettingsFile,
    receipts: BTreeMap<u64, KeptReceipt>,
}

impl Kept {
    /// Those in `file` that are not too old.
    pub fn load(file: SettingsFile, now: DateTime<Utc>) -> Self {
        let mut receipts: BTreeMap<u64, KeptReceipt> = file.section(KEY_MISSED, &mut Vec::new());
        receipts.retain(|_, r| now - r.failed_at < keep_for());
        Self { file, receipts }
    }

    fn save(&self) {
        if let Err(e) = self.file.put(KEY_MISSED, &self.receipts) {
            warn!(error = %e.message, "the receipts that did not print could not be kept");
        }
    }

    /// The automatic print of `document` failed at `now`.
    pub fn failed(&mut self, document: &Document, now: DateTime<Utc>) {
        let Some(number) = document.customer_receipt_number() else {
            return;
        };
        self.receipts.retain(|_, r| now - r.failed_at < keep_for());
        self.receipts.insert(
            number,
            KeptReceipt {
                failed_at: now,
                document: document.clone(),
            },
        );
        self.save();
    }

    /// Receipt `number` printed, was dismissed or is being printed: not kept any more.
    pub fn forget(&mut self, number: u64) -> Option<KeptReceipt> {
        let gone = self.receipts.remove(&number);
        if gone.is_some() {
            self.save();
        }
        gone
    }

    /// The queue's missed receipts with the kept ones it does not know
    /// (from before a restart) added: unprinted while kept, offered while
    /// the printer is ready and the failure recent.
    pub fn merged(
        &self,
        mut missed: MissedReceipts,
        printer_ready: bool,
        now: DateTime<Utc>,
    ) -> MissedReceipts {
        let offer_for = chrono::Duration::from_std(receipt::missed::OFFER_FOR)
            .unwrap_or(chrono::Duration::minutes(5));
        for (number, kept) in &self.receipts {
            if now - kept.failed_at >= keep_for() {
                continue;
            }
            if !missed.unprinted.contains(number) {
                missed.unprinted.push(*number);
            }
            if printer_ready && now - kept.failed_at < offer_for && !missed.offered.contains(number)
            {
                missed.offered.push(*number);
            }
        }
        missed.unprinted.sort_unstable();
        missed.offered.sort_unstable();
        missed
    }
}
