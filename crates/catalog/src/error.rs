//! The errors of the catalogue: a stable code for the UI and words a shop owner understands.

use serde::Serialize;

/// Everything that can go wrong with articles, groups, imports and cashiers.
///
/// `code()` is stable and what callers decide on; the message is for people.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("The article number {0} is already used by another article.")]
    NumberTaken(String),
    #[error("The EAN {ean} already belongs to the active article {number}.")]
    EanTaken { ean: String, number: String },
    #[error("{0}")]
    InvalidEan(#[from] crate::codes::CodeError),
    #[error("The EAN {0} is a scale label: a weight label needs an article priced per kg, a count label one priced per piece.")]
    LabelUnit(String),
    #[error("The {0} is missing.")]
    Missing(&'static str),
    #[error("The {field} is too long: at most {max} characters.")]
    TooLong { field: &'static str, max: usize },
    #[error("The price must be between 0,00 € and 1.000.000,00 €.")]
    PriceOutOfRange,
    #[error("The article has no VAT rate and its product group gives none.")]
    NoVatRate,
    #[error("There is no article {0}.")]
    ArticleNotFound(String),
    #[error("There is no product group {0}.")]
    GroupNotFound(String),
    #[error("The product group number {0} is already used by another group.")]
    GroupCodeTaken(String),
    #[error("The colour {0} is not a colour like #1E88E5.")]
    InvalidColour(String),
    #[error("There is no such cashier.")]
    CashierNotFound,
    #[error("A PIN has 4 to 6 digits.")]
    InvalidPin,
    #[error("This PIN is too easy to guess (all digits the same, or a simple sequence).")]
    WeakPin,
    #[error("Another active cashier already has this PIN; choose a different one.")]
    PinTaken,
    #[error("This PIN is not known.")]
    WrongPin,
    #[error("Too many wrong PINs: please wait {retry_after_secs} seconds.")]
    PinLocked { retry_after_secs: i64 },
    #[error("This needs the PIN of a manager.")]
    NotAManager,
    #[error("The shop already has a manager; new cashiers are added by a manager.")]
    OwnerExists,
    #[error("The last active manager cannot be removed or made a cashier.")]
    LastManager,
    #[error("The import has {0} bad {lines}; correct them or import only the good lines.", lines = if *.0 == 1 { "line" } else { "lines" })]
    ImportHasBadLines(usize),
    #[error("The articles changed after the preview was made; please preview the file again.")]
    ImportStale,
    #[error("The file cannot be read as an article list: {0}")]
    BadFile(String),
    #[error("The catalogue could not be read or written: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("The catalogue file was written by a newer version of the till (schema {0}).")]
    SchemaTooNew(i64),
    #[error("The PIN could not be checked: {0}")]
    PinHash(String),
}

impl CatalogError {
    /// A stable code the UI translates and callers decide on.
    pub fn code(&self) -> &'static str {
        use CatalogError::*;
        match self {
            NumberTaken(_) => "number_taken",
            EanTaken { .. } => "ean_taken",
            InvalidEan(_) => "invalid_ean",
            LabelUnit(_) => "label_unit",
            Missing(_) => "missing_field",
            TooLong { .. } => "too_long",
            PriceOutOfRange => "price_out_of_range",
            NoVatRate => "no_vat_rate",
            ArticleNotFound(_) => "article_not_found",
            GroupNotFound(_) => "group_not_found",
            GroupCodeTaken(_) => "group_code_taken",
            InvalidColour(_) => "invalid_colour",
            CashierNotFound => "cashier_not_found",
            InvalidPin => "invalid_pin",
            WeakPin => "weak_pin",
            PinTaken => "pin_taken",
            WrongPin => "wrong_pin",
            PinLocked { .. } => "pin_locked",
            NotAManager => "not_a_manager",
            OwnerExists => "owner_exists",
            LastManager => "last_manager",
            ImportHasBadLines(_) => "import_has_bad_lines",
            ImportStale => "import_stale",
            BadFile(_) => "bad_file",
            Storage(_) => "storage",
            SchemaTooNew(_) => "schema_too_new",
            PinHash(_) => "pin_hash",
        }
    }
}

/// The one shape errors leave the crate in: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

impl From<&CatalogError> for ErrorBody {
    fn from(e: &CatalogError) -> Self {
        ErrorBody {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

pub type Result<T> = std::result::Result<T, CatalogError>;
