//! Printing in the app: the printers of the settings turned into the receipt
//! crate's printers, the print queue that keeps printing off the sale path,
//! the receipt printer's state for the status bar, and the PDF export.
//!
//! A sale never waits for paper: after the journal commit its receipt is only
//! queued. Commands the cashier starts by hand (print, reprint, test print,
//! drawer) wait for their job so that they can say what went wrong.

use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use receipt::printer::{Connection, FlowControl, OsFormat};
use receipt::queue::JobState;
use receipt::{CodePage, Document, EscPosSettings, JobInfo, PrintError, PrintQueue};
use serde::Serialize;
use tracing::{info, warn};

use crate::commands::status::PrinterStatus as BarStatus;
use crate::error::CommandError;
use crate::settings::{PrinterConfig, PrinterKind, PrinterTransport, Settings};
use crate::state::AppState;

/// Saves exported PDFs into this folder without asking (kiosk installs, tests).
pub const ENV_EXPORT_DIR: &str = "SMART_TILL_EXPORT_DIR";

/// How long a print the cashier started waits for the printer before saying so.
const JOB_WAIT: Duration = Duration::from_secs(30);
/// How often the receipt printer is looked at for the status bar.
const CHECK_EVERY: Duration = Duration::from_secs(10);
/// Bounds the status bar's look at the printer.
const CHECK_TIMEOUT: Duration = Duration::from_millis(1500);

pub const WIDTHS: [u8; 3] = [32, 42, 48];
pub const CODE_PAGES: [&str; 4] = ["cp858", "cp437", "cp850", "cp1252"];
const BAUD_RATES: [u32; 8] = [2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400];

/// What the status bar shows about the receipt printer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Health {
    state: &'static str,
    message: Option<String>,
}

#[derive(Default)]
struct Inner {
    receipt_printer: Mutex<Option<PrinterConfig>>,
    /// What the last look at the printer showed (`None`: not looked yet).
    checked: Mutex<Option<Health>>,
    /// What the last job that failed said, until a job goes through again:
    /// an empty roll shows only when printing, not when connecting.
    job_problem: Mutex<Option<Health>>,
    /// The queue, for the receipts whose automatic print failed.
    queue: OnceLock<Weak<PrintQueue>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The app's printing: one queue, the receipt printer, and its last known state.
pub struct Printing {
    inner: Arc<Inner>,
    queue: Arc<PrintQueue>,
}

/// The printing of the running app, for the status bar (which has only `AppState`).
static INSTALLED: OnceLock<Arc<Inner>> = OnceLock::new();

impl Printing {
    /// Printing with the receipt printer chosen in `settings`; looks at it every few seconds.
    pub fn start(settings: &Settings) -> Self {
        let printing = Self::new(settings);
        let _ = INSTALLED.set(Arc::clone(&printing.inner));
        let inner = Arc::downgrade(&printing.inner);
        let spawned = std::thread::Builder::new()
            .name("printer-check".into())
            .spawn(move || {
                while let Some(inner) = inner.upgrade() {
                    check(&inner);
                    drop(inner);
                    std::thread::sleep(CHECK_EVERY);
                }
            });
        if let Err(e) = spawned {
            warn!(error = %e, "the printer check cannot run; the status bar shows job results only");
        }
        printing
    }

    fn new(settings: &Settings) -> Self {
        let inner = Arc::new(Inner::default());
        *lock(&inner.receipt_printer) = receipt_printer_of(settings);
        let listener_inner = Arc::downgrade(&inner);
        let queue = Arc::new(PrintQueue::with_listener(Some(Box::new(
            move |job: &JobInfo| {
                if let Some(inner) = listener_inner.upgrade() {
                    job_changed(&inner, job);
                }
            },
        ))));
        let _ = inner.queue.set(Arc::downgrade(&queue));
        Self { inner, queue }
    }

    /// The receipt printer changed in the settings.
    pub fn set_receipt_printer(&self, printer: Option<PrinterConfig>) {
        *lock(&self.inner.receipt_printer) = printer;
        *lock(&self.inner.checked) = None;
        *lock(&self.inner.job_problem) = None;
        let inner = Arc::clone(&self.inner);
        // Look at once, off the command's path, so the status bar follows soon.
        std::thread::spawn(move || check(&inner));
    }

    /// The printer receipts go to, or `no_printer`.
    pub fn receipt_printer(&self) -> Result<PrinterConfig, CommandError> {
        lock(&self.inner.receipt_printer).clone().ok_or_else(|| {
            CommandError::new(
                "no_printer",
                "No receipt printer is set up. Choose one in the settings (Printers), or save the receipt as PDF.",
            )
        })
    }

    /// The width receipts are laid out in: the receipt printer's, else 42.
    pub fn columns(&self) -> usize {
        lock(&self.inner.receipt_printer)
            .as_ref()
            .map_or(till::checkout::JOURNAL_RECEIPT_WIDTH, |p| p.width as usize)
    }

