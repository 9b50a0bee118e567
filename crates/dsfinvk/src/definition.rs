//! The official table definitions: `index.xml` of the DSFinV-K, embedded as
//! published, parsed at run time, so that the tables, their file names,
//! columns, order, types and decimals come from one place.

use std::sync::OnceLock;

use quick_xml::events::Event;
use quick_xml::Reader;

/// The official `index.xml` (GDPdU description of the 20 tables).
pub const INDEX_XML: &str = include_str!("../data/index.xml");
/// The DTD `index.xml` names (`gdpdu-01-09-2004.dtd`).
pub const DTD: &str = include_str!("../data/gdpdu-01-09-2004.dtd");
/// The DTD's file name, as `index.xml` refers to it.
pub const DTD_FILE: &str = "gdpdu-01-09-2004.dtd";

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text, at most `max_len` characters where the index says so.
    Text { max_len: Option<usize> },
    /// A number with this many decimal places (0: an integer).
    Numeric { decimals: u8 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
}

/// One table as the index defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file name (`URL`), e.g. `transactions.csv`.
    pub file: String,
    /// The table's name, e.g. `Bonkopf`.
    pub name: String,
    pub columns: Vec<Column>,
    pub column_delimiter: String,
    pub record_delimiter: String,
    pub text_encapsulator: String,
    pub decimal_symbol: String,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<(usize, &Column)> {
        self.columns
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    #[error("index.xml is not readable XML: {0}")]
    Xml(#[from] quick_xml::Error),
    #[error("index.xml: {0}")]
    Shape(String),
}

/// The tables of the embedded official `index.xml`, in its order.
pub fn official() -> &'static [Table] {
    static TABLES: OnceLock<Vec<Table>> = OnceLock::new();
    TABLES.get_or_init(|| parse(INDEX_XML).expect("the embedded index.xml is the official one"))
}

/// Looks a table up by its file name (`transactions.csv`) or its name (`Bonkopf`).
pub fn table(key: &str) -> Option<&'static Table> {
    official().iter().find(|t| t.file == key || t.name == key)
}

#[derive(Default)]
struct ColumnDraft {
    name: Option<String>,
    numeric: bool,
    text: bool,
    decimals: Option<u8>,
    max_len: Option<usize>,
}

#[derive(Default)]
struct TableDraft {
    file: Option<String>,
    name: Option<String>,
    columns: Vec<Column>,
    column_delimiter: Option<String>,
    record_delimiter: Option<String>,
    text_encapsulator: Option<String>,
    decimal_symbol: Option<String>,
}

