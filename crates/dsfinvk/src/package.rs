//! The export as it is handed over: into an empty folder, or into one `.zip`
//! file; refused before anything is written when the range holds no closing
//! or the target is taken; a full disk named as such, and nothing half
//! written left behind.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use till::{Journal, JournalError};

use crate::from_journal::{
    business_day, export_with_progress, Cashpoint, ExportError, ExportSummary, Progress,
};
use crate::writer::WriteError;

/// Why an export was not written.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("There is no closing (end of day) between {from} and {to}: nothing to export.")]
    NoClosing { from: NaiveDate, to: NaiveDate },
    #[error("The first day ({from}) is after the last ({to}).")]
    BadRange { from: NaiveDate, to: NaiveDate },
    #[error(
        "The target {0} already exists and is not empty: choose a new name or an empty folder."
    )]
    NotEmpty(PathBuf),
    #[error("The disk is full: the export to {0} was not written (nothing of it is left behind). Free some space or choose another drive.")]
    DiskFull(PathBuf),
    #[error("The journal cannot be read: {0}")]
    Journal(#[from] JournalError),
    #[error("The export could not be written to {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("The export stopped: {0}")]
    Export(ExportError),
}

/// What an export wrote, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub summary: ExportSummary,
    /// The folder or the `.zip` file written.
    pub target: PathBuf,
    pub zip: bool,
    /// Bytes written (the files, or the zip).
    pub bytes: u64,
}

/// Whether `out` names a zip file (by its extension).
pub fn is_zip(out: &Path) -> bool {
    out.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// The closings whose business day lies in `from..=to`, by Z number.
pub fn closings_in(
    journal: &Journal,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<i64>, JournalError> {
    Ok(journal
        .closings()?
        .into_iter()
        .filter(|c| business_day(&c.closed_at).is_ok_and(|d| (from..=to).contains(&d)))
        .map(|c| c.z_number)
        .collect())
}

/// Exports `from..=to` into `out`: a folder (created, or an empty one) or,
/// where `out` ends in `.zip`, a zip file of the same files.
pub fn export_to(
    journal: &Journal,
    from: NaiveDate,
    to: NaiveDate,
    cashpoint: &Cashpoint,
    out: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Exported, PackageError> {
    if from > to {
        return Err(PackageError::BadRange { from, to });
    }
    if closings_in(journal, from, to)?.is_empty() {
        return Err(PackageError::NoClosing { from, to });
    }
    let zip = is_zip(out);
    if taken(out).map_err(|source| io_error(out, source))? {
        return Err(PackageError::NotEmpty(out.to_path_buf()));
    }
    // The files go into the folder itself, or into a hidden one beside the
    // zip that is removed once the zip is complete.
    let dir = if zip {
        staging_dir(out)
    } else {
        out.to_path_buf()
    };
    let existed = dir.exists();
    let result = write(journal, from, to, cashpoint, &dir, out, zip, progress);
    if zip || (result.is_err() && !existed) {
        let _ = std::fs::remove_dir_all(&dir);
    } else if result.is_err() {
        // An empty folder was given: empty it again.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    if result.is_err() && zip {
        let _ = std::fs::remove_file(partial(out));
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn write(
    journal: &Journal,
    from: NaiveDate,
    to: NaiveDate,
    cashpoint: &Cashpoint,
    dir: &Path,
    out: &Path,
    zip: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Exported, PackageError> {
    let summary =
        export_with_progress(journal, from, to, cashpoint, dir, progress).map_err(|e| match e {
            ExportError::Write(WriteError::Io(source)) => io_error(out, source),
            ExportError::Journal(j) => PackageError::Journal(j),
            other => PackageError::Export(other),
        })?;
    let bytes = if zip {
        let part = partial(out);
        zip_folder(dir, &part).map_err(|source| io_error(out, source))?;
        std::fs::rename(&part, out).map_err(|source| io_error(out, source))?;
        std::fs::metadata(out)
            .map_err(|source| io_error(out, source))?
            .len()
    } else {
        folder_size(dir).map_err(|source| io_error(out, source))?
    };
    Ok(Exported {
        summary,
        target: out.to_path_buf(),
        zip,
        bytes,
    })
}

/// A file that exists, or a folder that is not empty.
fn taken(out: &Path) -> io::Result<bool> {
    match std::fs::metadata(out) {
        Ok(m) if m.is_dir() => Ok(std::fs::read_dir(out)?.next().is_some()),
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn staging_dir(zip: &Path) -> PathBuf {
    let name = zip
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    zip.with_file_name(format!(".{name}.files"))
}

fn partial(zip: &Path) -> PathBuf {
    let name = zip
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    zip.with_file_name(format!(".{name}.part"))
}

fn is_disk_full(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
}

fn io_error(out: &Path, source: io::Error) -> PackageError {
    if is_disk_full(&source) {
        PackageError::DiskFull(out.to_path_buf())
    } else {
        PackageError::Io {
            path: out.to_path_buf(),
            source,
        }
    }
}

fn folder_size(dir: &Path) -> io::Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        total += e?.metadata()?.len();
    }
    Ok(total)
}

/// Every file of `dir` (flat) into the zip `to`, deflated, in name order.
fn zip_folder(dir: &Path, to: &Path) -> io::Result<()> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    names.sort();
    let mut zip = zip::ZipWriter::new(BufWriter::new(File::create(to)?));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for path in names {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        zip.start_file(name, options).map_err(zip_io)?;
        io::copy(&mut File::open(&path)?, &mut zip)?;
    }
    let file = zip.finish().map_err(zip_io)?;
    file.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// The zip crate's error as the I/O error it carries (a full disk stays one).
fn zip_io(e: zip::result::ZipError) -> io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => io::Error::other(other),
    }
}
