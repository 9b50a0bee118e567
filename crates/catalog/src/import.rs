//! Importing an article list in two steps: `preview_import` says what would change and
//! names every bad line; `apply_import` writes the good rows in one transaction.
//!
//! Rows are matched by article number (upsert). A row that equals the stored article is
//! unchanged: importing the same file twice writes nothing, no revision, no event.
//! A column the file does not have keeps the stored value (a price list of
//! Artikelnummer;Bezeichnung;Preis leaves EANs, groups and VAT rates as they are).

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use till::money::VatRate;
use uuid::Uuid;

use crate::articles::{
    self, Article, ArticleDraft, SearchIndex, Unit, MAX_NUMBER, MAX_PRICE, MAX_TEXT,
};
use crate::changes::{Actor, ChangeEvent, FieldChange};
use crate::codes::{self, CodeError};
use crate::csv_io::{self, Column, Encoding, RawRow};
use crate::error::{CatalogError, Result};
use crate::groups::{self, Group, GroupDraft, MAX_CODE, MAX_NAME};
use crate::text::{char_len, fold};
use crate::Catalog;

/// What is wrong with one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum LineProblem {
    #[error("the article number is missing")]
    MissingNumber,
    #[error("the article number is longer than {max} characters")]
    NumberTooLong { max: usize },
    #[error("the text (Bezeichnung) is missing")]
    MissingText,
    #[error("the text is longer than {max} characters")]
    TextTooLong { max: usize },
    #[error("the price {value:?} is not a number like 2,50")]
    PriceNotANumber { value: String },
    #[error("the price {value:?} is above 1.000.000,00 €")]
    PriceTooLarge { value: String },
    #[error("the VAT rate {value:?} is not one of 19, 7 or 0")]
    UnknownVat { value: String },
    #[error("there is no VAT rate, and no product group to take one from")]
    NoVat,
    #[error("there is no product group {value:?}")]
    UnknownGroup { value: String },
    #[error("{error}")]
    InvalidEan { error: CodeError },
    #[error("the EAN {ean} is a scale label that does not fit the unit (weight labels need kg)")]
    LabelUnit { ean: String },
    #[error("the unit {value:?} is not Stück or kg")]
    UnknownUnit { value: String },
    #[error("{column} is {value:?}, not ja or nein")]
    NotYesNo { column: String, value: String },
    #[error("the article number is also on line {line}")]
    DuplicateNumber { line: u64 },
    #[error("the EAN {ean} is also on line {line}")]
    DuplicateEanInFile { ean: String, line: u64 },
    #[error("the EAN {ean} belongs to the article {number}")]
    EanOfOtherArticle { ean: String, number: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct BadLine {
    pub line: u64,
    /// The article number the line has, if any.
    pub number: String,
    pub problems: Vec<LineProblem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    New,
    Changed,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportRow {
    pub line: u64,
    pub kind: RowKind,
    pub draft: ArticleDraft,
    /// The stored article's id and revision the preview compared with.
    pub existing: Option<(Uuid, i64)>,
    /// What changes (for a new article: every field).
    pub fields: Vec<FieldChange>,
}

/// A product group the file names that the catalogue does not have yet: the import
/// creates it (its number and name are what the file says; its default VAT rate is
/// that of its first line that gives one, its colour one of a palette). Its lines
/// need a VAT rate of their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NewGroup {
    pub id: Uuid,
    pub draft: GroupDraft,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportPreview {
    pub encoding: Encoding,
    pub ignored_columns: Vec<String>,
    pub new_groups: Vec<NewGroup>,
    /// The good rows, in file order.
    pub rows: Vec<ImportRow>,
    pub bad: Vec<BadLine>,
}

impl ImportPreview {
    pub fn count(&self, kind: RowKind) -> usize {
        self.rows.iter().filter(|r| r.kind == kind).count()
    }
}

/// What `apply_import` does when the preview has bad lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ApplyMode {
    /// Refuse the whole file while any line is bad (the default a screen offers first).
    AllOrNothing,
    /// Import the good lines and leave the bad ones out: the caller asked for it explicitly.
    GoodLinesOnly,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportOutcome {
    pub created: usize,
    pub changed: usize,
    pub groups_created: usize,
    pub unchanged: usize,
    pub skipped_bad_lines: usize,
    pub events: Vec<ChangeEvent>,
}

/// A line read into a draft, or its problems.
struct Parsed {
    line: u64,
    number: String,
    draft: Option<ArticleDraft>,
    problems: Vec<LineProblem>,
}

fn find_group<'a>(groups: &'a [Group], value: &str) -> Option<&'a Group> {
    groups
        .iter()
        .find(|g| g.code == value)
        .or_else(|| groups.iter().find(|g| fold(&g.name) == fold(value)))
}

