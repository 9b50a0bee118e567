//! Printing in the app: the printers of the settings turned into the receipt
//! crate's printers, the print queue that keeps printing off the sale path,
//! the receipt printer's state for the status bar, and the PDF export.
//!
//! A sale never waits for paper: after the journal commit its receipt is only
//! queued. Commands the cashier starts by hand (print, reprint, test print,
//! drawer) wait for their job so that they can say what went wrong.

mod device;
mod export;
mod kept;

pub use device::{device, known_device, receipt_printer_of, test_print, validated};
pub use export::{export_dir, write_pdf, Pdf, SavedFile, ENV_EXPORT_DIR};
pub use kept::KEY_MISSED;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use receipt::queue::JobState;
use receipt::{Document, JobInfo, PrintError, PrintQueue};
use serde::Serialize;
use tracing::{info, warn};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::settings::{PrinterConfig, PrinterKind, Settings};

/// How long a print the cashier started waits for the printer before saying so.
const JOB_WAIT: Duration = Duration::from_secs(30);
/// How often the receipt printer is looked at for the status bar.
const CHECK_EVERY: Duration = Duration::from_secs(10);
/// Bounds the status bar's look at the printer.
const CHECK_TIMEOUT: Duration = Duration::from_millis(1500);

/// The receipt printer's state in the status bar (the UI words each one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    /// No receipt printer is set up.
    None,
    /// The last look at it (or the last job) found it answering.
    Ready,
    /// It does not answer: switched off, unplugged, out of reach.
    Offline,
    /// It answers, but its roll is empty.
    PaperOut,
    /// Its settings are unusable, or it failed in another way.
    Error,
}

/// The receipt printer as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PrinterStatus {
    pub state: PrinterState,
    pub name: Option<String>,
    pub message: Option<String>,
    /// Receipts whose automatic print failed (`unprinted`) and those to offer
    /// now that the printer is back (`offered`).
    #[serde(flatten)]
    #[ts(flatten)]
    pub missed: receipt::MissedReceipts,
}

/// What the status bar shows about the receipt printer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Health {
    state: PrinterState,
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
    /// The receipts printed after a sale, by job, until their job ends: one
    /// that fails is kept (`kept`) to be offered after a restart too.
    unattended: Mutex<std::collections::BTreeMap<receipt::JobId, Document>>,
    /// The receipts whose automatic print failed, in the settings store.
    kept: Mutex<Option<kept::Kept>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The app's printing: one queue, the receipt printer, and its last known state.
pub struct Printing {
    inner: Arc<Inner>,
    queue: Arc<PrintQueue>,
}

impl Printing {
    /// Printing with the receipt printer chosen in `settings`; looks at it every few seconds.
    pub fn start(settings: &Settings) -> Self {
        let printing = Self::new(settings);
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

    /// Printing without the background look at the printer (tests).
    pub fn new(settings: &Settings) -> Self {
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
        Self { inner, queue }
    }

    /// Keeps the receipts whose automatic print fails in `file` as well, and
    /// offers those kept before (a crash, a restart) like the queue's own.
    pub fn keep_missed_in(&self, file: crate::settings::SettingsFile) {
        *lock(&self.inner.kept) = Some(kept::Kept::load(file, chrono::Utc::now()));
    }

    /// Remembers the document of unattended `job` until it ends, to keep it
    /// if it fails; one that failed before this (the listener found nothing
    /// to keep) is kept here. Whoever takes it out of the map keeps it.
    fn follow_unattended(&self, job: receipt::JobId, document: Document) {
        lock(&self.inner.unattended).insert(job, document);
        match self.queue.job(job).map(|j| j.state) {
            Some(JobState::Failed { .. }) => {
                if let Some(document) = lock(&self.inner.unattended).remove(&job) {
                    if let Some(kept) = lock(&self.inner.kept).as_mut() {
                        kept.failed(&document, chrono::Utc::now());
                    }
                }
            }
            Some(JobState::Done) | None => {
                lock(&self.inner.unattended).remove(&job);
            }
            _ => {}
        }
    }

    /// A print of receipt `number` went through, or the cashier declined it.
    fn forget_kept(&self, number: u64) -> Option<kept::KeptReceipt> {
        lock(&self.inner.kept).as_mut()?.forget(number)
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
            CommandError::new(ErrorCode::NoPrinter,
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
                let job = self
                    .queue
                    .submit_unattended(device, document.clone(), open_drawer);
                self.follow_unattended(job, document);
                info!(job, open_drawer, "receipt queued after the sale");
            }
            Err(e) => warn!(error = %e.message, "the receipt printer's settings are unusable"),
        }
    }

    /// The receipt printer's state for the status bar, answered from memory.
    pub fn bar_status(&self) -> PrinterStatus {
        let mut status = bar_status_of(&self.inner);
        // Receipts that failed after a sale are offered once the printer answers again.
        let ready = status.state == PrinterState::Ready;
        status.missed = self.queue.missed(ready);
        if let Some(kept) = lock(&self.inner.kept).as_ref() {
            status.missed = kept.merged(status.missed, ready, chrono::Utc::now());
        }
        status
    }

    /// Prints `document` on the receipt printer and waits for the outcome (a
    /// receipt whose automatic print failed: by that job, see `submit_or_resume`).
    pub async fn print(&self, document: Document) -> Result<(), CommandError> {
        let printer = self.receipt_printer()?;
        let number = document.customer_receipt_number();
        let id = self.queue.submit_or_resume(device(&printer)?, document);
        self.wait_for(id, printer).await?;
        if let Some(number) = number {
            self.forget_kept(number);
        }
        Ok(())
    }

