//! Receipts whose automatic print failed: which the cashier is told about,
//! which are offered again once the printer is back, and for how long.
//!
//! A receipt printed after a sale nobody waits for. When that job fails, the
//! receipt is kept here by its number. It is never printed again on its own
//! (the customer may have left, or the cashier printed it another way): when
//! the printer is ready again it is *offered*, for [`OFFER_FOR`] after the
//! failure, until the cashier prints or dismisses it. Any print of the same
//! receipt that goes through (from the receipt screen, a reprint from the
//! journal) ends the offer too, so a receipt is never printed twice by it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::JobId;

/// How long after its failure a receipt is offered again: the customer may
/// still be at the counter while the cashier puts in a roll or plugs the printer in.
pub const OFFER_FOR: Duration = Duration::from_secs(5 * 60);
/// How long an unanswered receipt is remembered at all (the receipt screen says
/// it did not print while it is shown); afterwards the journal has it.
const KEEP_FOR: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone, Copy)]
struct Missed {
    job: JobId,
    failed_at: Instant,
}

/// What the till tells the cashier about receipts that did not print.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct MissedReceipts {
    /// Receipt numbers whose automatic print failed and that have not printed since.
    pub unprinted: Vec<u64>,
    /// Those of them to offer now: the printer is ready and the failure recent.
    pub offered: Vec<u64>,
}

/// The receipts whose automatic print failed, by receipt number.
#[derive(Debug, Default)]
pub struct MissedPrints {
    missed: BTreeMap<u64, Missed>,
}

impl MissedPrints {
    /// The automatic print `job` of receipt `receipt` failed at `at`.
    pub fn failed(&mut self, receipt: u64, job: JobId, at: Instant) {
        self.missed
            .retain(|_, m| at.saturating_duration_since(m.failed_at) < KEEP_FOR);
        self.missed.insert(receipt, Missed { job, failed_at: at });
    }

    /// A print of `receipt` went through: nothing to offer any more.
    pub fn printed(&mut self, receipt: u64) {
        self.missed.remove(&receipt);
    }

    /// The cashier declined the offer: it is not made again.
    pub fn dismiss(&mut self, receipt: u64) -> bool {
        self.missed.remove(&receipt).is_some()
    }

    /// The failed job to print `receipt` with, now; it leaves the list, so that
    /// a second tap (or the receipt screen's button at the same time) finds
    /// nothing. If that print fails again, [`failed`](Self::failed) brings it back.
    pub fn take(&mut self, receipt: u64) -> Option<JobId> {
        self.missed.remove(&receipt).map(|m| m.job)
    }

    /// What the cashier is told at `now`; offers only while the printer is ready.
    pub fn state(&self, now: Instant, printer_ready: bool) -> MissedReceipts {
        let live = |m: &Missed| now.saturating_duration_since(m.failed_at) < KEEP_FOR;
        MissedReceipts {
            unprinted: self
                .missed
                .iter()
                .filter(|(_, m)| live(m))
                .map(|(n, _)| *n)
                .collect(),
            offered: if printer_ready {
                self.missed
                    .iter()
                    .filter(|(_, m)| now.saturating_duration_since(m.failed_at) < OFFER_FOR)
                    .map(|(n, _)| *n)
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_failed_receipt_is_offered_only_once_the_printer_is_ready() {
        let t0 = Instant::now();
        let mut missed = MissedPrints::default();
        missed.failed(5, 11, t0);
        let offline = missed.state(t0 + MINUTE, false);
        assert_eq!(offline.unprinted, [5]);
        assert!(
            offline.offered.is_empty(),
            "never while the printer is away"
        );
        let back = missed.state(t0 + MINUTE, true);
        assert_eq!(back.offered, [5]);
    }

    #[test]
    fn an_offer_ends_after_the_window_the_receipt_screen_still_knows_a_while() {
        let t0 = Instant::now();
        let mut missed = MissedPrints::default();
        missed.failed(5, 11, t0);
        missed.failed(6, 12, t0 + 3 * MINUTE);
        let later = missed.state(t0 + OFFER_FOR + MINUTE, true);
        assert_eq!(later.offered, [6], "receipt 5 failed too long ago");
        assert_eq!(later.unprinted, [5, 6]);
        let much_later = missed.state(t0 + KEEP_FOR + MINUTE, true);
        assert_eq!(much_later.unprinted, [6]);
        // Old ones are let go when the next failure comes.
        missed.failed(7, 13, t0 + 2 * KEEP_FOR);
        assert_eq!(missed.state(t0 + 2 * KEEP_FOR, true).unprinted, [7]);
    }

    #[test]
    fn dismissed_printed_or_taken_it_is_not_offered_again() {
        let t0 = Instant::now();
        let mut missed = MissedPrints::default();
        missed.failed(5, 11, t0);
        missed.failed(6, 12, t0);
        missed.failed(7, 13, t0);
        assert!(missed.dismiss(5));
        assert!(!missed.dismiss(5));
        missed.printed(6);
        assert_eq!(missed.take(7), Some(13));
        assert_eq!(missed.take(7), None, "a second tap prints nothing");
        assert_eq!(missed.state(t0, true), MissedReceipts::default());
        // The print taken fails again: it is offered again, with its new time.
        missed.failed(7, 13, t0 + OFFER_FOR);
        assert_eq!(missed.state(t0 + OFFER_FOR + MINUTE, true).offered, [7]);
    }
}
