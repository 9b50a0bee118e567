//! The work the till does off the UI's path: catching up with the payment
//! service every few seconds, and checking its own journal.

use std::sync::Arc;
use std::time::Duration;

use crate::state::AppState;

/// How often payments in doubt and queued offline sales are retried.
pub const CATCH_UP_EVERY: Duration = Duration::from_secs(5);

/// How often the background looks whether the daily walk of the chain is due.
pub const JOURNAL_CHECK_EVERY: Duration = Duration::from_secs(15 * 60);

/// Settles payments left in doubt (e.g. by a crash) and registers sales paid
/// offline: once at start-up, then every few seconds; `after_round` runs after
/// each round (the desktop hands freed memory back there).
pub async fn catch_up_loop(state: Arc<AppState>, after_round: impl Fn()) {
    loop {
        crate::commands::status::catch_up(&state).await;
        after_round();
        tokio::time::sleep(CATCH_UP_EVERY).await;
    }
}

/// The till's own check of its journal: what came since the last verified
/// point at start, the whole chain once a day (`till::integrity`).
pub async fn check_journal_loop(state: Arc<AppState>) {
    let mut first = true;
    loop {
        let state = Arc::clone(&state);
        let run = tokio::task::spawn_blocking(move || {
            let walked = first && state.health.check_at_start(&state.journal)?;
            if !walked && state.health.full_check_due(&state.journal) {
                state.health.check_all(&state.journal)?;
            }
            Ok::<_, till::JournalError>(())
        });
        match run.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the journal could not be checked now; trying again later")
            }
            Err(e) => tracing::warn!(error = %e, "the journal check stopped"),
        }
        first = false;
        tokio::time::sleep(JOURNAL_CHECK_EVERY).await;
    }
}
