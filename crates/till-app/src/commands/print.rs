//! Receipts and Z reports on paper and as PDF, and the cash drawer by hand.

use tracing::{info, instrument};

use crate::documents::{sale_document, Copy};
use crate::error::{CommandError, ErrorCode};
use crate::printing::{self, Pdf};
use crate::state::AppState;

fn document_of(
    state: &AppState,
    sale_id: &str,
    copy: Copy,
) -> Result<receipt::Document, CommandError> {
    sale_document(&state.journal(), sale_id, copy)
}

/// Prints a sale's receipt (`customer` or `merchant`) on the receipt printer.
#[instrument(skip_all)]
pub async fn print_receipt(
    state: &AppState,
    sale_id: &str,
    copy: &str,
) -> Result<(), CommandError> {
    let document = document_of(state, sale_id, Copy::parse(copy)?)?;
    state.printing.print(document).await
}

/// Prints a sale's receipt again, marked as a copy on the paper.
#[instrument(skip_all)]
pub async fn reprint_receipt(
    state: &AppState,
    sale_id: &str,
    copy: &str,
) -> Result<(), CommandError> {
    let document = document_of(state, sale_id, Copy::parse(copy)?)?;
    state.printing.print(document.into_duplicate()).await
}

/// A sale's receipt as an 80 mm PDF, to be saved where the cashier says.
#[instrument(skip_all)]
pub async fn receipt_pdf(state: &AppState, sale_id: &str, copy: &str) -> Result<Pdf, CommandError> {
    let document = document_of(state, sale_id, Copy::parse(copy)?)?;
    let file_name = match &document {
        receipt::Document::MerchantCopy(m) => format!("Haendlerbeleg-{}.pdf", m.receipt_number),
        receipt::Document::Receipt { receipt, .. } => {
            format!("Beleg-{}.pdf", receipt.receipt_number)
        }
        _ => "Beleg.pdf".to_string(),
    };
    let bytes = pdf_of(document, state.printing.columns()).await?;
    Ok(Pdf { bytes, file_name })
}

/// Closing `z_number`'s Z report as an A4 PDF, to be saved where the cashier says.
#[instrument(skip_all)]
pub async fn z_report_pdf(state: &AppState, z_number: i64) -> Result<Pdf, CommandError> {
    let document = crate::commands::closing::z_report_document(state, z_number)?;
    let bytes = pdf_of(document, 42).await?;
    Ok(Pdf {
        bytes,
        file_name: format!("Z-Bericht-{z_number}.pdf"),
    })
}

pub(crate) async fn pdf_of(
    document: receipt::Document,
    columns: usize,
) -> Result<Vec<u8>, CommandError> {
    printing::blocking(move || receipt::pdf::document_pdf(&document, columns))
        .await?
        .map_err(|e| CommandError::new(ErrorCode::Io, format!("The PDF could not be made ({e}).")))
}

/// Opens the cash drawer without a sale; the journal records the opening.
#[instrument(skip_all)]
pub async fn open_drawer(state: &AppState) -> Result<(), CommandError> {
    let printer = state.printing.receipt_printer()?;
    if !printer.drawer {
        return Err(CommandError::new(
            ErrorCode::NoPrinter,
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
        .journal()
        .record_drawer_opened("opened by hand, no sale")?;
    info!("cash drawer opened by hand");
    Ok(())
}

/// Prints closing `zNumber`'s Z report on the receipt printer.
#[instrument(skip_all)]
pub async fn print_z_report(state: &AppState, z_number: i64) -> Result<(), CommandError> {
    let document = crate::commands::closing::z_report_document(state, z_number)?;
    state.printing.print(document).await
}
