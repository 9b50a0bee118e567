use tauri::State;
use tracing::instrument;

use crate::error::CommandError;
use crate::state::AppState;
use till::{Basket, Cents, Checkout, CompletedSale};

/// Pays the basket in cash; returns the sale with its receipt once it is in the journal.
#[tauri::command]
#[instrument(skip_all)]
pub async fn pay_cash(
    state: State<'_, AppState>,
    basket: Basket,
    tendered: Option<Cents>,
) -> Result<CompletedSale, CommandError> {
    let checkout = Checkout {
        client: &state.client,
        journal: &state.journal,
        shop: &state.shop,
        till_id: &state.till_id,
        demo: state.demo,
    };
    Ok(checkout.pay_cash(&basket, tendered).await?)
}