    /// Queues a sale's receipt and returns at once; the sale is already in the
    /// journal. Without a receipt printer nothing happens (the cashier prints
    /// from the receipt screen or saves a PDF).
    pub fn after_sale(&self, document: Document, cash: bool) {
        let Some(printer) = lock(&self.inner.receipt_printer).clone() else {
            return;
        };
        let open_drawer = cash && printer.drawer && printer.kind == PrinterKind::Thermal;
        match device(&printer) {
            Ok(device) => {
                let job = self.queue.submit_unattended(device, document, open_drawer);
                info!(job, open_drawer, "receipt queued after the sale");
            }
            Err(e) => warn!(error = %e.message, "the receipt printer's settings are unusable"),
        }
    }

    /// Prints `document` on the receipt printer and waits for the outcome (a
    /// receipt whose automatic print failed: by that job, see `submit_or_resume`).
    pub async fn print(&self, document: Document) -> Result<(), CommandError> {
        let printer = self.receipt_printer()?;
        let id = self.queue.submit_or_resume(device(&printer)?, document);
        self.wait_for(id, printer).await
    }

    /// Prints the receipt whose automatic print failed, offered when the printer came back.
    pub async fn print_missed(&self, receipt: u64) -> Result<(), CommandError> {
        let printer = self.receipt_printer()?;
        let id = self
            .queue
            .print_missed(receipt, Some(device(&printer)?))
            .map_err(|_| not_missed(receipt))?;
        self.wait_for(id, printer).await
    }

    /// The cashier does not want the receipt printed now: it is not offered again.
    pub fn dismiss_missed(&self, receipt: u64) -> Result<(), CommandError> {
        self.queue
            .dismiss_missed(receipt)
            .map_err(|_| not_missed(receipt))
    }

    async fn wait_for(
        &self,
        id: receipt::JobId,
        printer: PrinterConfig,
    ) -> Result<(), CommandError> {
        let queue = Arc::clone(&self.queue);
        let info = blocking(move || queue.wait(id, JOB_WAIT)).await?;
        match info.map(|i| i.state) {
            Some(JobState::Done) => Ok(()),
            Some(JobState::Failed { error }) => Err(job_error(error.code, &printer.name)),
            _ => Err(CommandError::new(
                "printer_offline",
                format!(
                    "The printer \"{}\" has not taken the receipt yet. It stays in the queue; check the printer.",
                    printer.name
                ),
            )),
        }
    }
}

fn not_missed(receipt: u64) -> CommandError {
    CommandError::new(
        "already_printed",
        format!("Receipt {receipt} is no longer waiting to be printed (printed or dismissed)."),
    )
}

/// The receipt printer's state for the status bar, answered from memory.
pub fn bar_status() -> BarStatus {
    match INSTALLED.get() {
        Some(inner) => bar_status_of(inner),
        None => BarStatus {
            state: "none",
            name: None,
            message: Some("No printer configured".into()),
            missed: Default::default(),
        },
    }
}

fn bar_status_of(inner: &Inner) -> BarStatus {
    let Some(printer) = lock(&inner.receipt_printer).clone() else {
        return BarStatus {
            state: "none",
            name: None,
            message: Some("No printer configured".into()),
            missed: Default::default(),
        };
    };
    let checked = lock(&inner.checked).clone();
    let problem = lock(&inner.job_problem).clone();
    // Unreachable wins; otherwise what the last failed job found (paper out).
    let health = match (checked, problem) {
        (Some(c), _) if c.state == "offline" => c,
        (_, Some(p)) => p,
        (Some(c), None) => c,
        (None, None) => Health {
            state: "ready",
            message: None,
        },
    };
    // Receipts that failed after a sale are offered once the printer answers again.
    let missed = inner
        .queue
        .get()
        .and_then(Weak::upgrade)
        .map(|q| q.missed(health.state == "ready"))
        .unwrap_or_default();
    BarStatus {
        state: health.state,
        name: Some(printer.name),
        message: health.message,
        missed,
    }
}

fn check(inner: &Inner) {
    let Some(printer) = lock(&inner.receipt_printer).clone() else {
        return;
    };
    let health = match device(&printer) {
        Ok(device) => match device.check(CHECK_TIMEOUT) {
            Ok(()) => Health {
                state: "ready",
                message: None,
            },
            Err(e) => health_of(&e, &printer.name),
        },
        Err(e) => Health {
            state: "error",
            message: Some(e.message),
        },
    };
    // The settings may have changed while looking.
    if lock(&inner.receipt_printer).as_ref() == Some(&printer) {
        *lock(&inner.checked) = Some(health);
    }
}

fn job_changed(inner: &Inner, job: &JobInfo) {
    let Some(printer) = lock(&inner.receipt_printer).clone() else {
        return;
    };
    if job.printer != printer.name {
        return;
    }
    match &job.state {
        JobState::Done => {
            *lock(&inner.job_problem) = None;
            *lock(&inner.checked) = Some(Health {
                state: "ready",
                message: None,
            });
        }
        JobState::Failed { error } => {
            let e = job_error(error.code, &printer.name);
            let state = state_of_code(error.code);
            let health = Health {
                state,
                message: Some(e.message),
            };
            if state == "offline" {
                *lock(&inner.checked) = Some(health);
            } else {
                *lock(&inner.job_problem) = Some(health);
            }
        }
        _ => {}
    }
}

fn state_of_code(code: &str) -> &'static str {
    match code {
        "printer_paper_out" => "paper_out",
        "printer_not_found" | "printer_offline" | "printer_timeout" | "printer_io"
        | "printer_no_status" => "offline",
        _ => "error",
    }
}

