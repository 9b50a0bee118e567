use tauri::State;
use tracing::instrument;

use crate::error::CommandError;
use crate::state::AppState;
use till::{Basket, Cents, CompletedSale};

/// Pays the basket in cash; returns the sale with its receipt once it is in the journal.
#[tauri::command]
#[instrument(skip_all)]
pub async fn pay_cash(
    state: State<'_, AppState>,
    basket: Basket,
    tendered: Option<Cents>,
) -> Result<CompletedSale, CommandError> {
    Ok(state.checkout().pay_cash(&basket, tendered).await?)
}
