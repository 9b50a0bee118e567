//! The CSV format German spreadsheets write: `;` between fields, decimal comma,
//! UTF-8 (with or without BOM) or Windows-1252, CRLF or LF, quotes around fields
//! that hold a `;`. Columns are found by their header, in any order.
//!
//! This module reads a file into rows of text and writes the export; what the
//! rows mean for the catalogue is decided in [`crate::import`].

use serde::{Deserialize, Serialize};
use till::money::{Cents, VatRate};

use crate::articles::{Article, Unit};
use crate::error::{CatalogError, Result};
use crate::groups::Group;
use crate::text::fold;
use crate::Catalog;

/// The columns of an article list; the first name of each is the one the export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Number,
    Ean,
    Text,
    Price,
    Unit,
    Vat,
    Group,
    OpenPrice,
    Active,
}

/// Header names per column, German first, then English and common spellings.
/// Compared after folding and dropping everything but letters and digits.
pub const HEADERS: &[(Column, &[&str])] = &[
    (
        Column::Number,
        &[
            "Artikelnummer",
            "Art.-Nr.",
            "ArtNr",
            "Nummer",
            "PLU",
            "article number",
            "number",
            "item number",
            "sku",
        ],
    ),
    (
        Column::Ean,
        &["EAN", "EANs", "GTIN", "Barcode", "Strichcode"],
    ),
    (
        Column::Text,
        &[
            "Bezeichnung",
            "Artikeltext",
            "Artikelbezeichnung",
            "Text",
            "Name",
            "Beschreibung",
            "description",
            "article text",
        ],
    ),
    (
        Column::Price,
        &[
            "Preis",
            "Preis brutto",
            "Bruttopreis",
            "VK",
            "Verkaufspreis",
            "VK-Preis",
            "price",
            "gross price",
            "sales price",
        ],
    ),
    (Column::Unit, &["Einheit", "Mengeneinheit", "unit"]),
    (
        Column::Vat,
        &[
            "MwSt",
            "MwSt-Satz",
            "MwSt %",
            "USt",
            "USt-Satz",
            "Steuersatz",
            "VAT",
            "VAT rate",
            "tax",
            "tax rate",
        ],
    ),
    (
        Column::Group,
        &[
            "Warengruppe",
            "WG",
            "Warengruppen-Nr",
            "group",
            "product group",
            "category",
        ],
    ),
    (
        Column::OpenPrice,
        &["Offener Preis", "Preis offen", "Preiseingabe", "open price"],
    ),
    (Column::Active, &["Aktiv", "active", "enabled"]),
];

/// Which encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
}

/// Valid UTF-8 (a BOM is dropped) is read as UTF-8, anything else as Windows-1252,
/// which every byte sequence is: old Excel versions and merchandise systems write it.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if let Ok(s) = std::str::from_utf8(rest) {
            return (s.to_string(), Encoding::Utf8Bom);
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), Encoding::Utf8),
        Err(_) => {
            let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (s.into_owned(), Encoding::Windows1252)
        }
    }
}

fn header_key(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

pub fn column_for(header: &str) -> Option<Column> {
    let key = header_key(header);
    HEADERS
        .iter()
        .find(|(_, names)| names.iter().any(|n| header_key(n) == key))
        .map(|(c, _)| *c)
}

/// One data line of the file: its line number and its fields by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub line: u64,
    fields: Vec<(Column, String)>,
}

impl RawRow {
    /// The field of `column`; `None` when the file has no such column.
    pub fn get(&self, column: Column) -> Option<&str> {
        self.fields
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v.as_str())
    }
}

/// A file read into rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub encoding: Encoding,
    pub columns: Vec<Column>,
    /// Headers no column is known by; their fields are not read.
    pub ignored_columns: Vec<String>,
    pub rows: Vec<RawRow>,
}