fn health_of(e: &PrintError, printer: &str) -> Health {
    Health {
        state: state_of_code(e.code()),
        message: Some(job_error(e.code(), printer).message),
    }
}

/// A printing error in the command contract's codes, in words the cashier acts on.
pub fn print_error(e: &PrintError, printer: &str) -> CommandError {
    job_error(e.code(), printer)
}

fn job_error(code: &str, printer: &str) -> CommandError {
    let again =
        "The sale is saved; print the receipt again from the receipt screen or the journal.";
    match code {
        "printer_paper_out" => CommandError::new(
            "printer_paper_out",
            format!("The printer \"{printer}\" is out of paper. Put in a new roll. {again}"),
        ),
        "printer_cover_open" => CommandError::new(
            "printer_offline",
            format!("The cover of the printer \"{printer}\" is open. Close it. {again}"),
        ),
        "printer_fault" => CommandError::new(
            "printer_offline",
            format!("The printer \"{printer}\" reports an error. Switch it off and on again. {again}"),
        ),
        "printer_spooler" => CommandError::new(
            "printer_offline",
            format!("The operating system refused the job for \"{printer}\". Check the printer queue. {again}"),
        ),
        "receipt_render" => CommandError::new(
            "printer_error",
            "The receipt could not be prepared for printing. Save it as PDF instead.",
        ),
        _ => CommandError::new(
            "printer_offline",
            format!("The printer \"{printer}\" cannot be reached. Check that it is switched on and connected. {again}"),
        ),
    }
}

pub fn receipt_printer_of(settings: &Settings) -> Option<PrinterConfig> {
    let id = settings.receipt_printer_id.as_ref()?;
    settings.printers.iter().find(|p| &p.id == id).cloned()
}

/// The receipt crate's printer for a printer of the settings.
pub fn device(p: &PrinterConfig) -> Result<receipt::PrinterConfig, CommandError> {
    let code_page = CodePage::from_name(&p.code_page).ok_or_else(|| {
        invalid(format!(
            "The code page \"{}\" is not known. Choose one of CP858, CP437, CP850 or Windows-1252.",
            p.code_page
        ))
    })?;
    let connection = match &p.transport {
        PrinterTransport::Serial { port, baud } => Connection::Serial {
            path: port.clone(),
            baud_rate: *baud,
            flow_control: FlowControl::None,
        },
        PrinterTransport::Network { host, port } => Connection::Network {
            host: host.clone(),
            port: *port,
        },
        PrinterTransport::Os { queue } => Connection::Os {
            queue: queue.clone(),
            format: match p.kind {
                PrinterKind::Thermal => OsFormat::EscPos,
                PrinterKind::Office => OsFormat::Pdf,
            },
        },
    };
    Ok(receipt::PrinterConfig {
        name: p.name.clone(),
        connection,
        escpos: EscPosSettings {
            code_page,
            columns: p.width,
            ..EscPosSettings::default()
        },
        // Cheap printers often do not answer DLE EOT; the status bar asks separately.
        check_status: false,
        timeout_ms: 5_000,
    })
}

fn invalid(message: String) -> CommandError {
    CommandError::new("invalid_settings", message)
}

