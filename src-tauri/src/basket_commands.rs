//! The basket emptied without a sale, with the lines it had (`AVBelegabbruch`).

use std::sync::Arc;

use tauri::State;
use till::Basket;
use till_app::commands::sale;
use till_app::{AppState, CommandError};

#[tauri::command]
pub async fn basket_abandoned(
    state: State<'_, Arc<AppState>>,
    basket: Basket,
) -> Result<(), CommandError> {
    sale::basket_abandoned(&state, basket).await
}
