//! The print queue: printing runs on its own thread, off the sale path.
//!
//! `submit` only records the job and returns; the sale is already in the journal
//! by then. A job that fails stays in the queue with the cashier's error and
//! can be retried; any stored document can be printed again as a duplicate.
//! A receipt printed with nobody waiting (`submit_unattended`, after a sale)
//! that fails is kept in [`MissedPrints`], to be offered once the printer is back.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use tracing::{info, warn};

use crate::document::Document;
use crate::error::{ErrorInfo, PrintError};
use crate::missed::{MissedPrints, MissedReceipts};
use crate::printer::PrinterConfig;
use crate::JobId;

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum JobState {
    Queued,
    Printing,
    Done,
    Failed { error: ErrorInfo },
}

impl JobState {
    pub fn is_finished(&self) -> bool {
        matches!(self, JobState::Done | JobState::Failed { .. })
    }
}

/// A job as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobInfo {
    pub id: JobId,
    pub title: String,
    pub printer: String,
    pub state: JobState,
    pub attempts: u32,
}

/// Why the queue refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("no print job {0}")]
    UnknownJob(JobId),
    #[error("print job {0} has not failed")]
    NotFailed(JobId),
    #[error("stored document unreadable: {0}")]
    BadDocument(String),
    #[error("the print queue has stopped")]
    Stopped,
    #[error("receipt {0} is not waiting to be printed")]
    NotMissed(u64),
}

struct Job {
    printer: PrinterConfig,
    document: Document,
    open_drawer: bool,
    state: JobState,
    attempts: u32,
    /// Printed with nobody waiting for it: a failure is kept to be offered again.
    unattended: bool,
}

impl Job {
    fn info(&self, id: JobId) -> JobInfo {
        JobInfo {
            id,
            title: self.document.title(),
            printer: self.printer.name.clone(),
            state: self.state.clone(),
            attempts: self.attempts,
        }
    }
}

type Listener = Box<dyn Fn(&JobInfo) + Send + Sync>;

struct Shared {
    jobs: Mutex<BTreeMap<JobId, Job>>,
    changed: Condvar,
    listener: Option<Listener>,
    missed: Mutex<MissedPrints>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<JobId, Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn missed(&self) -> MutexGuard<'_, MissedPrints> {
        self.missed.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_state(&self, id: JobId, state: JobState) {
        let (info, receipt, unattended) = {
            let mut jobs = self.lock();
            let Some(job) = jobs.get_mut(&id) else { return };
            job.state = state;
            (
                job.info(id),
                job.document.customer_receipt_number(),
                job.unattended,
            )
        };
        // Known before anyone waiting on the job hears of it: a print that went
        // through is never offered again afterwards.
        if let Some(receipt) = receipt {
            match &info.state {
                JobState::Done => self.missed().printed(receipt),
                JobState::Failed { .. } if unattended => {
                    self.missed().failed(receipt, id, Instant::now())
                }
                _ => {}
            }
        }
        // The listener hears of a change before anyone waiting on the job; a
        // panicking listener must not take the print thread down.
        if let Some(listener) = &self.listener {
            if catch_unwind(AssertUnwindSafe(|| listener(&info))).is_err() {
                warn!(job = id, "print job listener panicked");
            }
        }
        self.changed.notify_all();
    }
}

/// How many finished jobs are kept for the UI; failed ones are kept regardless.
const KEEP_DONE: usize = 100;

/// A queue with one worker thread; dropping it finishes the jobs already queued.
pub struct PrintQueue {
    shared: Arc<Shared>,
    tx: Mutex<Option<mpsc::Sender<JobId>>>,
    worker: Option<JoinHandle<()>>,
    next_id: Mutex<JobId>,
}

impl PrintQueue {
    pub fn start() -> Self {
        Self::with_listener(None)
    }

