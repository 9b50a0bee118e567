//! The printers of the settings: find them, save, remove, print a test page.

use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;

use crate::error::CommandError;
use crate::printing;
use crate::settings::{PrinterConfig, Settings, KEY_PRINTERS, KEY_RECEIPT_PRINTER};
use crate::state::AppState;

#[derive(Debug, Serialize, TS)]
pub struct PrinterDiscovery {
    pub serial_ports: Vec<String>,
    pub os_queues: Vec<String>,
}

/// The serial ports of this machine and the printer queues of the OS.
#[instrument(skip_all)]
pub async fn printers_discover() -> Result<PrinterDiscovery, CommandError> {
    printing::blocking(|| PrinterDiscovery {
        serial_ports: receipt::printer::serial_ports(),
        os_queues: receipt::printer::os_printers()
            .into_iter()
            .map(|p| p.name)
            .collect(),
    })
    .await
}

/// A printer as the screen sent it, checked, and one the till may reach.
async fn checked(
    printer: PrinterConfig,
    confirm_public: Option<bool>,
) -> Result<PrinterConfig, CommandError> {
    let printer = printing::validated(printer)?;
    let looked_at = printer.clone();
    let confirmed = confirm_public.unwrap_or(false);
    printing::blocking(move || printing::known_device(&looked_at, confirmed)).await??;
    Ok(printer)
}

/// Saves the printers and the receipt printer's id; printing follows at once.
fn save_printers(
    state: &AppState,
    printers: &[PrinterConfig],
    receipt_printer: Option<String>,
) -> Result<Settings, CommandError> {
    state.settings.put(KEY_PRINTERS, printers)?;
    state.settings.put(KEY_RECEIPT_PRINTER, &receipt_printer)?;
    let settings = state.settings.load(&state.log_dir);
    state
        .printing
        .set_receipt_printer(printing::receipt_printer_of(&settings));
    Ok(settings)
}

/// Adds or changes a printer; `useForReceipts` makes it the receipt printer.
#[instrument(skip_all)]
pub async fn save_printer(
    state: &AppState,
    printer: PrinterConfig,
    use_for_receipts: bool,
    confirm_public: Option<bool>,
    manager_pin: Option<String>,
) -> Result<Settings, CommandError> {
    crate::cashier::may_change_settings(state, manager_pin.as_deref())?;
    let printer = checked(printer, confirm_public).await?;
    let current = state.settings.load(&state.log_dir);
    let mut printers = current.printers;
    match printers.iter_mut().find(|p| p.id == printer.id) {
        Some(p) => *p = printer.clone(),
        None => printers.push(printer.clone()),
    }
    let receipt_printer = if use_for_receipts {
        Some(printer.id.clone())
    } else {
        current.receipt_printer_id.filter(|id| *id != printer.id)
    };
    save_printers(state, &printers, receipt_printer)
}

/// Removes a printer (receipts then go nowhere until another one is chosen).
#[instrument(skip_all)]
pub fn remove_printer(
    state: &AppState,
    printer_id: &str,
    manager_pin: Option<String>,
) -> Result<Settings, CommandError> {
    crate::cashier::may_change_settings(state, manager_pin.as_deref())?;
    let current = state.settings.load(&state.log_dir);
    let printers: Vec<PrinterConfig> = current
        .printers
        .into_iter()
        .filter(|p| p.id != printer_id)
        .collect();
    let receipt_printer = current.receipt_printer_id.filter(|id| id != printer_id);
    save_printers(state, &printers, receipt_printer)
}

/// Prints a test page on a printer as configured on screen (it need not be saved).
#[instrument(skip_all)]
pub async fn test_print(
    printer: PrinterConfig,
    confirm_public: Option<bool>,
) -> Result<(), CommandError> {
    let printer = checked(printer, confirm_public).await?;
    printing::test_print(&printer).await
}
