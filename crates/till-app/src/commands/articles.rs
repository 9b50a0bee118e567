//! The back office's articles and product groups: list, create, change,
//! deactivate; CSV import (preview, then all or nothing) and export. Every
//! change needs a manager (`Action::Catalogue`) and is journaled.

use catalog::{
    Action, Actor, ApplyMode, Article, ArticleDraft, Catalog, Filter, Group, GroupDraft,
    ImportPreview,
};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::cashier::authorise;
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// The most rows of a preview the screen shows (the counts cover all).
const PREVIEW_ROWS: usize = 100;

/// Who a change is made by: the logged-in cashier, after the rights check.
fn allowed(state: &AppState, manager_pin: Option<&str>) -> Result<Actor, CommandError> {
    let auth = authorise(state, Action::Catalogue, till::Cents::ZERO, manager_pin)?;
    let me = state.cashier()?;
    // A manager's PIN on the spot: the change is the manager's, at this cashier's till.
    Ok(match auth {
        Some(a) => Actor::cashier(a.manager_id, &a.manager_name),
        None => me.actor(),
    })
}

/// The article list: a search (number, EAN, text) or, with an empty query, every article.
pub fn list_articles(
    state: &AppState,
    query: &str,
    include_inactive: bool,
) -> Result<Vec<Article>, CommandError> {
    let catalog = state.catalog();
    if query.trim().is_empty() {
        return Ok(catalog
            .all_articles()?
            .into_iter()
            .filter(|a| include_inactive || a.active)
            .take(catalog::search::MAX_RESULTS as usize)
            .collect());
    }
    let filter = if include_inactive {
        Filter::All
    } else {
        Filter::Active
    };
    Ok(catalog.search(query, filter, catalog::search::MAX_RESULTS)?)
}

/// Saves an article: a new one when `id` is `None`.
pub fn save_article(
    state: &AppState,
    id: Option<Uuid>,
    draft: ArticleDraft,
    manager_pin: Option<String>,
) -> Result<Article, CommandError> {
    let by = allowed(state, manager_pin.as_deref())?;
    let article = match id {
        None => state.catalog().create_article(draft, &by)?.0,
        Some(id) => state.catalog().update_article(id, draft, &by)?.0,
    };
    state.journal_catalog_changes()?;
    Ok(article)
}

/// Deactivates (or, with `active`, brings back) an article; nothing is ever deleted.
pub fn set_article_active(
    state: &AppState,
    id: Uuid,
    active: bool,
    manager_pin: Option<String>,
) -> Result<(), CommandError> {
    let by = allowed(state, manager_pin.as_deref())?;
    if active {
        state.catalog().reactivate_article(id, &by)?;
    } else {
        state.catalog().deactivate_article(id, &by)?;
    }
    state.journal_catalog_changes()
}

/// Every product group, active or not.
pub fn groups(state: &AppState) -> Result<Vec<Group>, CommandError> {
    Ok(state.catalog().groups()?)
}

pub fn save_group(
    state: &AppState,
    id: Option<Uuid>,
    draft: GroupDraft,
    manager_pin: Option<String>,
) -> Result<Group, CommandError> {
    let by = allowed(state, manager_pin.as_deref())?;
    let group = match id {
        None => state.catalog().create_group(draft, &by)?.0,
        Some(id) => state.catalog().update_group(id, draft, &by)?.0,
    };
    state.journal_catalog_changes()?;
    Ok(group)
}

/// What the import screen shows of a preview: the counts, the bad lines
/// with their numbers and reasons, and the first rows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    pub encoding: catalog::csv_io::Encoding,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub new_groups: Vec<String>,
    pub ignored_columns: Vec<String>,
    pub bad: Vec<BadLineText>,
    pub rows: Vec<catalog::import::ImportRow>,
}

/// A bad line: its number in the file, its article number, and why, as
/// typed reasons with their details (column, value) that the UI words in
/// the shop's language; the command line prints them in English.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BadLineText {
    pub line: u64,
    pub number: String,
    pub problems: Vec<catalog::import::LineProblem>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportDone {
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub groups_created: usize,
    pub skipped_bad_lines: usize,
}

pub fn summary_of(p: &ImportPreview) -> ImportSummary {
    use catalog::import::RowKind;
    ImportSummary {
        encoding: p.encoding,
        new: p.count(RowKind::New),
        changed: p.count(RowKind::Changed),
        unchanged: p.count(RowKind::Unchanged),
        new_groups: p.new_groups.iter().map(|g| g.draft.name.clone()).collect(),
        ignored_columns: p.ignored_columns.clone(),
        bad: p
            .bad
            .iter()
            .map(|b| BadLineText {
                line: b.line,
                number: b.number.clone(),
                problems: b.problems.clone(),
            })
            .collect(),
        rows: p
            .rows
            .iter()
            .filter(|r| r.kind != RowKind::Unchanged)
            .take(PREVIEW_ROWS)
            .cloned()
            .collect(),
    }
}

/// Reads a CSV file and keeps its preview until it is applied or replaced.
/// Nothing is written.
pub fn import_preview(state: &AppState, bytes: Vec<u8>) -> Result<ImportSummary, CommandError> {
    let preview = state.catalog().preview_import(&bytes)?;
    let summary = summary_of(&preview);
    *state
        .pending_import
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(preview);
    Ok(summary)
}