/// Trims a printer as the settings screen sends it and checks everything a job needs.
pub fn validated(mut p: PrinterConfig) -> Result<PrinterConfig, CommandError> {
    p.id = p.id.trim().to_string();
    p.name = p.name.trim().to_string();
    p.code_page = p.code_page.trim().to_ascii_lowercase();
    if p.id.is_empty() || p.id.len() > 64 {
        return Err(invalid("The printer has no id; add it again.".into()));
    }
    if p.name.is_empty() || p.name.chars().count() > 40 {
        return Err(invalid(
            "Give the printer a name of 1 to 40 characters, e.g. \"Bondrucker Kasse\".".into(),
        ));
    }
    if !WIDTHS.contains(&p.width) {
        return Err(invalid(format!(
            "A receipt line has 32 (58 mm paper), 42 or 48 (80 mm paper) characters, not {}.",
            p.width
        )));
    }
    if !CODE_PAGES.contains(&p.code_page.as_str()) {
        return Err(invalid(format!(
            "The code page \"{}\" is not known. Choose CP858 (has €), CP437, CP850 or Windows-1252.",
            p.code_page
        )));
    }
    match &mut p.transport {
        PrinterTransport::Serial { port, baud } => {
            *port = port.trim().to_string();
            if !is_serial_port_name(port) {
                return Err(invalid(format!(
                    "\"{port}\" is not a serial port. Pick one from the list (e.g. /dev/ttyUSB0 or COM3)."
                )));
            }
            if !BAUD_RATES.contains(baud) {
                return Err(invalid(format!(
                    "{baud} is not a baud rate a receipt printer uses. Choose 9600, 19200, 38400 or 115200 (see the printer's self-test page)."
                )));
            }
        }
        PrinterTransport::Network { host, port } => {
            *host = host.trim().to_string();
            if !is_host(host) {
                return Err(invalid(format!(
                    "\"{host}\" is not a network address. Enter the printer's IP address (e.g. 192.168.1.50) or host name."
                )));
            }
            if *port == 0 {
                return Err(invalid(
                    "The port must be between 1 and 65535; receipt printers use 9100.".into(),
                ));
            }
        }
        PrinterTransport::Os { queue } => {
            *queue = queue.trim().to_string();
            if queue.is_empty() {
                return Err(invalid(
                    "Choose the printer queue of the operating system.".into(),
                ));
            }
        }
    }
    if p.kind == PrinterKind::Office && !matches!(p.transport, PrinterTransport::Os { .. }) {
        return Err(invalid(
            "An office printer is reached through the operating system: choose \"OS printer\"."
                .into(),
        ));
    }
    if p.kind == PrinterKind::Office && p.drawer {
        return Err(invalid(
            "A cash drawer hangs on a thermal receipt printer, not on an office printer.".into(),
        ));
    }
    Ok(p)
}

/// What the till may connect to, for a printer: an OS queue the OS knows and
/// a serial port this machine has (both picked from the discovered lists),
/// and a network printer in the shop's own network (private, link-local or
/// loopback addresses) unless the owner confirmed another address. So a
/// webview cannot make the till open any device or connect anywhere.
pub fn known_device(printer: &PrinterConfig, confirmed_public: bool) -> Result<(), CommandError> {
    match &printer.transport {
        PrinterTransport::Os { queue } => {
            let queues: Vec<String> = receipt::printer::os_printers()
                .into_iter()
                .map(|p| p.name)
                .collect();
            if queues.iter().any(|q| q == queue) {
                return Ok(());
            }
            Err(invalid(format!(
                "The operating system has no printer \"{queue}\". Set it up there first, then pick it from the list."
            )))
        }
        PrinterTransport::Serial { port, .. } => {
            if receipt::printer::serial_ports()
                .iter()
                .any(|p| p.eq_ignore_ascii_case(port))
            {
                return Ok(());
            }
            Err(invalid(format!(
                "This till has no serial port \"{port}\". Plug the printer in, then pick its port from the list."
            )))
        }
        PrinterTransport::Network { host, port } => {
            let addrs: Vec<std::net::IpAddr> = match (host.as_str(), *port).to_socket_addrs() {
                Ok(a) => a.map(|a| a.ip()).collect(),
                Err(_) => Vec::new(),
            };
            if addrs.is_empty() {
                return Err(invalid(format!(
                    "The address \"{host}\" cannot be found in the network. Check the printer's IP address (its self-test page shows it)."
                )));
            }
            if confirmed_public || addrs.iter().all(|a| is_local_network(*a)) {
                return Ok(());
            }
            Err(CommandError::new(
                "printer_address_public",
                format!(
                    "\"{host}\" is not an address in the shop's own network. Receipt printers are in the local network (e.g. 192.168.1.50); confirm only if this printer really is elsewhere."
                ),
            ))
        }
    }
}

