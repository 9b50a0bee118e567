//! Each source's contract types: the types that cross to the UI as command
//! arguments and answers, and the types those refer to.

use ts_rs::Config;

use crate::Decl;

/// Types of libraries the contract types refer to.
pub fn support(cfg: &Config) -> Vec<Decl> {
    decls![cfg; serde_json::Value]
}

pub fn secuconnect(cfg: &Config) -> Vec<Decl> {
    use secuconnect::{LockStatus, StockStatus};
    decls![cfg; LockStatus, StockStatus]
}

pub fn receipt(cfg: &Config) -> Vec<Decl> {
    use receipt::{
        LineDiscountText, MissedReceipts, PaymentLine, ProviderLine, Receipt, ReceiptLine,
        ShopHeader, TseBlock, VatLine,
    };
    decls![cfg; ShopHeader, LineDiscountText, ReceiptLine, VatLine, PaymentLine, ProviderLine, TseBlock, Receipt, MissedReceipts]
}

pub fn till(cfg: &Config) -> Vec<Decl> {
    use till::basket::{LineKind, VatTotal, Weighed};
    use till::cancellation::CancelBlocked;
    use till::cash_movement::{CashReason, Direction};
    use till::catalog::{Article, AskFor};
    use till::closing::{ByMethod, CashMovement, CashierTakings, MethodCounts};
    use till::discount::{Discount, LineDiscount};
    use till::journal::{
        CashierRef, JournalEntry, JournalPage, ListedState, OutagePeriod, RefusedSale, TseRange,
        TseSummary,
    };
    use till::journal::{DrawerFigures, FloatState, ReasonTotal};
    use till::returns::{ReturnLine, ReturnedLine};
    use till::secucard::{CardSplit, Secucard};
    use till::VatRate;
    use till::{Basket, BasketLine, Cents, Closing, CompletedSale, DayFigures, PaymentMethod};
    decls![cfg;
        Cents, VatRate, PaymentMethod, Article, AskFor, LineKind, Discount, LineDiscount, Weighed,
        BasketLine, Basket, VatTotal,
        CompletedSale, Secucard, CardSplit, RefusedSale,
        ByMethod, MethodCounts, DayFigures, CashMovement, OutagePeriod, TseRange, TseSummary,
        Closing, ListedState, JournalEntry, JournalPage, CancelBlocked, CashierRef, CashierTakings,
        CashReason, Direction, FloatState, ReasonTotal, DrawerFigures, ReturnLine, ReturnedLine,
    ]
}

/// The shop's master data (articles, groups, cashiers, scanning, CSV import).
/// Names that would clash with the till's are renamed in TypeScript
/// (`CatalogArticle`, `ArticlePage`, `ArticleFilter`).
pub fn catalog(cfg: &Config) -> Vec<Decl> {
    use catalog::cashiers::Authorisation;
    use catalog::changes::StoredChange;
    use catalog::codes::{CodeError, Measure};
    use catalog::csv_io::Encoding;
    use catalog::import::{BadLine, ImportRow, LineProblem, NewGroup, RowKind};
    use catalog::rights::{Limit, Rule};
    use catalog::{
        Action, Actor, ApplyMode, Article, ArticleDraft, Cashier, ChangeAction, ChangeEvent,
        Entity, FieldChange, Filter, Group, GroupDraft, ImportOutcome, ImportPreview, Limits, Page,
        Role, ScanHit, ScanOutcome, Unit, UnknownCode,
    };
    decls![cfg;
        Unit, Article, ArticleDraft, Filter, Page, Group, GroupDraft,
        Role, Cashier, Action, Rule, Limit, Limits, Authorisation,
        CodeError, Measure, UnknownCode, ScanHit, ScanOutcome,
        Actor, Entity, ChangeAction, FieldChange, ChangeEvent, StoredChange,
        Encoding, LineProblem, BadLine, RowKind, ImportRow, NewGroup, ImportPreview, ApplyMode,
        ImportOutcome,
    ]
}

/// The app's own command types (`crates/till-app`): settings, status, the
/// answers of the journal, closing, card, secucard and printer commands, and
/// the command error with its codes. The day's VAT total is `DayVatTotal`
/// (the till's `VatTotal` is the basket's).
pub fn till_app(cfg: &Config) -> Vec<Decl> {
    use till_app::cashier::{CashierSettings, SessionInfo};
    use till_app::commands::articles::{BadLineText, ImportDone, ImportSummary};
    use till_app::commands::card::{AbortRequested, CardOutcome, CardPaymentResult, CardSale};
    use till_app::commands::cash_day::{DiscountRequest, DrawerReceipt};
    use till_app::commands::catalog::Entered;
    use till_app::commands::closing::{
        Closing, ClosingListItem, DaySummary, MethodTotal, TerminalEndOfDay, VatTotal,
    };
    use till_app::commands::journal::{CancellationDone, ReceiptPreview, SaleDetail};
    use till_app::commands::printers::PrinterDiscovery;
    use till_app::commands::qr::QrAvailability;
    use till_app::commands::secucard::{LoadMethod, PasscodeValid};
    use till_app::commands::session::AppInfo;
    use till_app::commands::status::{TillStatus, TseState, TseStatus};
    use till_app::commands::tax_export::TaxExport;
    use till_app::connection::pairing::{PairingStart, PairingState, PairingStatus};
    use till_app::customer_display::{
        CustomerDisplaySettings, CustomerView, DisplayLine, DisplayPhase, QrBlock,
    };
    use till_app::error::{CommandError, ErrorCode};
    use till_app::printing::{PrinterState, PrinterStatus, SavedFile};
    use till_app::qr::{QrOutcome, QrPaymentResult, QrPaymentStarted, QrSettings};
    use till_app::settings::{
        AuthMode, ConnectionSettings, Environment, Language, PrinterConfig, PrinterKind,
        PrinterTransport, Settings, ShopSettings,
    };
    use till_app::tse::setup::{TseStep, TseView};
    use till_app::tse::FiskalyEnv;
    decls![cfg;
        ErrorCode, CommandError,
        Environment, AuthMode, Language, ShopSettings, ConnectionSettings, CustomerDisplaySettings,
        PrinterTransport, PrinterKind, PrinterConfig, Settings,
        AppInfo, PrinterState, PrinterStatus, TseState, TseStatus, TillStatus,
        CardOutcome, CardSale, CardPaymentResult, AbortRequested, LoadMethod, PasscodeValid,
        SaleDetail, ReceiptPreview, CancellationDone,
        MethodTotal, VatTotal, DaySummary, TerminalEndOfDay, Closing, ClosingListItem,
        PairingStart, PairingState, PairingStatus,
        PrinterDiscovery, SavedFile, TaxExport,
        FiskalyEnv, TseStep, TseView,
        DiscountRequest, DrawerReceipt,
        QrSettings, QrOutcome, QrPaymentResult, QrPaymentStarted, QrAvailability,
        CashierSettings, SessionInfo, BadLineText, ImportSummary, ImportDone,
        DisplayPhase, DisplayLine, QrBlock, CustomerView,
        Entered,
    ]
}
