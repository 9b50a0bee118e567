//! Saving a PDF or the tax audit export where the cashier picks in the
//! desktop's save dialog, or into `SMART_TILL_EXPORT_DIR` without asking
//! when it is set.

use till_app::printing::{export_dir, write_pdf, Pdf, SavedFile};
use till_app::{CommandError, ErrorCode};

/// `None` when the cashier closes the dialog.
pub async fn save_pdf(app: &tauri::AppHandle, pdf: Pdf) -> Result<Option<SavedFile>, CommandError> {
    let path = match export_dir() {
        Some(dir) => dir.join(&pdf.file_name),
        None => {
            use tauri_plugin_dialog::DialogExt;
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.dialog()
                .file()
                .set_file_name(&pdf.file_name)
                .add_filter("PDF", &["pdf"])
                .save_file(move |picked| {
                    let _ = tx.send(picked);
                });
            let Some(picked) = rx.await.ok().flatten() else {
                return Ok(None);
            };
            picked.into_path().map_err(|e| {
                CommandError::new(
                    ErrorCode::Io,
                    format!("The PDF cannot be saved there ({e})."),
                )
            })?
        }
    };
    write_pdf(path, pdf.bytes).await.map(Some)
}

/// Where the tax audit export (a zip) goes: picked in the save dialog, or
/// `file_name` in `SMART_TILL_EXPORT_DIR`. `None` when the cashier closes the dialog.
pub async fn save_export_path(
    app: &tauri::AppHandle,
    file_name: &str,
) -> Result<Option<std::path::PathBuf>, CommandError> {
    if let Some(dir) = export_dir() {
        return Ok(Some(dir.join(file_name)));
    }
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(file_name)
        .add_filter("ZIP", &["zip"])
        .save_file(move |picked| {
            let _ = tx.send(picked);
        });
    let Some(picked) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    picked.into_path().map(Some).map_err(|e| {
        CommandError::new(
            ErrorCode::Io,
            format!("The export cannot be saved there ({e})."),
        )
    })
}

/// Saves a file (an article export) where the cashier picks, or into
/// `SMART_TILL_EXPORT_DIR` without asking; `None` when the dialog is closed.
pub async fn save_file(
    app: &tauri::AppHandle,
    file_name: &str,
    filter: &str,
    extension: &str,
    bytes: Vec<u8>,
) -> Result<Option<SavedFile>, CommandError> {
    let path = match export_dir() {
        Some(dir) => dir.join(file_name),
        None => {
            use tauri_plugin_dialog::DialogExt;
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
            picked.into_path().map_err(|e| {
                CommandError::new(
                    ErrorCode::Io,
                    format!("The file cannot be saved there ({e})."),
                )
            })?
        }
    };
    write_pdf(path, bytes).await.map(Some)
}
