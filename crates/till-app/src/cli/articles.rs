//! `import-articles` and `export-articles`: the catalogue of the environment
//! the till is set to (`commands::articles` does the work).

use std::path::{Path, PathBuf};

use super::{data_dir, say, Console, EXIT_FAILED, EXIT_OK};
use crate::commands::articles::{export_file_at, import_file_at};
use crate::startup::catalog_path;

pub(super) fn import(
    data: Option<PathBuf>,
    file: &str,
    dry_run: bool,
    console: &mut Console<'_>,
) -> u8 {
    let Some(data) = data_dir(data, console.err) else {
        return EXIT_FAILED;
    };
    report(
        import_file_at(&catalog_path(&data), Path::new(file), dry_run),
        console,
    )
}

pub(super) fn export(data: Option<PathBuf>, file: &str, console: &mut Console<'_>) -> u8 {
    let Some(data) = data_dir(data, console.err) else {
        return EXIT_FAILED;
    };
    report(
        export_file_at(&catalog_path(&data), Path::new(file)),
        console,
    )
}

/// The report on stdout; exit 1 when nothing could be imported or it failed.
fn report(done: Result<(String, bool), crate::CommandError>, console: &mut Console<'_>) -> u8 {
    match done {
        Ok((report, ok)) => {
            let _ = write!(console.out, "{report}");
            if ok {
                EXIT_OK
            } else {
                EXIT_FAILED
            }
        }
        Err(e) => {
            say!(console.err, "smart-till: {}", e.message);
            EXIT_FAILED
        }
    }
}