/// One line: every field checked, every problem named (not just the first).
fn parse_row(row: &RawRow, existing: Option<&Article>, groups: &[Group]) -> Parsed {
    let mut problems = Vec::new();
    let get = |c| row.get(c);
    let number = get(Column::Number).unwrap_or("").trim().to_string();
    if number.is_empty() {
        problems.push(LineProblem::MissingNumber);
    } else if char_len(&number) > MAX_NUMBER {
        problems.push(LineProblem::NumberTooLong { max: MAX_NUMBER });
    }
    let text = get(Column::Text).unwrap_or("").trim().to_string();
    if text.is_empty() {
        problems.push(LineProblem::MissingText);
    } else if char_len(&text) > MAX_TEXT {
        problems.push(LineProblem::TextTooLong { max: MAX_TEXT });
    }
    let price_text = get(Column::Price).unwrap_or("");
    let price = csv_io::parse_price(price_text);
    match price {
        None => problems.push(LineProblem::PriceNotANumber {
            value: price_text.into(),
        }),
        Some(p) if p > MAX_PRICE => problems.push(LineProblem::PriceTooLarge {
            value: price_text.into(),
        }),
        _ => {}
    }
    let unit = match get(Column::Unit) {
        None => Some(existing.map_or(Unit::Piece, |a| a.unit)),
        Some(v) => csv_io::parse_unit(v).or_else(|| {
            problems.push(LineProblem::UnknownUnit { value: v.into() });
            None
        }),
    };
    let group = match get(Column::Group) {
        None => Some(existing.and_then(|a| a.group)),
        Some("") => Some(None),
        Some(v) => match find_group(groups, v) {
            Some(g) => Some(Some(g.id)),
            None => {
                problems.push(LineProblem::UnknownGroup { value: v.into() });
                None
            }
        },
    };
    // a group the import creates (revision 0) has no default to give yet: its default
    // is taken from its lines, not the other way round
    let group_vat = || {
        let id = group.flatten()?;
        groups
            .iter()
            .find(|g| g.id == id && g.revision > 0)
            .map(|g| g.default_vat)
    };
    let vat = match get(Column::Vat).map(str::trim) {
        None | Some("") => existing.map(|a| a.vat).or_else(group_vat),
        Some(v) => csv_io::parse_vat(v).or_else(|| {
            problems.push(LineProblem::UnknownVat { value: v.into() });
            None
        }),
    };
    if vat.is_none()
        && group.is_some()
        && !problems
            .iter()
            .any(|p| matches!(p, LineProblem::UnknownVat { .. }))
    {
        problems.push(LineProblem::NoVat);
    }
    let mut flag = |c: Column, default: bool| match get(c) {
        None => default,
        Some("") if c == Column::Active => true,
        Some(v) => csv_io::parse_flag(v).unwrap_or_else(|| {
            problems.push(LineProblem::NotYesNo {
                column: csv_io::header_name(c).into(),
                value: v.into(),
            });
            default
        }),
    };
    let open_price = flag(Column::OpenPrice, existing.is_some_and(|a| a.open_price));
    let active = flag(Column::Active, existing.is_none_or(|a| a.active));
    let eans = match get(Column::Ean) {
        None => existing.map(|a| a.eans.clone()).unwrap_or_default(),
        Some(v) => csv_io::split_eans(v),
    };
    let mut normalized = Vec::new();
    for ean in &eans {
        match codes::normalize(ean) {
            Ok(n) => normalized.push(n),
            Err(error) => problems.push(LineProblem::InvalidEan { error }),
        }
    }
    let draft = match (problems.is_empty(), price, unit, vat, group) {
        (true, Some(price), Some(unit), Some(vat), Some(group)) => {
            let draft = ArticleDraft {
                number: number.clone(),
                eans: normalized,
                text,
                price,
                unit,
                vat,
                group,
                open_price,
                active,
            };
            match draft.checked() {
                Ok(d) => Some(d),
                Err(CatalogError::LabelUnit(ean)) => {
                    problems.push(LineProblem::LabelUnit { ean });
                    None
                }
                Err(_) => None, // every other rule was checked above, field by field
            }
        }
        _ => None,
    };
    Parsed {
        line: row.line,
        number,
        draft,
        problems,
    }
}

/// Colours for groups an import creates, in turn.
const PALETTE: [&str; 8] = [
    "#1E88E5", "#43A047", "#FB8C00", "#8E24AA", "#E53935", "#00ACC1", "#6D4C41", "#757575",
];