/// The largest file an import reads (about 100,000 articles).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// Reads a file. Semicolons separate fields; a file whose first line has none but has
/// tabs or commas is read with those. Blank lines and lines of empty fields are skipped.
pub fn read(bytes: &[u8]) -> Result<Sheet> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(CatalogError::BadFile(format!(
            "the file is larger than {} MB",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let (text, encoding) = decode(bytes);
    // The csv reader counts a CRLF's line from its `\n`, one line behind the
    // record it starts: spreadsheets write CRLF, and bad lines must be named
    // by the number the shop owner sees in the editor.
    let text = if text.contains("\r\n") {
        text.replace("\r\n", "\n")
    } else {
        text
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') {
        b';'
    } else if first.contains('\t') {
        b'\t'
    } else if first.contains(',') {
        b','
    } else {
        b';'
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| CatalogError::BadFile(e.to_string()))?
        .clone();
    let mut by_index: Vec<Option<Column>> = Vec::new();
    let mut columns = Vec::new();
    let mut ignored_columns = Vec::new();
    for h in headers.iter() {
        match column_for(h) {
            Some(c) if !columns.contains(&c) => {
                columns.push(c);
                by_index.push(Some(c));
            }
            Some(_) => {
                return Err(CatalogError::BadFile(format!(
                    "the column {h:?} appears twice"
                )));
            }
            None => {
                if !h.is_empty() {
                    ignored_columns.push(h.to_string());
                }
                by_index.push(None);
            }
        }
    }
    for required in [Column::Number, Column::Text, Column::Price] {
        if !columns.contains(&required) {
            return Err(CatalogError::BadFile(format!(
                "the column {} is missing (the first line must name the columns, e.g. {})",
                header_name(required),
                "Artikelnummer;EAN;Bezeichnung;Preis;MwSt"
            )));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CatalogError::BadFile(e.to_string()))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut fields: Vec<(Column, String)> =
            columns.iter().map(|c| (*c, String::new())).collect();
        for (i, value) in record.iter().enumerate() {
            if let Some(Some(c)) = by_index.get(i) {
                if let Some(f) = fields.iter_mut().find(|(fc, _)| fc == c) {
                    f.1 = value.to_string();
                }
            }
        }
        rows.push(RawRow { line, fields });
    }
    Ok(Sheet {
        encoding,
        columns,
        ignored_columns,
        rows,
    })
}

pub fn header_name(c: Column) -> &'static str {
    HEADERS
        .iter()
        .find(|(x, _)| *x == c)
        .map_or("?", |(_, names)| names[0])
}

/// A gross price as spreadsheets write it: "2,50", "1.234,56", "2,5", "3", "2,50 €";
/// also "2.50" (a point before one or two digits cannot be a thousands separator).
pub fn parse_price(s: &str) -> Option<Cents> {
    let s = s.trim().trim_end_matches("EUR").trim_matches('€').trim();
    let (int, frac) = match s.rsplit_once(',') {
        Some((int, frac)) => (int, frac),
        None => match s.rsplit_once('.') {
            Some((int, frac)) if frac.len() <= 2 && !int.contains('.') => (int, frac),
            _ => (s, ""),
        },
    };
    if int.is_empty() || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut groups = int.split('.');
    let head = groups.next()?;
    if head.is_empty() || !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut euros: i64 = head.parse().ok()?;
    for g in groups {
        // thousands separators: every group after the first has three digits
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) || head.len() > 3 {
            return None;
        }
        euros = euros.checked_mul(1000)?.checked_add(g.parse().ok()?)?;
    }
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    euros.checked_mul(100)?.checked_add(cents).map(Cents)
}