/// Parses a GDPdU `index.xml` into its tables.
pub fn parse(xml: &str) -> Result<Vec<Table>, DefinitionError> {
    let shape = |m: String| DefinitionError::Shape(m);
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut tables = Vec::new();
    let mut table: Option<TableDraft> = None;
    let mut column: Option<ColumnDraft> = None;
    loop {
        match reader.read_event()? {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                match name.as_str() {
                    "Table" => table = Some(TableDraft::default()),
                    "VariableColumn" | "VariablePrimaryKey" => {
                        column = Some(ColumnDraft::default())
                    }
                    "Numeric" => {
                        if let Some(c) = column.as_mut() {
                            c.numeric = true
                        }
                    }
                    _ => {}
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(e) => match e.name().as_ref() {
                "Numeric" => {
                    if let Some(c) = column.as_mut() {
                        c.numeric = true
                    }
                }
                "AlphaNumeric" => {
                    if let Some(c) = column.as_mut() {
                        c.text = true
                    }
                }
                "Date" => return Err(shape("Date columns are not supported".into())),
                _ => {}
            },
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref()? {
                Some(c) => text.push(c),
                None => text.push(match r.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => return Err(shape(format!("unknown entity &{other};"))),
                }),
            },
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text);
                let parent = path.last().map(String::as_str);
                if let Some(c) = column.as_mut() {
                    match (name.as_str(), parent) {
                        ("Name", Some("VariableColumn" | "VariablePrimaryKey")) => {
                            c.name = Some(value.clone())
                        }
                        ("Accuracy", _) => {
                            c.decimals = Some(value.trim().parse().map_err(|_| {
                                shape(format!("Accuracy {value:?} is not a number"))
                            })?)
                        }
                        ("MaxLength", _) => {
                            c.max_len = Some(value.trim().parse().map_err(|_| {
                                shape(format!("MaxLength {value:?} is not a number"))
                            })?)
                        }
                        _ => {}
                    }
                }
                if let Some(t) = table.as_mut() {
                    match (name.as_str(), parent) {
                        ("URL", Some("Table")) => t.file = Some(value),
                        ("Name", Some("Table")) => t.name = Some(value),
                        ("DecimalSymbol", _) => t.decimal_symbol = Some(value),
                        ("ColumnDelimiter", _) => t.column_delimiter = Some(value),
                        ("RecordDelimiter", _) => t.record_delimiter = Some(value),
                        ("TextEncapsulator", _) => t.text_encapsulator = Some(value),
                        _ => {}
                    }
                }
                match name.as_str() {
                    "VariableColumn" | "VariablePrimaryKey" => {
                        let c = column.take().ok_or_else(|| shape("stray column".into()))?;
                        let t = table
                            .as_mut()
                            .ok_or_else(|| shape("column outside a table".into()))?;
                        let name = c
                            .name
                            .ok_or_else(|| shape("a column without a name".into()))?;
                        let kind = match (c.numeric, c.text) {
                            (true, false) => ColumnType::Numeric {
                                decimals: c.decimals.unwrap_or(0),
                            },
                            (false, true) => ColumnType::Text { max_len: c.max_len },
                            _ => return Err(shape(format!("column {name} has no single type"))),
                        };
                        t.columns.push(Column { name, kind });
                    }
                    "Table" => {
                        let t = table.take().ok_or_else(|| shape("stray table".into()))?;
                        let file = t.file.ok_or_else(|| shape("a table without URL".into()))?;
                        tables.push(Table {
                            name: t.name.unwrap_or_else(|| file.clone()),
                            file,
                            columns: t.columns,
                            column_delimiter: t.column_delimiter.unwrap_or_else(|| ";".into()),
                            record_delimiter: t.record_delimiter.unwrap_or_else(|| "\r\n".into()),
                            text_encapsulator: t.text_encapsulator.unwrap_or_else(|| "\"".into()),
                            decimal_symbol: t.decimal_symbol.unwrap_or_else(|| ",".into()),
                        });
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_index_has_twenty_tables_with_their_formats() {
        let tables = official();
        assert_eq!(tables.len(), 20);
        let bonkopf = table("transactions.csv").unwrap();
        assert_eq!(bonkopf.name, "Bonkopf");
        assert_eq!(bonkopf.columns.len(), 23);
        assert_eq!(bonkopf.columns[3].name, "BON_ID");
        assert_eq!(
            bonkopf.column("UMS_BRUTTO").unwrap().1.kind,
            ColumnType::Numeric { decimals: 2 }
        );
        assert_eq!(
            bonkopf.column("BON_ID").unwrap().1.kind,
            ColumnType::Text { max_len: Some(40) }
        );
        assert_eq!(
            table("Bonpos").unwrap().column("MENGE").unwrap().1.kind,
            ColumnType::Numeric { decimals: 3 }
        );
        for t in tables {
            assert_eq!(t.record_delimiter, "\r\n", "{}", t.file);
            assert_eq!(t.column_delimiter, ";");
            assert_eq!(t.text_encapsulator, "\"");
            assert_eq!(t.decimal_symbol, ",");
            assert_eq!(t.columns[0].name, "Z_KASSE_ID");
        }
    }
}
