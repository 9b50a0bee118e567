//! The closing as the cashier runs it: the terminal's end of day, then the
//! journal's closing with the terminal's answer stored in it.

use secuconnect::{CancellationToken, Device};
use tracing::{info, instrument};

use crate::checkout::{Checkout, CheckoutError};
use crate::closing::Closing;
use crate::journal::JournalError;
use crate::money::Cents;

impl Checkout<'_> {
    /// Runs the terminal's end of day and journals its answer as its own
    /// entry, so that the next closing stores it even after a restart.
    #[instrument(skip(self, cancel))]
    pub async fn terminal_end_of_day(
        &self,
        terminal: &Device,
        cancel: &CancellationToken,
    ) -> Result<serde_json::Value, CheckoutError> {
        let stx = self.client.end_of_day(terminal, cancel).await?;
        let answer = serde_json::to_value(&stx).unwrap_or_default();
        self.journal().record_terminal_end_of_day(&answer)?;
        info!("terminal end of day journaled");
        Ok(answer)
    }

    /// Closes the day. Payments in doubt must be settled first
    /// ([`Checkout::reconcile`]), because they change the figures. With a
    /// `terminal`, its end of day runs first (after it, card payments of the
    /// day can no longer be cancelled on the terminal).
    pub async fn close_day(
        &self,
        cash_counted: Cents,
        terminal: Option<&Device>,
        cancel: &CancellationToken,
    ) -> Result<Closing, CheckoutError> {
        self.close_day_noted(cash_counted, None, terminal, cancel)
            .await
    }

    /// [`Checkout::close_day`] with the cashier's note. The terminal's end of
    /// day runs only if it has not run since the last closing.
    pub async fn close_day_noted(
        &self,
        cash_counted: Cents,
        note: Option<&str>,
        terminal: Option<&Device>,
        cancel: &CancellationToken,
    ) -> Result<Closing, CheckoutError> {
        self.close_day_retaining(cash_counted, note, None, terminal, cancel)
            .await
    }

    /// [`Checkout::close_day_noted`] with the cash kept in the drawer for the
    /// next day (the next float's suggestion).
    #[instrument(skip(self, cancel))]
    pub async fn close_day_retaining(
        &self,
        cash_counted: Cents,
        note: Option<&str>,
        retained: Option<Cents>,
        terminal: Option<&Device>,
        cancel: &CancellationToken,
    ) -> Result<Closing, CheckoutError> {
        let in_doubt = self.journal().in_doubt()?.len();
        if in_doubt > 0 {
            return Err(JournalError::PaymentsInDoubt(in_doubt).into());
        }
        let already = self.journal().terminal_end_of_day()?.is_some();
        if let (Some(device), false) = (terminal, already) {
            self.terminal_end_of_day(device, cancel).await?;
        }
        // The TSE's certificate, for the tax audit export (once per TSE).
        crate::tse_certificate::journal_certificate_if_any(self.tse, self.journal).await;
        // The closing takes the terminal's answer journaled since the last one.
        let closing = self
            .journal()
            .close_day_retaining(cash_counted, None, note, retained)?;
        info!(
            z = closing.z_number,
            total = closing.figures.total.0,
            "day closed"
        );
        Ok(closing)
    }
}
