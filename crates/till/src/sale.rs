//! The life of a sale as a state machine.
//!
//! ```text
//! open ──register──▶ registered ──begin payment──▶ paying ──▶ paid ──cancel──▶ cancelled
//!   │                    │  ▲ (update)                 │  └──▶ failed   │          ▲
//!   └──begin payment─────┼──┘ (offline cash)           │   begin cancel │          │ cancel
//!   └──cancel──▶ cancelled ◀──cancel──┘  still pending └┘               ▼          │
//!                                                          paid ◀─failed── cancelling
//! ```
//!
//! `cancelling` is entered by writing the intent to cancel *before* the
//! provider is asked to give money back (`canceltrx`); like `paying`, only the
//! provider's answer or reading the transaction back moves it on.
//!
//! `paying` is entered by writing the intent to the journal *before* the
//! provider is called. From there only the provider's answer (or reading the
//! transaction back) moves it on: a payment in doubt is never started again,
//! and a paid sale is never paid again.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleState {
    /// The basket is being built; nothing is stored anywhere.
    Open,
    /// The provider's smart transaction exists (created or updated).
    Registered,
    /// The intent to pay is in the journal; the payment may be running.
    Paying,
    Paid,
    Failed,
    /// The intent to cancel is in the journal; the provider's reversal may be running.
    Cancelling,
    Cancelled,
}

/// What happens to a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleEvent {
    /// The smart transaction was created or updated.
    Register,
    /// The intent to pay was written; the payment call follows.
    BeginPayment,
    Paid,
    Failed,
    /// Read back, the payment is still running.
    StillPending,
    /// Abandoned before paying, or cancelled after (a counter-booking).
    Cancel,
    /// The intent to cancel was written; the provider's reversal follows.
    BeginCancel,
    /// The provider did not reverse the payment: the sale stays paid.
    CancelFailed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the sale is already paid; it cannot be paid again")]
    AlreadyPaid,
    #[error("a payment of this sale is in doubt; it is checked with the payment service, never started again")]
    InDoubt,
    #[error("a cancellation of this sale is under way; it is checked with the payment service, never started again")]
    CancelInDoubt,
    #[error("a {from} sale cannot be {event}")]
    Illegal {
        from: &'static str,
        event: &'static str,
    },
}

impl SaleState {
    pub fn as_str(self) -> &'static str {
        match self {
            SaleState::Open => "open",
            SaleState::Registered => "registered",
            SaleState::Paying => "paying",
            SaleState::Paid => "paid",
            SaleState::Failed => "failed",
            SaleState::Cancelling => "cancelling",
            SaleState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => SaleState::Open,
            "registered" => SaleState::Registered,
            "paying" => SaleState::Paying,
            "paid" => SaleState::Paid,
            "failed" => SaleState::Failed,
            "cancelling" => SaleState::Cancelling,
            "cancelled" => SaleState::Cancelled,
            _ => return None,
        })
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            SaleState::Paid | SaleState::Failed | SaleState::Cancelled
        )
    }

    /// The state after `event`, or why `event` may not happen now.
    pub fn apply(self, event: SaleEvent) -> Result<SaleState, TransitionError> {
        use SaleEvent as E;
        use SaleState as S;
        match (self, event) {
            (S::Open | S::Registered, E::Register) => Ok(S::Registered),
            // Offline, a cash sale is paid without a smart transaction.
            (S::Open | S::Registered, E::BeginPayment) => Ok(S::Paying),
            (S::Open | S::Registered, E::Cancel) => Ok(S::Cancelled),
            (S::Paying, E::Paid) => Ok(S::Paid),
            (S::Paying, E::Failed) => Ok(S::Failed),
            (S::Paying, E::StillPending) => Ok(S::Paying),
            (S::Paying, E::BeginPayment | E::Cancel | E::Register | E::BeginCancel) => {
                Err(TransitionError::InDoubt)
            }
            // A cash sale is cancelled by the counter-booking alone.
            (S::Paid, E::Cancel) => Ok(S::Cancelled),
            (S::Paid, E::BeginCancel) => Ok(S::Cancelling),
            (S::Paid, E::BeginPayment | E::Paid | E::Register) => Err(TransitionError::AlreadyPaid),
            (S::Cancelling, E::Cancel) => Ok(S::Cancelled),
            (S::Cancelling, E::CancelFailed) => Ok(S::Paid),
            (S::Cancelling, _) => Err(TransitionError::CancelInDoubt),
            (from, event) => Err(TransitionError::Illegal {
                from: from.as_str(),
                event: event.as_str(),
            }),
        }
    }
}

