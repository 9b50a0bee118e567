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
    let sale = state.checkout().pay_cash(&basket.clean(), tendered).await?;
    // Queued after the journal commit: the receipt prints and the drawer opens off the sale's path.
    state
        .printing
        .after_sale(receipt::Document::receipt(sale.receipt.clone()), true);
    Ok(sale)
}
