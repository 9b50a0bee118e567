//! The app's logs: to stderr and to daily-rotated files in its log directory.
//!
//! Nothing secret is ever passed to a log macro (tokens and the client secret are
//! `Secret`s whose Debug is masked; card and account numbers are masked where logged).

use std::path::Path;

use tracing_appender::non_blocking::NonBlockingBuilder;
pub use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// How many daily log files are kept.
const KEEP_DAYS: usize = 14;

/// Lines waiting for the log file's writer thread. The crate's default
/// (128,000) preallocates 4 MB that a till never fills: it logs a few lines
/// per sale, and the writer empties the queue in microseconds. When the disk
/// stalls, lines beyond this are dropped, never the sale waiting on them.
const QUEUED_LINES: usize = 4_096;

/// Starts logging; the returned guard flushes the file on drop, keep it for the app's life.
pub fn init(log_dir: &Path) -> Result<WorkerGuard, String> {
    std::fs::create_dir_all(log_dir)
        .map_err(|e| format!("cannot create the log folder {}: {e}", log_dir.display()))?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("smart-till")
        .filename_suffix("log")
        .max_log_files(KEEP_DAYS)
        .build(log_dir)
        .map_err(|e| format!("cannot open the log file in {}: {e}", log_dir.display()))?;
    let (file, guard) = NonBlockingBuilder::default()
        .buffered_lines_limit(QUEUED_LINES)
        .lossy(true)
        .finish(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(std::io::stderr))
        .with(fmt::layer().with_ansi(false).with_writer(file))
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(guard)
}