/// Imports the previewed file in one transaction: all of it, or with
/// `good_lines_only` the good lines (the bad ones left out, as confirmed).
pub fn import_apply(
    state: &AppState,
    good_lines_only: bool,
    manager_pin: Option<String>,
) -> Result<ImportDone, CommandError> {
    let by = allowed(state, manager_pin.as_deref())?;
    let preview = state
        .pending_import
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::ImportStale,
                "Choose the file again: there is no preview.",
            )
        })?;
    let done = apply(&mut state.catalog(), &preview, good_lines_only, &by)?;
    state.journal_catalog_changes()?;
    Ok(done)
}

/// Applies a preview (the screen and the command line alike).
pub fn apply(
    catalog: &mut Catalog,
    preview: &ImportPreview,
    good_lines_only: bool,
    by: &Actor,
) -> Result<ImportDone, CommandError> {
    let mode = if good_lines_only {
        ApplyMode::GoodLinesOnly
    } else {
        ApplyMode::AllOrNothing
    };
    let out = catalog.apply_import(preview, mode, by)?;
    Ok(ImportDone {
        created: out.created,
        changed: out.changed,
        unchanged: out.unchanged,
        groups_created: out.groups_created,
        skipped_bad_lines: out.skipped_bad_lines,
    })
}

/// The articles as a CSV file (UTF-8 with BOM, `;`, decimal comma).
pub fn export_articles(state: &AppState) -> Result<Vec<u8>, CommandError> {
    Ok(state.catalog().export_csv()?)
}

/// The command line's import: the preview printed, then (unless `dry_run`)
/// the good lines imported in one transaction. The journal takes the changes
/// at the till's next start. Returns the report and whether anything could be imported.
pub fn import_file(
    catalog: &mut Catalog,
    bytes: &[u8],
    dry_run: bool,
) -> Result<(String, bool), CommandError> {
    let preview = catalog.preview_import(bytes)?;
    let s = summary_of(&preview);
    let mut out = format!(
        "{} new, {} changed, {} unchanged, {}{}\n",
        s.new,
        s.changed,
        s.unchanged,
        counted(s.bad.len(), "bad line", "bad lines"),
        if s.new_groups.is_empty() {
            String::new()
        } else {
            format!("; new groups: {}", s.new_groups.join(", "))
        }
    );
    for b in &s.bad {
        let why: Vec<String> = b.problems.iter().map(ToString::to_string).collect();
        out.push_str(&format!("line {}: {}\n", b.line, why.join("; ")));
    }
    let importable = s.new + s.changed + s.unchanged > 0;
    if dry_run || !importable {
        if !importable {
            out.push_str("Nothing could be imported.\n");
        }
        return Ok((out, importable));
    }
    let done = apply(catalog, &preview, true, &Actor::system("CSV-Import"))?;
    out.push_str(&format!(
        "imported: {} created, {} changed, {} unchanged, {} created, {} left out\n",
        done.created,
        done.changed,
        done.unchanged,
        counted(done.groups_created, "group", "groups"),
        counted(done.skipped_bad_lines, "bad line", "bad lines")
    ));
    Ok((out, true))
}

/// A count with its noun in the singular for exactly one: "1 bad line", "2 bad lines".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The catalogue file for the command line; its folder is made when the till
/// never ran. The demo's catalogue gets the demo shop first, as the till's first
/// start would have given it (once in the catalogue's life, whoever opens it first).
fn open_for_cli(catalog: &std::path::Path) -> Result<Catalog, CommandError> {
    if let Some(dir) = catalog.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            CommandError::new(
                ErrorCode::Io,
                format!("{} cannot be made: {e}", dir.display()),
            )
        })?;
    }
    let mut opened = Catalog::open(catalog)?;
    let demo = crate::startup::catalog_file(crate::settings::Environment::Demo);
    if catalog.file_name() == Some(std::ffi::OsStr::new(demo)) {
        opened.load_demo()?;
    }
    Ok(opened)
}

/// `smart-till import-articles`: the file imported into the catalogue at `catalog`.
pub fn import_file_at(
    catalog: &std::path::Path,
    file: &std::path::Path,
    dry_run: bool,
) -> Result<(String, bool), CommandError> {
    let bytes = std::fs::read(file).map_err(|e| {
        CommandError::new(
            ErrorCode::Io,
            format!("{} cannot be read: {e}", file.display()),
        )
    })?;
    import_file(&mut open_for_cli(catalog)?, &bytes, dry_run)
}

/// `smart-till export-articles`: every article of the catalogue at `catalog` into `out`
/// (an existing file is not overwritten).
pub fn export_file_at(
    catalog: &std::path::Path,
    out: &std::path::Path,
) -> Result<(String, bool), CommandError> {
    let catalog = open_for_cli(catalog)?;
    let bytes = catalog.export_csv()?;
    let count = catalog.all_articles()?.len();
    let io = |e: std::io::Error| {
        CommandError::new(
            ErrorCode::Io,
            format!("{} cannot be written: {e}", out.display()),
        )
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(io)?;
    std::io::Write::write_all(&mut f, &bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok((
        format!("{count} articles written to {}\n", out.display()),
        true,
    ))
}