    /// A queue that calls `listener` whenever a job changes state (e.g. to tell the UI).
    pub fn with_listener(listener: Option<Listener>) -> Self {
        let shared = Arc::new(Shared {
            jobs: Mutex::new(BTreeMap::new()),
            changed: Condvar::new(),
            listener,
            missed: Mutex::new(MissedPrints::default()),
        });
        let (tx, rx) = mpsc::channel::<JobId>();
        let worker_shared = Arc::clone(&shared);
        let worker = std::thread::Builder::new()
            .name("print-queue".into())
            .spawn(move || {
                for id in rx {
                    run(&worker_shared, id);
                }
            })
            .expect("spawn the print thread");
        Self {
            shared,
            tx: Mutex::new(Some(tx)),
            worker: Some(worker),
            next_id: Mutex::new(1),
        }
    }

    /// Queues `document` for `printer` and returns at once. `open_drawer` kicks
    /// the cash drawer with the print (thermal printers only; never on a retry).
    pub fn submit(&self, printer: PrinterConfig, document: Document, open_drawer: bool) -> JobId {
        self.submit_job(printer, document, open_drawer, false)
    }

    /// Queues a receipt nobody waits for (the one printed after a sale): if it
    /// fails, it is kept to be offered again (see [`PrintQueue::missed`]).
    pub fn submit_unattended(
        &self,
        printer: PrinterConfig,
        document: Document,
        open_drawer: bool,
    ) -> JobId {
        self.submit_job(printer, document, open_drawer, true)
    }

    /// Queues a print the cashier asked for. A customer receipt whose automatic
    /// print failed is printed by that job, once, instead of a new one: the
    /// offer to print it ends with it.
    pub fn submit_or_resume(&self, printer: PrinterConfig, document: Document) -> JobId {
        if let Some(receipt) = document
            .customer_receipt_number()
            .filter(|_| !document.is_duplicate())
        {
            if let Ok(id) = self.print_missed(receipt, Some(printer.clone())) {
                return id;
            }
        }
        self.submit(printer, document, false)
    }

    /// Prints the receipt `receipt` whose automatic print failed, by its job,
    /// on `printer` if given. Refused when it is not waiting (printed,
    /// dismissed, or already being printed).
    pub fn print_missed(
        &self,
        receipt: u64,
        printer: Option<PrinterConfig>,
    ) -> Result<JobId, QueueError> {
        let id = self
            .shared
            .missed()
            .take(receipt)
            .ok_or(QueueError::NotMissed(receipt))?;
        self.retry(id, printer)?;
        Ok(id)
    }

    /// The cashier does not want the receipt `receipt` printed: it is not offered again.
    pub fn dismiss_missed(&self, receipt: u64) -> Result<(), QueueError> {
        if self.shared.missed().dismiss(receipt) {
            Ok(())
        } else {
            Err(QueueError::NotMissed(receipt))
        }
    }

    /// The receipts whose automatic print failed, and which to offer now
    /// (`printer_ready`: the printer answers again).
    pub fn missed(&self, printer_ready: bool) -> MissedReceipts {
        self.shared.missed().state(Instant::now(), printer_ready)
    }

    fn submit_job(
        &self,
        printer: PrinterConfig,
        document: Document,
        open_drawer: bool,
        unattended: bool,
    ) -> JobId {
        let id = {
            let mut next = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
            let id = *next;
            *next += 1;
            id
        };
        {
            let mut jobs = self.shared.lock();
            prune(&mut jobs);
            jobs.insert(
                id,
                Job {
                    printer,
                    document,
                    open_drawer,
                    state: JobState::Queued,
                    attempts: 0,
                    unattended,
                },
            );
        }
        if self.enqueue(id).is_err() {
            self.shared.set_state(
                id,
                JobState::Failed {
                    error: PrintError::Io("print queue stopped".into()).info(),
                },
            );
        }
        id
    }

    /// Prints a stored document again (from the journal), marked as a duplicate.
    pub fn reprint(
        &self,
        printer: PrinterConfig,
        stored: &serde_json::Value,
    ) -> Result<JobId, QueueError> {
        let document =
            Document::from_stored(stored).map_err(|e| QueueError::BadDocument(e.to_string()))?;
        Ok(self.submit(printer, document.into_duplicate(), false))
    }