/// An address of the shop's own network: private (RFC 1918, IPv6 unique
/// local), link-local or loopback.
fn is_local_network(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_private() || v4.is_link_local() || v4.is_loopback(),
        std::net::IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

fn is_serial_port_name(port: &str) -> bool {
    if let Some(n) = port.to_ascii_uppercase().strip_prefix("COM") {
        return !n.is_empty() && n.chars().all(|c| c.is_ascii_digit());
    }
    port.starts_with("/dev/")
        && port.len() > 5
        && !port.contains("..")
        && !port.chars().any(char::is_whitespace)
}

fn is_host(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Which copy of a sale's receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    Customer,
    Merchant,
}

impl Copy {
    pub fn parse(copy: &str) -> Result<Self, CommandError> {
        match copy {
            "customer" => Ok(Copy::Customer),
            "merchant" => Ok(Copy::Merchant),
            other => Err(CommandError::new(
                "not_found",
                format!("There is no \"{other}\" copy of a receipt."),
            )),
        }
    }
}

/// A cancellation has no sale id of its own in the journal: the UI knows it by this one.
const CANCELLATION_PREFIX: &str = "storno-";

fn not_found() -> CommandError {
    CommandError::new("not_found", "This sale is not in the journal.")
}

/// The document of a sale's receipt, rebuilt from the journal exactly as it was issued.
pub fn sale_document(
    state: &AppState,
    sale_id: &str,
    copy: Copy,
) -> Result<Document, CommandError> {
    let journal = state.journal.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(number) = sale_id
        .strip_prefix(CANCELLATION_PREFIX)
        .and_then(|n| n.parse::<i64>().ok())
    {
        if copy == Copy::Merchant {
            return Err(CommandError::new(
                "not_found",
                "A cancellation has no merchant copy.",
            ));
        }
        let entry = journal
            .entries(Some("cancellation"))?
            .into_iter()
            .find(|e| e.receipt_number == Some(number))
            .ok_or_else(not_found)?;
        let original = entry.body["cancels_receipt"]
            .as_i64()
            .ok_or_else(not_found)?;
        let record = journal.sale_by_receipt(original)?;
        let original = till::receipt_doc::rebuild(&record).ok_or_else(not_found)?;
        let issued_at = chrono::DateTime::parse_from_rfc3339(&entry.created_at)
            .map(|t| t.with_timezone(&chrono::Local))
            .unwrap_or_else(|_| chrono::Local::now());
        return Ok(Document::receipt(till::receipt_doc::cancellation(
            &original,
            number as u64,
            issued_at,
        )));
    }
    let number = journal
        .entries(Some("sale"))?
        .into_iter()
        .find(|e| e.sale_id.as_deref() == Some(sale_id))
        .and_then(|e| e.receipt_number)
        .ok_or_else(not_found)?;
    let record = journal.sale_by_receipt(number)?;
    drop(journal);
    let receipt = till::receipt_doc::rebuild(&record).ok_or_else(not_found)?;
    match copy {
        Copy::Customer => Ok(Document::receipt(receipt)),
        Copy::Merchant => {
            let stored =
                record.paid.merchant_receipt.as_ref().ok_or_else(|| {
                    CommandError::new("not_found", "This sale has no merchant copy.")
                })?;
            let provider_lines =
                serde_json::from_value(stored.received.clone()).unwrap_or_default();
            Ok(Document::MerchantCopy(receipt::MerchantCopy {
                shop: receipt.shop,
                till_id: receipt.till_id,
                receipt_number: receipt.receipt_number,
                issued_at: receipt.issued_at,
                provider_lines,
                demo: receipt.demo,
                duplicate: false,
            }))
        }
    }
}

/// Whether a card payment's merchant copy asks the customer to sign it (then it prints at once).
pub fn merchant_copy_needs_signature(merchant_text: Option<&str>) -> bool {
    merchant_text.is_some_and(|t| {
        let t = t.to_lowercase();
        t.contains("unterschrift") || t.contains("unterschreiben")
    })
}

/// Where an exported PDF went.
#[derive(Debug, Clone, Serialize)]
pub struct SavedFile {
    pub path: String,
}

/// Saves a PDF: into `SMART_TILL_EXPORT_DIR` when it is set, else where the
/// cashier picks in the save dialog (`None` when the dialog is closed).
pub async fn save_pdf(
    app: &tauri::AppHandle,
    bytes: Vec<u8>,
    file_name: &str,
) -> Result<Option<SavedFile>, CommandError> {
    let path = match std::env::var_os(ENV_EXPORT_DIR) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, &e))?;
            dir.join(file_name)
        }
        None => {
            use tauri_plugin_dialog::DialogExt;
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.dialog()
                .file()
                .set_file_name(file_name)
                .add_filter("PDF", &["pdf"])
                .save_file(move |picked| {
                    let _ = tx.send(picked);
                });
            let Some(picked) = rx.await.ok().flatten() else {
                return Ok(None);
            };
            picked.into_path().map_err(|e| {
                CommandError::new("io", format!("The PDF cannot be saved there ({e})."))
            })?
        }
    };
    let write_to = path.clone();
    tauri::async_runtime::spawn_blocking(move || std::fs::write(&write_to, &bytes))
        .await
        .map_err(|e| CommandError::new("io", format!("The PDF could not be saved ({e}).")))?
        .map_err(|e| io_error(&path, &e))?;
    info!(path = %path.display(), "PDF saved");
    Ok(Some(SavedFile {
        path: path.display().to_string(),
    }))
}

fn io_error(path: &std::path::Path, e: &std::io::Error) -> CommandError {
    CommandError::new(
        "io",
        format!(
            "The PDF could not be saved to {} ({e}). Choose another folder or check the disk.",
            path.display()
        ),
    )
}

/// Runs blocking printer I/O off the async runtime's threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::new("printer_error", format!("Printing failed: {e}.")))
}

