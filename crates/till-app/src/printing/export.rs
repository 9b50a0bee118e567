//! Where exported PDFs go: `SMART_TILL_EXPORT_DIR` when it is set (kiosk
//! installs, the end-to-end tests), else where the cashier picks in the
//! desktop's save dialog (the Tauri side asks).

use std::path::{Path, PathBuf};

use serde::Serialize;
use tracing::info;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};

/// Saves exported PDFs into this folder without asking (kiosk installs, tests).
pub const ENV_EXPORT_DIR: &str = "SMART_TILL_EXPORT_DIR";

/// Where an exported PDF went.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SavedFile {
    pub path: String,
}

/// A PDF to save, and the name the save dialog proposes.
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub file_name: String,
}

/// The folder PDFs are saved into without asking, when one is set.
pub fn export_dir() -> Option<PathBuf> {
    std::env::var_os(ENV_EXPORT_DIR).map(PathBuf::from)
}

/// Writes the PDF to `path` (chosen in the dialog, or in [`export_dir`]).
pub async fn write_pdf(path: PathBuf, bytes: Vec<u8>) -> Result<SavedFile, CommandError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    }
    let write_to = path.clone();
    tokio::task::spawn_blocking(move || std::fs::write(&write_to, &bytes))
        .await
        .map_err(|e| {
            CommandError::new(ErrorCode::Io, format!("The PDF could not be saved ({e})."))
        })?
        .map_err(|e| io_error(&path, &e))?;
    info!(path = %path.display(), "PDF saved");
    Ok(SavedFile {
        path: path.display().to_string(),
    })
}

fn io_error(path: &Path, e: &std::io::Error) -> CommandError {
    CommandError::new(
        ErrorCode::Io,
        format!(
            "The PDF could not be saved to {} ({e}). Choose another folder or check the disk.",
            path.display()
        ),
    )
}
