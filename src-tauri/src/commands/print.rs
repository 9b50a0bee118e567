//! Receipts and Z reports on paper and as PDF, and the cash drawer by hand.

use tauri::{AppHandle, State};
use tracing::{info, instrument};

use crate::error::CommandError;
use crate::printing::{self, Copy, Printing, SavedFile};
use crate::state::AppState;

/// Prints a sale's receipt (`customer` or `merchant`) on the receipt printer.
#[tauri::command]
#[instrument(skip_all)]
pub async fn print_receipt(
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
    sale_id: String,
    copy: String,
) -> Result<(), CommandError> {
    let document = printing::sale_document(&state, &sale_id, Copy::parse(&copy)?)?;
    printing.print(document).await
}

/// Prints a receipt whose automatic print failed, offered once the printer is back.
#[tauri::command]
#[instrument(skip_all)]
pub async fn print_missed_receipt(
    printing: State<'_, Printing>,
    receipt_number: u64,
) -> Result<(), CommandError> {
    printing.print_missed(receipt_number).await
}

/// Declines that offer: the receipt is not offered again (the journal can reprint it).
#[tauri::command]
#[instrument(skip_all)]
pub async fn dismiss_missed_receipt(
    printing: State<'_, Printing>,
    receipt_number: u64,
) -> Result<(), CommandError> {
    printing.dismiss_missed(receipt_number)
}

/// Prints a sale's receipt again, marked as a copy on the paper.
#[tauri::command]
#[instrument(skip_all)]
pub async fn reprint_receipt(
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
    sale_id: String,
    copy: String,
) -> Result<(), CommandError> {
    let document = printing::sale_document(&state, &sale_id, Copy::parse(&copy)?)?;
    printing.print(document.into_duplicate()).await
}

/// Saves a sale's receipt as an 80 mm PDF; `null` when the cashier closes the dialog.
#[tauri::command]
#[instrument(skip_all)]
pub async fn export_receipt_pdf(
    app: AppHandle,
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
    sale_id: String,
    copy: String,
) -> Result<Option<SavedFile>, CommandError> {
    let copy = Copy::parse(&copy)?;
    let document = printing::sale_document(&state, &sale_id, copy)?;
    let name = match (&document, copy) {
        (receipt::Document::MerchantCopy(m), _) => {
            format!("Haendlerbeleg-{}.pdf", m.receipt_number)
        }
        (receipt::Document::Receipt { receipt, .. }, _) => {
            format!("Beleg-{}.pdf", receipt.receipt_number)
        }
        _ => "Beleg.pdf".to_string(),
    };
    let columns = printing.columns();
    let bytes = printing::blocking(move || receipt::pdf::document_pdf(&document, columns))
        .await?
        .map_err(|e| CommandError::new("io", format!("The PDF could not be made ({e}).")))?;
    printing::save_pdf(&app, bytes, &name).await
}

/// Opens the cash drawer without a sale; the journal records the opening.
#[tauri::command]
#[instrument(skip_all)]
pub async fn open_drawer(
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
) -> Result<(), CommandError> {
    let printer = printing.receipt_printer()?;
    if !printer.drawer {
        return Err(CommandError::new(
            "no_printer",
            format!(
                "No cash drawer is set up on the printer \"{}\". Tick \"cash drawer\" in the printer settings.",
                printer.name
            ),
        ));
    }
    let device = printing::device(&printer)?;
    printing::blocking(move || device.open_drawer())
        .await?
        .map_err(|e| printing::print_error(&e, &printer.name))?;
    state
        .journal
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .record_drawer_opened("opened by hand, no sale")?;
    info!("cash drawer opened by hand");
    Ok(())
}

/// Prints closing `zNumber`'s Z report on the receipt printer.
#[tauri::command]
#[instrument(skip_all)]
pub async fn print_z_report(
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
    z_number: i64,
) -> Result<(), CommandError> {
    let document = z_document(&state, z_number)?;
    printing.print(document).await
}

/// Saves closing `zNumber`'s Z report as an A4 PDF; `null` when the dialog is closed.
#[tauri::command]
#[instrument(skip_all)]
pub async fn export_z_report_pdf(
    app: AppHandle,
    state: State<'_, AppState>,
    z_number: i64,
) -> Result<Option<SavedFile>, CommandError> {
    let document = z_document(&state, z_number)?;
    let bytes = printing::blocking(move || receipt::pdf::document_pdf(&document, 42))
        .await?
        .map_err(|e| CommandError::new("io", format!("The PDF could not be made ({e}).")))?;
    printing::save_pdf(&app, bytes, &format!("Z-Bericht-{z_number}.pdf")).await
}

fn z_document(state: &AppState, z_number: i64) -> Result<receipt::Document, CommandError> {
    crate::commands::closing::z_report_document(state, z_number)
}