/// The groups the file names that neither exist by number nor by name.
fn new_groups(rows: &[RawRow], groups: &[Group]) -> Vec<NewGroup> {
    let mut out: Vec<Pending> = Vec::new();
    for row in rows {
        let Some(value) = row
            .get(Column::Group)
            .map(str::trim)
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        let vat = row.get(Column::Vat).and_then(csv_io::parse_vat);
        if let Some(known) = out.iter_mut().find(|n| n.group.draft.code == value) {
            if known.vat_from_line.is_none() && vat.is_some() {
                known.vat_from_line = vat;
                known.group.draft.default_vat = vat.unwrap_or(VatRate::Standard);
            }
            continue;
        }
        if find_group(groups, value).is_some() || char_len(value) > MAX_CODE.min(MAX_NAME) {
            continue; // too long a name stays an unknown group: a line problem
        }
        let colour = PALETTE[(groups.len() + out.len()) % PALETTE.len()];
        out.push(Pending {
            group: NewGroup {
                id: Uuid::new_v4(),
                draft: GroupDraft::new(value, value, vat.unwrap_or(VatRate::Standard), colour),
            },
            vat_from_line: vat,
        });
    }
    out.into_iter().map(|p| p.group).collect()
}

struct Pending {
    group: NewGroup,
    vat_from_line: Option<VatRate>,
}

impl Catalog {
    /// Reads a file and says what importing it would do; writes nothing.
    pub fn preview_import(&self, bytes: &[u8]) -> Result<ImportPreview> {
        let sheet = csv_io::read(bytes)?;
        let mut groups = self.groups()?;
        let new_groups = new_groups(&sheet.rows, &groups);
        groups.extend(new_groups.iter().map(|n| Group {
            id: n.id,
            code: n.draft.code.clone(),
            name: n.draft.name.clone(),
            default_vat: n.draft.default_vat,
            colour: n.draft.colour.clone(),
            active: true,
            revision: 0,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }));
        let stored: HashMap<String, Article> = self
            .all_articles()?
            .into_iter()
            .map(|a| (a.number.clone(), a))
            .collect();
        let mut parsed: Vec<Parsed> = sheet
            .rows
            .iter()
            .map(|row| {
                let number = row.get(Column::Number).unwrap_or("").trim();
                parse_row(row, stored.get(number), &groups)
            })
            .collect();

        // the same number or EAN twice in the file: the later line is bad
        let mut numbers: HashMap<String, u64> = HashMap::new();
        let mut eans: HashMap<String, u64> = HashMap::new();
        for p in &mut parsed {
            if !p.number.is_empty() {
                if let Some(first) = numbers.get(&p.number) {
                    p.problems
                        .push(LineProblem::DuplicateNumber { line: *first });
                } else {
                    numbers.insert(p.number.clone(), p.line);
                }
            }
            for ean in p.draft.iter().flat_map(|d| d.eans.iter()) {
                if let Some(first) = eans.get(ean) {
                    p.problems.push(LineProblem::DuplicateEanInFile {
                        ean: ean.clone(),
                        line: *first,
                    });
                } else {
                    eans.insert(ean.clone(), p.line);
                }
            }
        }

        // EANs of other stored articles: fine only when that article's own (good) line
        // gives the EAN up. A line found bad keeps its article's EANs, which can make
        // another line bad: repeat until nothing changes.
        let owners: HashMap<&str, &Article> = stored
            .values()
            .filter(|a| a.active)
            .flat_map(|a| a.eans.iter().map(move |e| (e.as_str(), a)))
            .collect();
        loop {
            let good: HashMap<&str, &ArticleDraft> = parsed
                .iter()
                .filter(|p| p.problems.is_empty())
                .filter_map(|p| p.draft.as_ref().map(|d| (p.number.as_str(), d)))
                .collect();
            let mut conflicts: Vec<(usize, LineProblem)> = Vec::new();
            for (i, p) in parsed.iter().enumerate() {
                let Some(d) = p
                    .draft
                    .as_ref()
                    .filter(|d| d.active && p.problems.is_empty())
                else {
                    continue;
                };
                for ean in &d.eans {
                    let Some(owner) = owners.get(ean.as_str()).filter(|o| o.number != p.number)
                    else {
                        continue;
                    };
                    let released = good
                        .get(owner.number.as_str())
                        .is_some_and(|od| !(od.active && od.eans.contains(ean)));
                    if !released {
                        conflicts.push((
                            i,
                            LineProblem::EanOfOtherArticle {
                                ean: ean.clone(),
                                number: owner.number.clone(),
                            },
                        ));
                    }
                }
            }
            if conflicts.is_empty() {
                break;
            }
            for (i, problem) in conflicts {
                parsed[i].problems.push(problem);
            }
        }

        let mut rows = Vec::new();
        let mut bad = Vec::new();
        for p in parsed {
            match p.draft {
                Some(draft) if p.problems.is_empty() => {
                    let old = stored.get(&p.number);
                    let fields = articles::diff(old, &draft).0;
                    let kind = match (old, fields.is_empty()) {
                        (None, _) => RowKind::New,
                        (Some(_), true) => RowKind::Unchanged,
                        (Some(_), false) => RowKind::Changed,
                    };
                    rows.push(ImportRow {
                        line: p.line,
                        kind,
                        draft,
                        existing: old.map(|a| (a.id, a.revision)),
                        fields,
                    });
                }
                _ => bad.push(BadLine {
                    line: p.line,
                    number: p.number,
                    problems: p.problems,
                }),
            }
        }
        // a new group only the bad lines name is not created
        let used: HashSet<Uuid> = rows
            .iter()
            .filter_map(|r: &ImportRow| r.draft.group)
            .collect();
        let new_groups = new_groups
            .into_iter()
            .filter(|g| used.contains(&g.id))
            .collect();
        Ok(ImportPreview {
            encoding: sheet.encoding,
            ignored_columns: sheet.ignored_columns,
            new_groups,
            rows,
            bad,
        })
    }

