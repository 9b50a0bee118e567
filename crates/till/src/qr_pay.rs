//! Pay by QR code: the customer scans the Smart Checkout link of the sale's
//! smart transaction and pays on the provider's page (guide 01).
//!
//! As safe as a card payment: the intent to pay is journaled before the
//! link is shown (nobody can pay before), the till only ever reads the
//! transaction back (it never pays), and a sale the till stops waiting for
//! is aborted at the provider, so that a payment can no longer start; a
//! payment already under way then stays in doubt and catching up
//! (`reconcile`) settles it when it ends, never lost.

use secuconnect::ApplicationContext;
use tracing::{info, instrument, warn};

use crate::basket::Basket;
use crate::checkout::{
    draft_for, is_unreachable, outcome_of_status, Checkout, CheckoutError, Outcome, Settled,
};
use crate::closing::PaymentMethod;
use crate::journal::PaymentIntent;
use crate::money::Cents;
use crate::tse;

/// A QR payment waiting for the customer.
#[derive(Debug, Clone)]
pub struct QrStarted {
    pub sale_id: String,
    /// The smart transaction (`STX_…`).
    pub transaction_id: String,
    /// `payment_links.general`: what the QR code carries.
    pub link: String,
    pub total: Cents,
}

impl Checkout<'_> {
    /// Creates the smart transaction with `context` (Smart Checkout), journals
    /// the intent to pay and marks the payment as running (catching up leaves
    /// it alone) until [`Checkout::qr_returned`].
    #[instrument(skip_all)]
    pub async fn start_qr(
        &self,
        basket: &Basket,
        context: ApplicationContext,
    ) -> Result<QrStarted, CheckoutError> {
        basket.validate()?;
        if basket.card.is_some() {
            return Err(CheckoutError::QrWithCard);
        }
        self.refuse_while_in_doubt()?;
        let event = self.claim_event_for_payment();
        let sale_id = event.sale_id.clone();
        let mut draft = draft_for(basket, &sale_id, self.demo);
        draft.application_context = Some(context);
        // A lost answer leaves at most a transaction nobody has the link of.
        let created = match self.client.create_transaction(&draft).await {
            Ok(stx) => stx,
            Err(e) if is_unreachable(&e) => return Err(CheckoutError::QrOffline),
            Err(e) => return Err(e.into()),
        };
        let Some(link) = created.checkout_link().map(str::to_string) else {
            self.abandon(&created.id).await;
            return Err(CheckoutError::NoCheckoutLink);
        };
        let intent =
            PaymentIntent::new(&sale_id, PaymentMethod::Qr, basket, Some(&created.id), None);
        {
            let mut journal = self.journal();
            journal.record_settings(&self.settings_value())?;
            journal.begin_payment(&intent)?;
            journal.payment_started(&sale_id);
        }
        self.event_became_sale(&sale_id);
        info!(stx = %created.id, "QR payment waits for the customer");
        Ok(QrStarted {
            sale_id,
            transaction_id: created.id,
            link,
            total: intent.total,
        })
    }

    /// One look at the transaction: paid → the sale is journaled with the
    /// method the provider reports; failed or cancelled → journaled as not
    /// paid; otherwise `Pending`. An error means the provider could not be
    /// read now (ask again later).
    pub async fn poll_qr(&self, sale_id: &str) -> Result<Settled, CheckoutError> {
        let intent = self.journal().intent(sale_id)?;
        let stx_id = qr_transaction(&intent)?;
        let stx = self.client.get_transaction(&stx_id).await?;
        self.record(sale_id, outcome_of_status(stx), &tse::sale_receipt(&intent))
            .await
    }

    /// The cashier aborts, or the time is up: the transaction is aborted at
    /// the provider, so that the customer can no longer pay, and the sale is
    /// settled by what the provider then says (paid, if the customer was
    /// faster). A payment already under way, or a provider that cannot be
    /// reached, leaves the sale `Pending`: catching up settles it.
    #[instrument(skip(self))]
    pub async fn abort_qr(&self, sale_id: &str) -> Result<Settled, CheckoutError> {
        let intent = self.journal().intent(sale_id)?;
        let stx_id = qr_transaction(&intent)?;
        let outcome = match self.client.abort_transaction(&stx_id).await {
            Ok(stx) => outcome_of_status(stx),
            // Refused (paid or ended already) or no answer: read it back.
            Err(e) => {
                warn!(error = %e, stx = %stx_id, "the QR payment's abort was not confirmed; reading it back");
                match self.client.get_transaction(&stx_id).await {
                    Ok(stx) => outcome_of_status(stx),
                    Err(e) => {
                        warn!(error = %e, stx = %stx_id, "the QR payment cannot be read back now");
                        Outcome::Unknown
                    }
                }
            }
        };
        self.record(sale_id, outcome, &tse::sale_receipt(&intent))
            .await
    }

    /// The till stopped following the payment: from now on catching up settles it.
    pub fn qr_returned(&self, sale_id: &str) {
        self.journal().payment_returned(sale_id);
    }
}

fn qr_transaction(intent: &PaymentIntent) -> Result<String, CheckoutError> {
    intent.transaction_id.clone().ok_or_else(|| {
        CheckoutError::Journal(crate::journal::JournalError::Other(
            "the QR payment has no smart transaction".into(),
        ))
    })
}
