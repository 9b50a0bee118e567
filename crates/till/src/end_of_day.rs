//! The closing as the cashier runs it: the terminal's end of day, then the
//! journal's closing with the terminal's answer stored in it.

use secuconnect::{CancellationToken, Device};
use tracing::{info, instrument};

use crate::checkout::{Checkout, CheckoutError};
use crate::closing::Closing;
use crate::journal::JournalError;
use crate::money::Cents;

impl Checkout<'_> {
    /// Closes the day. Payments in doubt must be settled first
    /// ([`Checkout::reconcile`]), because they change the figures. With a
    /// `terminal`, its end of day runs first (after it, card payments of the
    /// day can no longer be cancelled on the terminal).
    #[instrument(skip(self, cancel))]
    pub async fn close_day(
        &self,
        cash_counted: Cents,
        terminal: Option<&Device>,
        cancel: &CancellationToken,
    ) -> Result<Closing, CheckoutError> {
        let in_doubt = self.journal().in_doubt()?.len();
        if in_doubt > 0 {
            return Err(JournalError::PaymentsInDoubt(in_doubt).into());
        }
        let answer = match terminal {
            Some(device) => {
                let stx = self.client.end_of_day(device, cancel).await?;
                Some(serde_json::to_value(&stx).unwrap_or_default())
            }
            None => None,
        };
        let closing = self.journal().close_day(cash_counted, answer)?;
        info!(
            z = closing.z_number,
            total = closing.figures.total.0,
            "day closed"
        );
        Ok(closing)
    }
}