    /// Tries a failed job again, on the same printer or on `printer` if given.
    pub fn retry(&self, id: JobId, printer: Option<PrinterConfig>) -> Result<(), QueueError> {
        {
            let mut jobs = self.shared.lock();
            let job = jobs.get_mut(&id).ok_or(QueueError::UnknownJob(id))?;
            if !matches!(job.state, JobState::Failed { .. }) {
                return Err(QueueError::NotFailed(id));
            }
            if let Some(printer) = printer {
                job.printer = printer;
            }
            // The drawer opened (or the cashier opened it) on the first attempt.
            job.open_drawer = false;
            job.state = JobState::Queued;
        }
        self.enqueue(id)
    }

    fn enqueue(&self, id: JobId) -> Result<(), QueueError> {
        let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        tx.as_ref()
            .ok_or(QueueError::Stopped)?
            .send(id)
            .map_err(|_| QueueError::Stopped)
    }

    /// Forgets a failed job the cashier gives up on (the sale stays in the journal
    /// and can be reprinted from there).
    pub fn dismiss(&self, id: JobId) -> Result<(), QueueError> {
        let mut jobs = self.shared.lock();
        let job = jobs.get(&id).ok_or(QueueError::UnknownJob(id))?;
        if !matches!(job.state, JobState::Failed { .. }) {
            return Err(QueueError::NotFailed(id));
        }
        jobs.remove(&id);
        Ok(())
    }

    pub fn job(&self, id: JobId) -> Option<JobInfo> {
        self.shared.lock().get(&id).map(|job| job.info(id))
    }

    /// All jobs still known, oldest first.
    pub fn jobs(&self) -> Vec<JobInfo> {
        self.shared
            .lock()
            .iter()
            .map(|(id, job)| job.info(*id))
            .collect()
    }

    /// The jobs waiting for a retry.
    pub fn failed(&self) -> Vec<JobInfo> {
        self.jobs()
            .into_iter()
            .filter(|j| matches!(j.state, JobState::Failed { .. }))
            .collect()
    }

    /// Waits until job `id` is done or failed, at most `timeout`.
    pub fn wait(&self, id: JobId, timeout: Duration) -> Option<JobInfo> {
        let deadline = Instant::now() + timeout;
        let mut jobs = self.shared.lock();
        loop {
            let info = jobs.get(&id)?.info(id);
            if info.state.is_finished() {
                return Some(info);
            }
            let now = Instant::now();
            if now >= deadline {
                return Some(info);
            }
            jobs = self
                .shared
                .changed
                .wait_timeout(jobs, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for PrintQueue {
    fn drop(&mut self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

fn prune(jobs: &mut BTreeMap<JobId, Job>) {
    let done: Vec<JobId> = jobs
        .iter()
        .filter(|(_, j)| j.state == JobState::Done)
        .map(|(id, _)| *id)
        .collect();
    for id in done.iter().take(done.len().saturating_sub(KEEP_DONE)) {
        jobs.remove(id);
    }
}

fn run(shared: &Shared, id: JobId) {
    let (printer, document, open_drawer) = {
        let mut jobs = shared.lock();
        let Some(job) = jobs.get_mut(&id) else { return };
        if job.state != JobState::Queued {
            return;
        }
        job.attempts += 1;
        (job.printer.clone(), job.document.clone(), job.open_drawer)
    };
    shared.set_state(id, JobState::Printing);
    // A bug in a renderer must not take the queue down with it.
    let result = catch_unwind(AssertUnwindSafe(|| printer.print(&document, open_drawer)))
        .unwrap_or_else(|_| Err(PrintError::Render("renderer panicked".into())));
    match result {
        Ok(()) => {
            info!(job = id, printer = %printer.name, "print job done");
            shared.set_state(id, JobState::Done);
        }
        Err(error) => {
            warn!(job = id, printer = %printer.name, code = error.code(), %error, "print job failed");
            shared.set_state(
                id,
                JobState::Failed {
                    error: error.info(),
                },
            );
        }
    }
}
