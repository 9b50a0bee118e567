//! A cash sale.

use tracing::instrument;

use crate::error::CommandError;
use crate::state::AppState;
use till::{Basket, Cents, CompletedSale};

/// Pays the basket in cash; returns the sale with its receipt once it is in the journal.
#[instrument(skip_all)]
pub async fn pay_cash(
    state: &AppState,
    basket: Basket,
    tendered: Option<Cents>,
) -> Result<CompletedSale, CommandError> {
    crate::cashier::on_duty(state)?;
    let sale = state.checkout().pay_cash(&basket.clean(), tendered).await;
    super::customer_display::payment_ended(state, sale.as_ref().ok());
    let sale = sale?;
    // Queued after the journal commit: the receipt prints and the drawer opens off the sale's path.
    state
        .printing
        .after_sale(receipt::Document::receipt(sale.receipt.clone()), true);
    Ok(sale)
}

/// The basket went from empty to filled (`filled`), or back to empty
/// without a sale: the business event's TSE transaction starts (KassenSichV
/// §2: when the event starts), or ends as `AVBelegabbruch`. The UI does not
/// wait for it; a TSE that is down is noted in the journal and the status
/// bar, and the sale goes on without it.
#[instrument(skip_all, fields(filled))]
pub async fn basket_changed(state: &AppState, filled: bool) -> Result<(), CommandError> {
    let checkout = state.checkout();
    if filled {
        checkout.basket_started().await?;
    } else {
        checkout.basket_cleared().await?;
    }
    Ok(())
}

/// The basket was emptied without a sale, `basket` as it stood before: its
/// business event ends as `AVBelegabbruch` (as [`basket_changed`] with
/// `filled` false) and the journal keeps its lines for the tax export. After
/// a sale (the event is the sale's) nothing happens.
#[instrument(skip_all)]
pub async fn basket_abandoned(state: &AppState, basket: Basket) -> Result<(), CommandError> {
    state.checkout().basket_abandoned(Some(&basket)).await?;
    Ok(())
}
