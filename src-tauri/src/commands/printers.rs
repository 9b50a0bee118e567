//! The printers of the settings: find them, save, remove, print a test page.

use serde::Serialize;
use tauri::{AppHandle, State};
use tracing::instrument;

use crate::error::CommandError;
use crate::printing::{self, Printing};
use crate::settings::{PrinterConfig, Settings, SettingsStore, KEY_PRINTERS, KEY_RECEIPT_PRINTER};
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct PrinterDiscovery {
    pub serial_ports: Vec<String>,
    pub os_queues: Vec<String>,
}

/// The serial ports of this machine and the printer queues of the OS.
#[tauri::command]
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

/// Adds or changes a printer; `useForReceipts` makes it the receipt printer.
#[tauri::command]
#[instrument(skip_all)]
pub async fn save_printer(
    app: AppHandle,
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
    printer: PrinterConfig,
    use_for_receipts: bool,
    confirm_public: Option<bool>,
) -> Result<Settings, CommandError> {
    let printer = printing::validated(printer)?;
    let checked = printer.clone();
    let confirmed = confirm_public.unwrap_or(false);
    printing::blocking(move || printing::known_device(&checked, confirmed)).await??;
    let store = SettingsStore::open(&app)?;
    let current = store.load(&state.log_dir);
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
    store.put(KEY_PRINTERS, &printers)?;
    store.put(KEY_RECEIPT_PRINTER, &receipt_printer)?;
    let settings = store.load(&state.log_dir);
    printing.set_receipt_printer(printing::receipt_printer_of(&settings));
    Ok(settings)
}

/// Removes a printer (receipts then go nowhere until another one is chosen).
#[tauri::command]
#[instrument(skip_all)]
pub fn remove_printer(
    app: AppHandle,
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
    printer_id: String,
) -> Result<Settings, CommandError> {
    let store = SettingsStore::open(&app)?;
    let current = store.load(&state.log_dir);
    let printers: Vec<PrinterConfig> = current
        .printers
        .into_iter()
        .filter(|p| p.id != printer_id)
        .collect();
    let receipt_printer = current.receipt_printer_id.filter(|id| *id != printer_id);
    store.put(KEY_PRINTERS, &printers)?;
    store.put(KEY_RECEIPT_PRINTER, &receipt_printer)?;
    let settings = store.load(&state.log_dir);
    printing.set_receipt_printer(printing::receipt_printer_of(&settings));
    Ok(settings)
}

/// Prints a test page on a printer as configured on screen (it need not be saved).
#[tauri::command]
#[instrument(skip_all)]
pub async fn test_print(
    printer: PrinterConfig,
    confirm_public: Option<bool>,
) -> Result<(), CommandError> {
    let printer = printing::validated(printer)?;
    let checked = printer.clone();
    let confirmed = confirm_public.unwrap_or(false);
    printing::blocking(move || printing::known_device(&checked, confirmed)).await??;
    printing::test_print(&printer).await
}
