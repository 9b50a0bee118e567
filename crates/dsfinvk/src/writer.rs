//! The export folder: one CSV file per table of the index, in its format,
//! with `index.xml` and the DTD beside them. Every row is checked against
//! the table's definition before it is written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::definition::{self, Column, ColumnType, Table};

/// A field's value. Numbers are integers scaled by `10^decimals`: 12,34 €
/// is `Value::Decimal { units: 1234, decimals: 2 }`; never a float.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Int(i64),
    Decimal { units: i64, decimals: u8 },
}

impl Value {
    pub fn text(s: impl Into<String>) -> Self {
        Value::Text(s.into())
    }

    /// An amount of money in cents.
    pub fn cents(c: till::Cents) -> Self {
        Value::Decimal {
            units: c.0,
            decimals: 2,
        }
    }
}

/// A row: column name → value; columns left out are written empty.
pub type Row<'a> = Vec<(&'a str, Value)>;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{table}: there is no such table in index.xml")]
    UnknownTable { table: String },
    #[error("{table}, row {row}: there is no column {column}")]
    UnknownColumn {
        table: String,
        column: String,
        row: usize,
    },
    #[error("{table}, row {row}, {column}: expected {expected}, got {got:?}")]
    WrongType {
        table: String,
        column: String,
        row: usize,
        expected: String,
        got: Value,
    },
    #[error("{table}, row {row}, {column}: {len} characters, at most {max} allowed")]
    TooLong {
        table: String,
        column: String,
        row: usize,
        len: usize,
        max: usize,
    },
    #[error("{table}, row {row}: column {column} given twice")]
    Twice {
        table: String,
        column: String,
        row: usize,
    },
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
}

struct TableFile {
    table: &'static Table,
    out: BufWriter<File>,
    rows: usize,
}

/// An export being written into a folder. Every table's file is created
/// with its header at once, so that empty tables are present too.
pub struct Writer {
    dir: PathBuf,
    files: Vec<TableFile>,
}

impl Writer {
    /// Creates the folder (if needed), `index.xml`, the DTD and every
    /// table's file with its header row.
    pub fn create(dir: &Path) -> Result<Self, WriteError> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("index.xml"), definition::INDEX_XML)?;
        std::fs::write(dir.join(definition::DTD_FILE), definition::DTD)?;
        let mut files = Vec::new();
        for table in definition::official() {
            let mut out = BufWriter::new(File::create(dir.join(&table.file))?);
            let header: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
            out.write_all(header.join(&table.column_delimiter).as_bytes())?;
            out.write_all(table.record_delimiter.as_bytes())?;
            files.push(TableFile {
                table,
                out,
                rows: 0,
            });
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            files,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Checks `row` against the table (`file` or name) and appends it.
    pub fn push(&mut self, table: &str, row: &Row<'_>) -> Result<(), WriteError> {
        let file = self
            .files
            .iter_mut()
            .find(|f| f.table.file == table || f.table.name == table)
            .ok_or_else(|| WriteError::UnknownTable {
                table: table.into(),
            })?;
        let line = render(file.table, row, file.rows + 1)?;
        file.out.write_all(line.as_bytes())?;
        file.rows += 1;
        Ok(())
    }

    /// Rows written to each table so far, by file name.
    pub fn counts(&self) -> Vec<(&str, usize)> {
        self.files
            .iter()
            .map(|f| (f.table.file.as_str(), f.rows))
            .collect()
    }

    /// Flushes every file.
    pub fn finish(mut self) -> Result<PathBuf, WriteError> {
        for f in &mut self.files {
            f.out.flush()?;
            f.out.get_ref().sync_all()?;
        }
        Ok(self.dir)
    }
}

/// One record of `table`, with its delimiter at the end; `row` is 1-based
/// (the data rows, header not counted), for the error messages.
pub fn render(table: &Table, row: &Row<'_>, row_no: usize) -> Result<String, WriteError> {
    let mut fields: Vec<Option<String>> = vec![None; table.columns.len()];
    for (name, value) in row {
        let (i, column) = table
            .column(name)
            .ok_or_else(|| WriteError::UnknownColumn {
                table: table.name.clone(),
                column: (*name).into(),
                row: row_no,
            })?;
        if fields[i].is_some() {
            return Err(WriteError::Twice {
                table: table.name.clone(),
                column: (*name).into(),
                row: row_no,
            });
        }
        fields[i] = Some(field(table, column, value, row_no)?);
    }
    let mut line = fields
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect::<Vec<_>>()
        .join(&table.column_delimiter);
    line.push_str(&table.record_delimiter);
    Ok(line)
}

