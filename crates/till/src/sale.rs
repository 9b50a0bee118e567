//! The life of a sale as a state machine.
//!
//! ```text
//! open ──register──▶ registered ──begin payment──▶ paying ──▶ paid ──cancel──▶ cancelled
//!   │                    │  ▲ (update)                 │  └──▶ failed
//!   └──begin payment─────┼──┘ (offline cash)           └── still pending: stays paying
//!   └──cancel──▶ cancelled ◀──cancel──┘
//! ```
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
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the sale is already paid; it cannot be paid again")]
    AlreadyPaid,
    #[error("a payment of this sale is in doubt; it is checked with the payment service, never started again")]
    InDoubt,
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
            (S::Paying, E::BeginPayment | E::Cancel | E::Register) => Err(TransitionError::InDoubt),
            (S::Paid, E::Cancel) => Ok(S::Cancelled),
            (S::Paid, E::BeginPayment | E::Paid | E::Register) => Err(TransitionError::AlreadyPaid),
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

    const STATES: [S; 6] = [
        S::Open,
        S::Registered,
        S::Paying,
        S::Paid,
        S::Failed,
        S::Cancelled,
    ];
    const EVENTS: [E; 6] = [
        E::Register,
        E::BeginPayment,
        E::Paid,
        E::Failed,
        E::StillPending,
        E::Cancel,
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
                    // Leaving a final state is only ever the counter-booking.
                    if state.is_final() {
                        assert_eq!((state, event, next), (S::Paid, E::Cancel, S::Cancelled));
                    }
                    // Paid is reached only from paying.
                    if next == S::Paid {
                        assert_eq!(state, S::Paying);
                    }
                }
            }
        }
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for s in STATES {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::parse("bogus"), None);
    }
}