/// "1234,56": the export's form, no thousands separators.
pub fn format_price(c: Cents) -> String {
    let sign = if c.0 < 0 { "-" } else { "" };
    let abs = c.0.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

/// "19", "19 %", "19,0", "7%", "0".
pub fn parse_vat(s: &str) -> Option<VatRate> {
    let hundredths = parse_price(s.trim().trim_end_matches('%'))?;
    if hundredths.0 % 100 != 0 {
        return None;
    }
    VatRate::from_percent(hundredths.0 / 100)
}

/// "ja"/"nein" and friends; `None` when it is neither.
pub fn parse_flag(s: &str) -> Option<bool> {
    match fold(s).as_str() {
        "ja" | "j" | "yes" | "y" | "1" | "x" | "true" | "wahr" => Some(true),
        "nein" | "n" | "no" | "0" | "" | "false" | "falsch" | "-" => Some(false),
        _ => None,
    }
}

pub fn parse_unit(s: &str) -> Option<Unit> {
    match fold(s).trim_end_matches('.') {
        "" | "stueck" | "stk" | "st" | "piece" | "pc" | "pcs" | "each" => Some(Unit::Piece),
        "kg" | "kilogramm" | "kilo" | "kilogram" => Some(Unit::Kg),
        _ => None,
    }
}

/// The EANs of a field: separated by commas, spaces or `|`.
pub fn split_eans(s: &str) -> Vec<String> {
    s.split([',', ' ', '|', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "ja"
    } else {
        "nein"
    }
}

impl Catalog {
    /// Every article (deactivated ones with Aktiv = nein) as UTF-8 with BOM, `;`, decimal
    /// comma and CRLF: what Excel and LibreOffice open as they are, and what `preview_import`
    /// reads back unchanged.
    pub fn export_csv(&self) -> Result<Vec<u8>> {
        let groups: Vec<Group> = self.groups()?;
        let mut out = b"\xEF\xBB\xBF".to_vec();
        {
            let mut w = csv::WriterBuilder::new()
                .delimiter(b';')
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut out);
            let columns = HEADERS.iter().map(|(c, _)| *c);
            w.write_record(columns.clone().map(header_name))
                .map_err(|e| CatalogError::BadFile(e.to_string()))?;
            for a in self.all_articles()? {
                let group = a
                    .group
                    .and_then(|id| groups.iter().find(|g| g.id == id))
                    .map_or("", |g| g.code.as_str());
                let record = columns.clone().map(|c| field(&a, c, group));
                w.write_record(record)
                    .map_err(|e| CatalogError::BadFile(e.to_string()))?;
            }
            w.flush()
                .map_err(|e| CatalogError::BadFile(e.to_string()))?;
        }
        Ok(out)
    }
}

fn field(a: &Article, c: Column, group: &str) -> String {
    match c {
        Column::Number => a.number.clone(),
        Column::Ean => a.eans.join(","),
        Column::Text => a.text.clone(),
        Column::Price => format_price(a.price),
        Column::Unit => match a.unit {
            Unit::Piece => "Stück".into(),
            Unit::Kg => "kg".into(),
        },
        Column::Vat => a.vat.percent().to_string(),
        Column::Group => group.into(),
        Column::OpenPrice => yes_no(a.open_price).into(),
        Column::Active => yes_no(a.active).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_as_spreadsheets_write_them() {
        let ok = [
            ("2,50", 250),
            ("1.234,56", 123_456),
            ("2,5", 250),
            ("3", 300),
            ("0,99 €", 99),
            ("€ 12,00", 1200),
            ("2.50", 250),
            ("1.234", 123_400),
            ("1.234.567,89", 123_456_789),
            ("0", 0),
        ];
        for (text, cents) in ok {
            assert_eq!(parse_price(text), Some(Cents(cents)), "{text}");
        }
        for bad in [
            "",
            "abc",
            "2,505",
            "-1,00",
            "1.23.4",
            "12.34.567",
            "1,2,3",
            "2,5x",
            ",50",
            "1234.567,00",
        ] {
            assert_eq!(parse_price(bad), None, "{bad}");
        }
        assert_eq!(format_price(Cents(123_456)), "1234,56");
        assert_eq!(format_price(Cents(5)), "0,05");
    }

    #[test]
    fn vat_rates_flags_and_units() {
        assert_eq!(parse_vat("19"), Some(VatRate::Standard));
        assert_eq!(parse_vat("19 %"), Some(VatRate::Standard));
        assert_eq!(parse_vat("7,0"), Some(VatRate::Reduced));
        assert_eq!(parse_vat("0%"), Some(VatRate::Zero));
        assert_eq!(parse_vat("16"), None);
        assert_eq!(parse_vat("7,5"), None);
        assert_eq!(parse_flag("Ja"), Some(true));
        assert_eq!(parse_flag("NEIN"), Some(false));
        assert_eq!(parse_flag("vielleicht"), None);
        assert_eq!(parse_unit("Stück"), Some(Unit::Piece));
        assert_eq!(parse_unit("Stk."), Some(Unit::Piece));
        assert_eq!(parse_unit("KG"), Some(Unit::Kg));
        assert_eq!(parse_unit("Liter"), None);
    }

    #[test]
    fn headers_in_german_english_and_odd_spellings() {
        assert_eq!(column_for("Artikelnummer"), Some(Column::Number));
        assert_eq!(column_for("Art.-Nr."), Some(Column::Number));
        assert_eq!(column_for(" MwSt. % "), Some(Column::Vat));
        assert_eq!(column_for("OFFENER PREIS"), Some(Column::OpenPrice));
        assert_eq!(column_for("Gross Price"), Some(Column::Price));
        assert_eq!(column_for("Lieferant"), None);
    }
}