fn field(table: &Table, column: &Column, value: &Value, row: usize) -> Result<String, WriteError> {
    let wrong = |expected: String| WriteError::WrongType {
        table: table.name.clone(),
        column: column.name.clone(),
        row,
        expected,
        got: value.clone(),
    };
    match (column.kind, value) {
        (ColumnType::Text { max_len }, Value::Text(s)) => {
            let len = s.chars().count();
            if let Some(max) = max_len.filter(|m| len > *m) {
                return Err(WriteError::TooLong {
                    table: table.name.clone(),
                    column: column.name.clone(),
                    row,
                    len,
                    max,
                });
            }
            let q = &table.text_encapsulator;
            Ok(format!("{q}{}{q}", s.replace(q.as_str(), &q.repeat(2))))
        }
        (ColumnType::Numeric { decimals }, Value::Int(n)) => {
            Ok(decimal(*n, 0, decimals, &table.decimal_symbol)
                .ok_or_else(|| wrong(number(decimals)))?)
        }
        (ColumnType::Numeric { decimals }, Value::Decimal { units, decimals: d }) => {
            decimal(*units, *d, decimals, &table.decimal_symbol)
                .ok_or_else(|| wrong(number(decimals)))
        }
        (ColumnType::Numeric { decimals }, Value::Text(_)) => Err(wrong(number(decimals))),
        (ColumnType::Text { .. }, _) => Err(wrong("a text".into())),
    }
}

fn number(decimals: u8) -> String {
    match decimals {
        0 => "an integer".into(),
        d => format!("a number with {d} decimals"),
    }
}

/// `units / 10^from` written with exactly `to` decimals; `None` where that
/// would drop digits that are not zero (or overflow).
fn decimal(units: i64, from: u8, to: u8, symbol: &str) -> Option<String> {
    let scaled = if to >= from {
        units.checked_mul(10i64.checked_pow(u32::from(to - from))?)?
    } else {
        let div = 10i64.checked_pow(u32::from(from - to))?;
        if units % div != 0 {
            return None;
        }
        units / div
    };
    let sign = if scaled < 0 { "-" } else { "" };
    let abs = scaled.unsigned_abs();
    if to == 0 {
        return Some(format!("{sign}{abs}"));
    }
    let div = 10u64.pow(u32::from(to));
    Some(format!(
        "{sign}{}{symbol}{:0width$}",
        abs / div,
        abs % div,
        width = usize::from(to)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_with_the_columns_places_from_integers() {
        assert_eq!(decimal(1234, 2, 2, ",").unwrap(), "12,34");
        assert_eq!(decimal(-5, 2, 5, ",").unwrap(), "-0,05000");
        assert_eq!(decimal(3, 0, 3, ",").unwrap(), "3,000");
        assert_eq!(decimal(7, 0, 0, ",").unwrap(), "7");
        assert_eq!(decimal(1200, 3, 2, ",").unwrap(), "1,20");
        assert_eq!(decimal(1234, 3, 2, ","), None);
        assert_eq!(decimal(i64::MAX, 0, 5, ","), None);
    }

    #[test]
    fn texts_are_quoted_with_quotes_doubled_and_checked() {
        let t = definition::table("Bonkopf").unwrap();
        let line = render(
            t,
            &vec![
                ("BON_NOTIZ", Value::text("Sagt \"ja\"; gut")),
                ("Z_NR", Value::Int(3)),
                (
                    "UMS_BRUTTO",
                    Value::Decimal {
                        units: 199,
                        decimals: 2,
                    },
                ),
            ],
            1,
        )
        .unwrap();
        assert!(line.starts_with(";;3;"), "{line}");
        assert!(
            line.ends_with(";;1,99;;;;;;;;;\"Sagt \"\"ja\"\"; gut\"\r\n"),
            "{line}"
        );
        let err = render(t, &vec![("UMS_BRUTTO", Value::text("1,99"))], 7).unwrap_err();
        assert!(
            matches!(&err, WriteError::WrongType { table, column, row: 7, .. } if table == "Bonkopf" && column == "UMS_BRUTTO"),
            "{err}"
        );
        let err = render(t, &vec![("NOPE", Value::Int(1))], 2).unwrap_err();
        assert!(matches!(err, WriteError::UnknownColumn { row: 2, .. }));
        let err = render(t, &vec![("BON_ID", Value::text("x".repeat(41)))], 1).unwrap_err();
        assert!(matches!(err, WriteError::TooLong { max: 40, .. }), "{err}");
    }
}
