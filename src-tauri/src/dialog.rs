//! Saving a PDF, an article export or the tax audit export where the cashier
//! picks in the desktop's save dialog, or into `SMART_TILL_EXPORT_DIR`
//! without asking when it is set.

use std::path::PathBuf;

use tauri_plugin_dialog::DialogExt;
use till_app::printing::{export_dir, write_pdf, Pdf, SavedFile};
use till_app::{CommandError, ErrorCode};

/// Where `file_name` goes: picked in the save dialog (offered with the
/// `filter`'s `extension`), or into `SMART_TILL_EXPORT_DIR`. `None` when the
/// cashier closes the dialog.
pub async fn save_path(
    app: &tauri::AppHandle,
    file_name: &str,
    filter: &str,
    extension: &str,
) -> Result<Option<PathBuf>, CommandError> {
    if let Some(dir) = export_dir() {
        return Ok(Some(dir.join(file_name)));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(file_name)
        .add_filter(filter, &[extension])
        .save_file(move |picked| {
            let _ = tx.send(picked);
        });
    let Some(picked) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    picked.into_path().map(Some).map_err(|e| {
        CommandError::new(
            ErrorCode::Io,
            format!("The file cannot be saved there ({e})."),
        )
    })
}

/// Saves `bytes` as `file_name` where [`save_path`] says; `None` when the
/// dialog is closed.
pub async fn save_file(
    app: &tauri::AppHandle,
    file_name: &str,
    filter: &str,
    extension: &str,
    bytes: Vec<u8>,
) -> Result<Option<SavedFile>, CommandError> {
    match save_path(app, file_name, filter, extension).await? {
        Some(path) => write_pdf(path, bytes).await.map(Some),
        None => Ok(None),
    }
}

/// Saves a PDF; `None` when the cashier closes the dialog.
pub async fn save_pdf(app: &tauri::AppHandle, pdf: Pdf) -> Result<Option<SavedFile>, CommandError> {
    save_file(app, &pdf.file_name, "PDF", "pdf", pdf.bytes).await
}