    /// Prints the receipt whose automatic print failed, offered when the printer came back.
    pub async fn print_missed(&self, receipt: u64) -> Result<(), CommandError> {
        let printer = self.receipt_printer()?;
        let id = match self.queue.print_missed(receipt, Some(device(&printer)?)) {
            Ok(id) => id,
            // Kept from before a restart: printed from the kept document.
            Err(_) => {
                let kept = self
                    .forget_kept(receipt)
                    .ok_or_else(|| not_missed(receipt))?;
                let id =
                    self.queue
                        .submit_unattended(device(&printer)?, kept.document.clone(), false);
                self.follow_unattended(id, kept.document);
                id
            }
        };
        self.wait_for(id, printer).await?;
        self.forget_kept(receipt);
        Ok(())
    }

    /// The cashier does not want the receipt printed now: it is not offered again.
    pub fn dismiss_missed(&self, receipt: u64) -> Result<(), CommandError> {
        let kept = self.forget_kept(receipt).is_some();
        match self.queue.dismiss_missed(receipt) {
            Ok(()) => Ok(()),
            Err(_) if kept => Ok(()),
            Err(_) => Err(not_missed(receipt)),
        }
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
            Some(JobState::Failed { error }) => Err(job_error(error.code, &error.message, &printer.name)),
            _ => Err(CommandError::new(ErrorCode::PrinterOffline,
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
        ErrorCode::AlreadyPrinted,
        format!("Receipt {receipt} is no longer waiting to be printed (printed or dismissed)."),
    )
}

fn bar_status_of(inner: &Inner) -> PrinterStatus {
    let Some(printer) = lock(&inner.receipt_printer).clone() else {
        return PrinterStatus {
            state: PrinterState::None,
            name: None,
            message: Some("No printer configured".into()),
            missed: Default::default(),
        };
    };
    let checked = lock(&inner.checked).clone();
    let problem = lock(&inner.job_problem).clone();
    // Unreachable wins; otherwise what the last failed job found (paper out).
    let health = match (checked, problem) {
        (Some(c), _) if c.state == PrinterState::Offline => c,
        (_, Some(p)) => p,
        (Some(c), None) => c,
        (None, None) => Health {
            state: PrinterState::Ready,
            message: None,
        },
    };
    PrinterStatus {
        state: health.state,
        name: Some(printer.name),
        message: health.message,
        missed: Default::default(),
    }
}

fn check(inner: &Inner) {
    let Some(printer) = lock(&inner.receipt_printer).clone() else {
        return;
    };
    let health = match device(&printer) {
        Ok(device) => match device.check(CHECK_TIMEOUT) {
            Ok(()) => Health {
                state: PrinterState::Ready,
                message: None,
            },
            Err(e) => health_of(&e, &printer.name),
        },
        Err(e) => Health {
            state: PrinterState::Error,
            message: Some(e.message),
        },
    };
    // The settings may have changed while looking.
    if lock(&inner.receipt_printer).as_ref() == Some(&printer) {
        *lock(&inner.checked) = Some(health);
    }
}

fn job_changed(inner: &Inner, job: &JobInfo) {
    match &job.state {
        JobState::Done => {
            lock(&inner.unattended).remove(&job.id);
        }
        JobState::Failed { .. } => {
            if let Some(document) = lock(&inner.unattended).remove(&job.id) {
                if let Some(kept) = lock(&inner.kept).as_mut() {
                    kept.failed(&document, chrono::Utc::now());
                }
            }
        }
        _ => {}
    }
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
                state: PrinterState::Ready,
                message: None,
            });
        }
        JobState::Failed { error } => {
            let e = job_error(error.code, &error.message, &printer.name);
            let state = state_of_code(error.code);
            let health = Health {
                state,
                message: Some(e.message),
            };
            if state == PrinterState::Offline {
                *lock(&inner.checked) = Some(health);
            } else {
                *lock(&inner.job_problem) = Some(health);
            }
        }
        _ => {}
    }
}

fn state_of_code(code: &str) -> PrinterState {
    match code {
        "printer_paper_out" => PrinterState::PaperOut,
        "printer_not_found" | "printer_offline" | "printer_timeout" | "printer_io"
        | "printer_no_status" => PrinterState::Offline,
        _ => PrinterState::Error,
    }
}

fn health_of(e: &PrintError, printer: &str) -> Health {
    Health {
        state: state_of_code(e.code()),
        message: Some(print_error(e, printer).message),
    }
}

/// A printing error in the command contract's codes, in the receipt crate's
/// words for the cashier.
pub fn print_error(e: &PrintError, printer: &str) -> CommandError {
    job_error(e.code(), &e.message(), printer)
}

/// The contract's code for one of the receipt crate's printing codes, and its
/// message with what the cashier does next.
fn job_error(code: &str, message: &str, printer: &str) -> CommandError {
    let code = match code {
        "printer_paper_out" => ErrorCode::PrinterPaperOut,
        "receipt_render" => ErrorCode::PrinterError,
        _ => ErrorCode::PrinterOffline,
    };
    CommandError::new(code, format!("{printer}: {message} {AGAIN}"))
}

/// A failed print never loses the sale.
const AGAIN: &str =
    "Der Verkauf ist gespeichert; den Beleg in der Belegansicht oder im Journal erneut drucken.";

/// Runs blocking printer I/O off the async runtime's threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CommandError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::new(ErrorCode::PrinterError, format!("Printing failed: {e}.")))
}

#[cfg(test)]
mod tests;