impl SaleEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            SaleEvent::Register => "registered",
            SaleEvent::BeginPayment => "paid for",
            SaleEvent::Paid => "marked paid",
            SaleEvent::Failed => "marked failed",
            SaleEvent::StillPending => "still pending",
            SaleEvent::Cancel => "cancelled",
            SaleEvent::BeginCancel => "cancelled (started)",
            SaleEvent::CancelFailed => "left paid (cancellation not done)",
        }
    }
}

impl std::fmt::Display for SaleState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SaleEvent as E;
    use SaleState as S;

    const STATES: [S; 7] = [
        S::Open,
        S::Registered,
        S::Paying,
        S::Paid,
        S::Failed,
        S::Cancelling,
        S::Cancelled,
    ];
    const EVENTS: [E; 8] = [
        E::Register,
        E::BeginPayment,
        E::Paid,
        E::Failed,
        E::StillPending,
        E::Cancel,
        E::BeginCancel,
        E::CancelFailed,
    ];

    #[test]
    fn the_happy_path() {
        let s = S::Open.apply(E::Register).unwrap();
        let s = s.apply(E::Register).unwrap();
        let s = s.apply(E::BeginPayment).unwrap();
        assert_eq!(s, S::Paying);
        assert_eq!(s.apply(E::StillPending), Ok(S::Paying));
        let s = s.apply(E::Paid).unwrap();
        assert_eq!(s.apply(E::Cancel), Ok(S::Cancelled));
    }

    #[test]
    fn never_paid_twice_and_never_restarted_in_doubt() {
        assert_eq!(
            S::Paid.apply(E::BeginPayment),
            Err(TransitionError::AlreadyPaid)
        );
        assert_eq!(S::Paid.apply(E::Paid), Err(TransitionError::AlreadyPaid));
        assert_eq!(
            S::Paying.apply(E::BeginPayment),
            Err(TransitionError::InDoubt)
        );
        assert_eq!(S::Paying.apply(E::Cancel), Err(TransitionError::InDoubt));
    }

    #[test]
    fn final_states_accept_nothing_but_the_cancellation_of_a_paid_sale() {
        for state in STATES {
            for event in EVENTS {
                let result = state.apply(event);
                if state == S::Failed || state == S::Cancelled {
                    assert!(result.is_err(), "{state:?} {event:?}");
                }
                if let Ok(next) = result {
                    // Leaving a final state is only ever the counter-booking (or its intent).
                    if state.is_final() {
                        assert!(
                            [
                                (S::Paid, E::Cancel, S::Cancelled),
                                (S::Paid, E::BeginCancel, S::Cancelling)
                            ]
                            .contains(&(state, event, next)),
                            "{state:?} {event:?} {next:?}"
                        );
                    }
                    // Paid is reached only from paying, or back from a cancellation that did not happen.
                    if next == S::Paid {
                        assert!(
                            state == S::Paying
                                || (state, event) == (S::Cancelling, E::CancelFailed),
                            "{state:?} {event:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_cancellation_under_way_is_never_started_again() {
        let s = S::Paid.apply(E::BeginCancel).unwrap();
        assert_eq!(s, S::Cancelling);
        assert_eq!(s.apply(E::BeginCancel), Err(TransitionError::CancelInDoubt));
        assert_eq!(s.apply(E::Paid), Err(TransitionError::CancelInDoubt));
        assert_eq!(s.apply(E::Cancel), Ok(S::Cancelled));
        assert_eq!(s.apply(E::CancelFailed), Ok(S::Paid));
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for s in STATES {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::parse("bogus"), None);
    }
}