/// Prints the test page on `printer` and waits for it.
pub async fn test_print(printer: &PrinterConfig) -> Result<(), CommandError> {
    let device = device(printer)?;
    let page = receipt::test_page::test_page(
        &printer.name,
        device.escpos.code_page,
        printer.width as usize,
    );
    let name = printer.name.clone();
    // The job's title names the printer: OS queues list it, cups-pdf names its file after it.
    let title = format!("Testdruck {name}");
    blocking(move || device.print_layout(&page, &title))
        .await?
        .map_err(|e| print_error(&e, &name))
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::TcpListener;
    use std::time::Instant;

    use super::*;

    fn network(addr: std::net::SocketAddr, drawer: bool) -> PrinterConfig {
        PrinterConfig {
            id: "bon".into(),
            name: "Bondrucker".into(),
            transport: PrinterTransport::Network {
                host: addr.ip().to_string(),
                port: addr.port(),
            },
            kind: PrinterKind::Thermal,
            code_page: "cp858".into(),
            width: 42,
            drawer,
        }
    }

    fn settings_with(printer: PrinterConfig) -> Settings {
        Settings {
            receipt_printer_id: Some(printer.id.clone()),
            printers: vec![printer],
            ..Settings::default()
        }
    }

    fn sale_receipt() -> Document {
        Document::receipt(receipt::Receipt {
            shop: receipt::ShopHeader {
                name: "Bäckerei Müller".into(),
                address_lines: vec!["Hauptstraße 1".into()],
                vat_id: None,
                footer: None,
            },
            till_id: "KASSE-1".into(),
            receipt_number: 7,
            issued_at: "22.11.2026 09:15".into(),
            lines: vec![receipt::ReceiptLine {
                quantity: 2,
                text: "Brötchen".into(),
                unit_price_cents: 45,
                total_cents: 90,
                vat_mark: 'B',
            }],
            total_cents: 90,
            vat: vec![],
            payments: vec![],
            transaction_id: None,
            provider_lines: vec![],
            demo: false,
        })
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    /// Accepts connections until one brings an ESC/POS job; returns its bytes.
    fn printer_job(listener: TcpListener) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || loop {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            let mut got = Vec::new();
            let _ = conn.read_to_end(&mut got);
            // The status check's bare DLE EOT is not a job.
            if contains(&got, &[0x1B, b'@']).is_some() {
                return got;
            }
        })
    }

    fn wait_for_state(inner: &Inner, state: &str) -> BarStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = bar_status_of(inner);
            if status.state == state || Instant::now() > deadline {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_cash_sale_receipt_reaches_the_network_printer_with_the_drawer_kick() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let printing = Printing::new(&settings_with(network(
            listener.local_addr().unwrap(),
            true,
        )));
        let job = printer_job(listener);
        printing.after_sale(sale_receipt(), true);
        let got = job.join().unwrap();
        let kick = contains(&got, &[0x1B, b'p', 0, 25, 250]).expect("drawer kick sent");
        // "Bäckerei" in CP858: ä is 0x84.
        let shop = contains(&got, b"B\x84ckerei M\x81ller").expect("shop name in CP858");
        assert!(kick < shop, "the drawer opens while the receipt prints");
        assert!(contains(&got, b"0,90").is_some(), "the total is printed");
        assert_eq!(wait_for_state(&printing.inner, "ready").state, "ready");
    }

    #[test]
    fn a_card_sale_and_a_reprint_leave_the_drawer_shut_and_the_copy_is_marked() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let printing = Printing::new(&settings_with(network(
            listener.local_addr().unwrap(),
            true,
        )));
        let job = printer_job(listener);
        tauri::async_runtime::block_on(printing.print(sale_receipt().into_duplicate()))
            .expect("printed");
        let got = job.join().unwrap();
        assert!(contains(&got, &[0x1B, b'p']).is_none(), "no drawer kick");
        assert!(contains(&got, b"*** DUPLIKAT ***").is_some());
    }

    #[test]
    fn an_unplugged_printer_is_offline_and_printing_says_so_in_words() {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let printing = Printing::new(&settings_with(network(addr, true)));
        // Queued after a sale: nothing to wait for, nothing fails.
        printing.after_sale(sale_receipt(), true);
        let err = tauri::async_runtime::block_on(printing.print(sale_receipt())).unwrap_err();
        assert_eq!(err.code, "printer_offline");
        assert!(err.message.contains("Bondrucker") && err.message.contains("sale is saved"));
        let status = wait_for_state(&printing.inner, "offline");
        assert_eq!(status.state, "offline");
        assert_eq!(status.name.as_deref(), Some("Bondrucker"));
        // The status check finds it unplugged too.
        check(&printing.inner);
        assert_eq!(bar_status_of(&printing.inner).state, "offline");
    }

    #[test]
    fn without_a_receipt_printer_there_is_no_printer() {
        let printing = Printing::new(&Settings::default());
        printing.after_sale(sale_receipt(), true);
        let err = tauri::async_runtime::block_on(printing.print(sale_receipt())).unwrap_err();
        assert_eq!(err.code, "no_printer");
        assert_eq!(bar_status_of(&printing.inner).state, "none");
    }

    #[test]
    fn a_paper_out_answer_shows_in_the_status_bar() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let printing = Printing::new(&settings_with(network(
            listener.local_addr().unwrap(),
            true,
        )));
        let answers = std::thread::spawn(move || {
            use std::io::Write;
            let (mut conn, _) = listener.accept().unwrap();
            for answer in [0x1Au8, 0x32, 0x72] {
                let mut request = [0u8; 3];
                conn.read_exact(&mut request).unwrap();
                conn.write_all(&[answer]).unwrap();
            }
        });
        check(&printing.inner);
        answers.join().unwrap();
        let status = bar_status_of(&printing.inner);
        assert_eq!(status.state, "paper_out");
        assert!(status.message.unwrap().contains("out of paper"));
    }

    #[cfg(unix)]
    #[test]
    #[cfg_attr(
        not(target_os = "linux"),
        ignore = "a pty stands in for the port on Linux only: macOS ptys refuse a baud rate"
    )]
    fn the_test_page_goes_out_on_a_serial_port() {
        use serialport::SerialPort;
        let (mut master, slave) = serialport::TTYPort::pair().expect("pty pair");
        master.set_timeout(Duration::from_millis(100)).unwrap();
        let path = slave.name().expect("slave path");
        let printer = validated(PrinterConfig {
            id: "seriell".into(),
            name: "Seriell".into(),
            transport: PrinterTransport::Serial {
                port: path,
                baud: 38400,
            },
            kind: PrinterKind::Thermal,
            code_page: "CP858".into(),
            width: 32,
            drawer: false,
        })
        .expect("a pty is a serial port");
        let job = std::thread::spawn(move || tauri::async_runtime::block_on(test_print(&printer)));
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while contains(&got, &[0x1D, b'V']).is_none() && Instant::now() < deadline {
            match master.read(&mut buf) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("reading the pty: {e}"),
            }
        }
        job.join().unwrap().expect("test page printed");
        assert!(contains(&got, b"Testdruck").is_some());
        // 32 columns: the ruler ends at 2 (32 % 10) and is not longer.
        assert!(contains(&got, b"12345678901234567890123456789012\n").is_some());
        drop(slave);
    }

    /// An office printer behind a real CUPS queue (`PDF`, cups-pdf, from
    /// scripts/cups-test-setup.sh) gets the test page as a PDF job. Skipped only
    /// where the CUPS client tools are not installed.
    #[test]
    #[cfg_attr(
        not(target_os = "linux"),
        ignore = "needs the CUPS test queues of scripts/cups-test-setup.sh (Linux)"
    )]
    fn an_office_printer_on_cups_gets_the_test_page() {
        let Ok(out) = std::process::Command::new("lpstat").arg("-r").output() else {
            eprintln!("SKIPPED: lpstat not found; install cups and printer-driver-cups-pdf and run scripts/cups-test-setup.sh");
            return;
        };
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.contains("scheduler is running"),
            "CUPS is installed but not running ({said:?}): run scripts/cups-test-setup.sh as root first"
        );
        let unique = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000;
        let printer = validated(PrinterConfig {
            id: "buero".into(),
            name: format!("Buero {unique}"),
            transport: PrinterTransport::Os {
                queue: "PDF".into(),
            },
            kind: PrinterKind::Office,
            code_page: "cp858".into(),
            width: 42,
            drawer: false,
        })
        .unwrap();
        assert_eq!(known_device(&printer, false), Ok(()));
        let mut unknown = printer.clone();
        unknown.transport = PrinterTransport::Os {
            queue: "NoSuchQueue".into(),
        };
        let e = known_device(&unknown, false).unwrap_err();
        assert_eq!(e.code, "invalid_settings");
        assert!(e.message.contains("NoSuchQueue"));
        tauri::async_runtime::block_on(test_print(&printer)).expect("handed to CUPS");
        // cups-pdf writes into `Out` of cups-pdf.conf (${HOME}/PDF by default), named after the title.
        let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
        let dir = std::fs::read_to_string("/etc/cups/cups-pdf.conf")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find_map(|l| l.strip_prefix("Out ").map(|v| v.trim().to_string()))
            })
            .unwrap_or_else(|| "${HOME}/PDF".into())
            .replace("${HOME}", &home);
        let deadline = Instant::now() + Duration::from_secs(120);
        let needle = unique.to_string();
        loop {
            let found = std::fs::read_dir(&dir).ok().and_then(|entries| {
                entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
                    p.to_string_lossy().contains(&needle)
                        && p.extension().is_some_and(|e| e == "pdf")
                        && std::fs::metadata(p).is_ok_and(|m| m.len() > 1000)
                })
            });
            if let Some(path) = found {
                let head = std::fs::read(&path).unwrap();
                assert!(head.starts_with(b"%PDF"), "{} is a PDF", path.display());
                let _ = std::fs::remove_file(path);
                break;
            }
            assert!(Instant::now() < deadline, "no PDF for {needle} in {dir}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    #[test]
    fn the_till_connects_only_to_printers_in_the_shops_network_unless_confirmed() {
        let at = |host: &str| network_at(host, 9100);
        for local in [
            "192.168.1.50",
            "10.0.0.7",
            "172.16.4.2",
            "169.254.10.10",
            "127.0.0.1",
            "::1",
            "fd00::5",
            "fe80::1",
        ] {
            assert_eq!(known_device(&at(local), false), Ok(()), "{local}");
        }
        for public in ["8.8.8.8", "172.32.0.1", "100.64.0.1", "2001:db8::1"] {
            let e = known_device(&at(public), false).unwrap_err();
            assert_eq!(e.code, "printer_address_public", "{public}");
            assert_eq!(
                known_device(&at(public), true),
                Ok(()),
                "{public} confirmed"
            );
        }
    }

    #[test]
    fn a_serial_printer_is_one_of_the_ports_this_till_has() {
        let mut p = network_at("127.0.0.1", 9100);
        for port in ["/dev/sda", "/dev/mem", "/etc/passwd", "COM999"] {
            p.transport = PrinterTransport::Serial {
                port: port.into(),
                baud: 9600,
            };
            let e = known_device(&p, true).unwrap_err();
            assert_eq!(e.code, "invalid_settings", "{port}");
            assert!(e.message.contains("no serial port"), "{}", e.message);
        }
    }

    fn network_at(host: &str, port: u16) -> PrinterConfig {
        PrinterConfig {
            id: "net".into(),
            name: "Netz".into(),
            transport: PrinterTransport::Network {
                host: host.into(),
                port,
            },
            kind: PrinterKind::Thermal,
            code_page: "CP858".into(),
            width: 42,
            drawer: false,
        }
    }

    #[test]
    fn printer_settings_are_checked_in_words() {
        let good = network("192.168.1.50:9100".parse().unwrap(), true);
        assert_eq!(validated(good.clone()).unwrap(), good);
        let with = |f: &dyn Fn(&mut PrinterConfig)| {
            let mut p = good.clone();
            f(&mut p);
            validated(p)
        };
        let refused: Vec<(&str, CommandError)> = vec![
            ("width", with(&|p| p.width = 40).unwrap_err()),
            (
                "code page",
                with(&|p| p.code_page = "utf8".into()).unwrap_err(),
            ),
            ("name", with(&|p| p.name = "  ".into()).unwrap_err()),
            (
                "host",
                with(&|p| {
                    p.transport = PrinterTransport::Network {
                        host: "drucker kasse".into(),
                        port: 9100,
                    }
                })
                .unwrap_err(),
            ),
            (
                "port",
                with(&|p| {
                    p.transport = PrinterTransport::Network {
                        host: "bon.local".into(),
                        port: 0,
                    }
                })
                .unwrap_err(),
            ),
            (
                "serial port",
                with(&|p| {
                    p.transport = PrinterTransport::Serial {
                        port: "ttyUSB0".into(),
                        baud: 9600,
                    }
                })
                .unwrap_err(),
            ),
            (
                "baud",
                with(&|p| {
                    p.transport = PrinterTransport::Serial {
                        port: "/dev/ttyUSB0".into(),
                        baud: 12345,
                    }
                })
                .unwrap_err(),
            ),
            (
                "office on the network",
                with(&|p| p.kind = PrinterKind::Office).unwrap_err(),
            ),
            (
                "office with a drawer",
                with(&|p| {
                    p.kind = PrinterKind::Office;
                    p.transport = PrinterTransport::Os {
                        queue: "Büro".into(),
                    };
                })
                .unwrap_err(),
            ),
        ];
        for (what, e) in refused {
            assert_eq!(e.code, "invalid_settings", "{what}");
            assert!(e.message.ends_with('.'), "{what}: {}", e.message);
        }
        let com = with(&|p| {
            p.transport = PrinterTransport::Serial {
                port: " COM3 ".into(),
                baud: 19200,
            }
        })
        .unwrap();
        assert_eq!(
            com.transport,
            PrinterTransport::Serial {
                port: "COM3".into(),
                baud: 19200
            }
        );
        let device = device(&com).unwrap();
        assert_eq!(device.escpos.code_page, CodePage::Pc858);
        assert_eq!(device.escpos.columns, 42);
    }

    #[test]
    fn a_merchant_copy_that_asks_for_a_signature_prints() {
        assert!(merchant_copy_needs_signature(Some(
            "Betrag 10,00\nUnterschrift umseitig"
        )));
        assert!(merchant_copy_needs_signature(Some("Bitte unterschreiben")));
        assert!(!merchant_copy_needs_signature(Some("PIN geprüft")));
        assert!(!merchant_copy_needs_signature(None));
    }
}