    /// Writes a preview's new and changed rows in one transaction: all of them or none.
    /// Refused while the preview has bad lines, unless `mode` is `GoodLinesOnly`; refused
    /// when the catalogue changed since the preview (preview again).
    pub fn apply_import(
        &mut self,
        preview: &ImportPreview,
        mode: ApplyMode,
        by: &Actor,
    ) -> Result<ImportOutcome> {
        if !preview.bad.is_empty() && mode == ApplyMode::AllOrNothing {
            return Err(CatalogError::ImportHasBadLines(preview.bad.len()));
        }
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // what the preview compared with must still be what is stored
        let mut before: Vec<Option<Article>> = Vec::with_capacity(preview.rows.len());
        let mut seen = HashSet::new();
        for row in &preview.rows {
            // only the rows that write need the stored article; the others only its revision
            if row.kind == RowKind::Unchanged {
                let revision: Option<(String, i64)> = tx
                    .prepare_cached("SELECT id, revision FROM articles WHERE number = ?1")?
                    .query_row([row.draft.number.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let expected = row.existing.map(|(id, rev)| (id.to_string(), rev));
                if revision != expected || !seen.insert(row.draft.number.clone()) {
                    return Err(CatalogError::ImportStale);
                }
                before.push(None);
                continue;
            }
            let current = articles::by_number(&tx, row.draft.number.trim())?;
            let same = match (&current, row.existing) {
                (None, None) => true,
                (Some(a), Some((id, revision))) => a.id == id && a.revision == revision,
                _ => false,
            };
            if !same || !seen.insert(row.draft.number.clone()) {
                return Err(CatalogError::ImportStale);
            }
            before.push(current);
        }
        // EANs that move between articles of the file: free them all first, so the
        // order of the lines does not matter
        for (row, old) in preview.rows.iter().zip(&before) {
            if let Some(old) = old.as_ref().filter(|_| row.kind == RowKind::Changed) {
                if old.eans != row.draft.eans || old.active != row.draft.active {
                    tx.prepare_cached("DELETE FROM article_eans WHERE article_id = ?1")?
                        .execute([old.id.to_string()])?;
                }
            }
        }
        let mut outcome = ImportOutcome {
            created: 0,
            changed: 0,
            groups_created: 0,
            unchanged: 0,
            skipped_bad_lines: preview.bad.len(),
            events: Vec::new(),
        };
        for g in &preview.new_groups {
            let (_, event) = groups::write(&tx, None, g.draft.clone(), by, now, g.id)?;
            outcome.groups_created += 1;
            outcome.events.extend(event);
        }
        for (row, old) in preview.rows.iter().zip(&before) {
            if row.kind == RowKind::Unchanged {
                outcome.unchanged += 1;
                continue;
            }
            let (_, event) = articles::write(
                &tx,
                old.as_ref(),
                row.draft.clone(),
                by,
                now,
                SearchIndex::RebuildLater,
            )?;
            match (old, event) {
                (None, Some(e)) => {
                    outcome.created += 1;
                    outcome.events.push(e);
                }
                (Some(_), Some(e)) => {
                    outcome.changed += 1;
                    outcome.events.push(e);
                }
                (_, None) => outcome.unchanged += 1,
            }
        }
        if outcome.created + outcome.changed > 0 {
            articles::rebuild_search_index(&tx)?;
        }
        tx.commit()?;
        Ok(outcome)
    }
}
