//! The commands the UI calls, grouped by the screen that calls them. Each is
//! one call into `till_app::commands` (`app::…`), which holds its body, tested
//! there without a window; only what needs the desktop (a save dialog, a
//! window, the restart) is more. [`commands!`] adds the `#[tauri::command]`,
//! hands every command to Tauri ([`register`]) and lists them ([`NAMES`]).

use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use till::{Basket, Cents, CompletedSale};
use till_app::commands::{self as app, customer_display::DisplayWindow};
use till_app::printing::SavedFile;
use till_app::settings::{Environment, Language, PrinterConfig, Settings, ShopSettings};
use till_app::tse::{setup::TseView, FiskalyEnv};
use till_app::{cashier, connection::pairing, customer_display, qr};
use till_app::{AppState, CommandError};
use uuid::Uuid;

use crate::{customer_window::Desktop, dialog};

type App<'a> = State<'a, Arc<AppState>>;
type Answer<T> = Result<T, CommandError>;

/// `name = [async] fn(arguments) -> answer { body }`, in `mod screen { … }`
/// blocks, becomes `#[tauri::command] pub [async] fn name(arguments)` in that
/// module. A command's name and argument names are what the UI invokes
/// (arguments in camelCase there); sync or async is kept as each was written.
macro_rules! commands {
    ($(
        $(#[$module_doc:meta])*
        mod $module:ident {$(
            $(#[$doc:meta])*
            $name:ident = $($kw:ident)+ ($($arg:ident: $ty:ty),* $(,)?) $(-> $answer:ty)? $body:block
        )*}
    )*) => {
        $(
            $(#[$module_doc])*
            pub mod $module {
                use super::*;
                $(
                    $(#[$doc])*
                    #[tauri::command]
                    pub $($kw)+ $name($($arg: $ty),*) $(-> $answer)? $body
                )*
            }
        )*

        /// Every command's name, as the UI invokes it.
        #[cfg_attr(not(test), allow(dead_code))]
        pub const NAMES: &[&str] = &[$($(stringify!($name),)*)*];

        /// Hands every command to Tauri.
        pub fn register(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
            builder.invoke_handler(tauri::generate_handler![$($($module::$name,)*)*])
        }
    };
}

commands! {
    /// The sale screen: the till's state, the catalogue's buttons and scans.
    mod sale {
        app_info = fn(state: App<'_>) -> app::session::AppInfo { app::session::app_info(&state) }
        till_status = async fn(state: App<'_>) -> Answer<app::status::TillStatus> {
            app::status::till_status(&state).await
        }
        sync_now = async fn(state: App<'_>) -> Answer<app::status::TillStatus> {
            app::status::sync_now(&state).await
        }
        articles = fn(state: App<'_>) -> Answer<Vec<till::catalog::Article>> { app::catalog::articles(&state) }
        article_by_code = fn(state: App<'_>, code: String) -> Answer<Option<till::catalog::Article>> {
            app::catalog::article_by_code(&state, &code)
        }
        /// An open-price or per-kg article with the price or weight the cashier typed.
        priced_article = fn(state: App<'_>, number: String, entered: app::catalog::Entered) -> Answer<till::catalog::Article> {
            app::catalog::priced_article(&state, &number, entered)
        }
        scan_code = fn(state: App<'_>, code: String) -> Answer<catalog::ScanOutcome> { app::catalog::scan(&state, &code) }
        sale_groups = fn(state: App<'_>) -> Answer<Vec<catalog::Group>> { app::catalog::sale_groups(&state) }
        group_articles = fn(state: App<'_>, group: Option<Uuid>, page: u32, per_page: u32) -> Answer<catalog::Page> {
            app::catalog::group_articles(&state, group, page, per_page)
        }
        search_articles = fn(state: App<'_>, query: String, limit: u32) -> Answer<Vec<catalog::Article>> {
            app::catalog::search_articles(&state, &query, false, limit)
        }
        basket_changed = async fn(state: App<'_>, filled: bool) -> Answer<()> {
            app::sale::basket_changed(&state, filled).await
        }
        /// The basket emptied without a sale, with the lines it had (`AVBelegabbruch`).
        basket_abandoned = async fn(state: App<'_>, basket: Basket) -> Answer<()> {
            app::sale::basket_abandoned(&state, basket).await
        }
        apply_discounts = async fn(state: App<'_>, basket: Basket, discounts: app::cash_day::DiscountRequest, manager_pin: Option<String>) -> Answer<Basket> {
            app::cash_day::apply_discounts(&state, basket, discounts, manager_pin).await
        }
    }

    /// Paying: cash, card, QR code, customer card (Secucard).
    mod payment {
        pay_cash = async fn(state: App<'_>, basket: Basket, tendered: Option<Cents>) -> Answer<CompletedSale> {
            app::sale::pay_cash(&state, basket, tendered).await
        }
        pay_card = async fn(state: App<'_>, basket: Basket) -> Answer<app::card::CardPaymentResult> {
            app::card::pay_card(&state, basket).await
        }
        abort_card_payment = async fn(state: App<'_>) -> Answer<app::card::AbortRequested> {
            app::card::abort_card_payment(&state).await
        }
        check_card_payment = async fn(state: App<'_>) -> Answer<Option<app::card::CardPaymentResult>> {
            app::card::check_card_payment(&state).await
        }
        start_qr_payment = async fn(state: App<'_>, basket: Basket) -> Answer<qr::QrPaymentStarted> {
            app::qr::start_qr_payment(state.inner(), basket).await
        }
        wait_qr_payment = async fn(state: App<'_>) -> Answer<qr::QrPaymentResult> { app::qr::wait_qr_payment(&state).await }
        abort_qr_payment = async fn(state: App<'_>) -> Answer<app::card::AbortRequested> {
            app::qr::abort_qr_payment(&state).await
        }
        check_qr_payment = async fn(state: App<'_>) -> Answer<Option<qr::QrPaymentResult>> {
            app::qr::check_qr_payment(&state).await
        }
        qr_available = async fn(state: App<'_>) -> Answer<app::qr::QrAvailability> { app::qr::qr_available(&state).await }
        secucard_lookup = async fn(state: App<'_>, card_number: String) -> Answer<till::secucard::Secucard> {
            app::secucard::secucard_lookup(&state, card_number).await
        }
        secucard_check_passcode = async fn(state: App<'_>, card_number: String, passcode: String) -> Answer<app::secucard::PasscodeValid> {
            app::secucard::secucard_check_passcode(&state, card_number, passcode).await
        }
        secucard_split = async fn(state: App<'_>, basket: Basket, card_number: String, passcode: Option<String>) -> Answer<till::secucard::CardSplit> {
            app::secucard::secucard_split(&state, basket, card_number, passcode).await
        }
        pay_secucard = async fn(state: App<'_>, basket: Basket, card_number: String, passcode: Option<String>, tendered: Option<Cents>) -> Answer<CompletedSale> {
            app::secucard::pay_secucard(&state, basket, card_number, passcode, tendered).await
        }
        load_secucard = async fn(state: App<'_>, card_number: String, amount: Cents, method: app::secucard::LoadMethod, tendered: Option<Cents>) -> Answer<app::card::CardPaymentResult> {
            app::secucard::load_secucard(&state, card_number, amount, method, tendered).await
        }
    }

    /// The journal: finding a sale, its receipt, cancelling it, returns.
    mod journal {
        journal_search = async fn(state: App<'_>, receipt_number: Option<i64>, amount: Option<i64>, date: Option<String>, offset: usize, limit: usize) -> Answer<app::journal::JournalPage> {
            app::journal::journal_search(&state, receipt_number, amount, date, offset, limit).await
        }
        journal_sale = async fn(state: App<'_>, sale_id: String) -> Answer<app::journal::SaleDetail> {
            app::journal::journal_sale(&state, &sale_id).await
        }
        cancel_sale = async fn(state: App<'_>, sale_id: String, reason: Option<String>, manager_pin: Option<String>) -> Answer<app::journal::CancellationDone> {
            app::journal::cancel_sale(&state, &sale_id, reason, manager_pin).await
        }
        receipt_preview = async fn(state: App<'_>, sale_id: String, copy: String) -> Answer<app::journal::ReceiptPreview> {
            app::journal::receipt_preview(&state, sale_id, copy).await
        }
        print_receipt = async fn(state: App<'_>, sale_id: String, copy: String) -> Answer<()> {
            app::print::print_receipt(&state, &sale_id, &copy).await
        }
        reprint_receipt = async fn(state: App<'_>, sale_id: String, copy: String) -> Answer<()> {
            app::print::reprint_receipt(&state, &sale_id, &copy).await
        }
        /// Prints a receipt whose automatic print failed, offered once the printer is back.
        print_missed_receipt = async fn(state: App<'_>, receipt_number: u64) -> Answer<()> {
            state.printing.print_missed(receipt_number).await
        }
        /// Declines that offer: the receipt is not offered again (the journal can reprint it).
        dismiss_missed_receipt = fn(state: App<'_>, receipt_number: u64) -> Answer<()> {
            state.printing.dismiss_missed(receipt_number)
        }
        /// `null` when the cashier closes the save dialog.
        export_receipt_pdf = async fn(app: AppHandle, state: App<'_>, sale_id: String, copy: String) -> Answer<Option<SavedFile>> {
            dialog::save_pdf(&app, app::print::receipt_pdf(&state, &sale_id, &copy).await?).await
        }
        return_lines = async fn(state: App<'_>, receipt_number: i64, lines: Vec<till::returns::ReturnLine>, manager_pin: Option<String>) -> Answer<app::cash_day::DrawerReceipt> {
            app::cash_day::return_lines(&state, receipt_number, lines, manager_pin).await
        }
    }

    /// The drawer's day: float, cash in and out, X and Z reports, the tax export.
    mod day {
        float_state = async fn(state: App<'_>) -> Answer<till::journal::FloatState> { app::cash_day::float_state(&state).await }
        set_float = async fn(state: App<'_>, amount: Cents) -> Answer<till::journal::FloatState> {
            app::cash_day::set_float(&state, amount).await
        }
        cash_movement = async fn(state: App<'_>, reason: till::cash_movement::CashReason, amount: Cents, note: Option<String>, manager_pin: Option<String>) -> Answer<app::cash_day::DrawerReceipt> {
            app::cash_day::cash_movement(&state, reason, amount, note, manager_pin).await
        }
        open_drawer = async fn(state: App<'_>) -> Answer<()> { app::print::open_drawer(&state).await }
        x_report_text = async fn(state: App<'_>) -> Answer<String> { app::cash_day::x_report_text(&state).await }
        print_x_report = async fn(state: App<'_>) -> Answer<()> { app::cash_day::print_x_report(&state).await }
        /// `null` when the cashier closes the save dialog.
        export_x_report_pdf = async fn(app: AppHandle, state: App<'_>) -> Answer<Option<SavedFile>> {
            dialog::save_pdf(&app, app::cash_day::x_report_pdf(&state).await?).await
        }
        day_summary = async fn(state: App<'_>) -> Answer<app::closing::DaySummary> { app::closing::day_summary(&state).await }
        terminal_end_of_day = async fn(state: App<'_>, manager_pin: Option<String>) -> Answer<app::closing::TerminalEndOfDay> {
            app::closing::terminal_end_of_day(&state, manager_pin).await
        }
        close_day = async fn(state: App<'_>, cash_counted: Cents, note: Option<String>, retained: Option<Cents>, manager_pin: Option<String>) -> Answer<app::closing::Closing> {
            app::closing::close_day(&state, cash_counted, note, retained, manager_pin).await
        }
        closings = async fn(state: App<'_>, offset: usize, limit: usize) -> Answer<Vec<app::closing::ClosingListItem>> {
            app::closing::closings(&state, offset, limit).await
        }
        closing = async fn(state: App<'_>, z_number: i64) -> Answer<app::closing::Closing> {
            app::closing::closing(&state, z_number).await
        }
        print_z_report = async fn(state: App<'_>, z_number: i64) -> Answer<()> { app::print::print_z_report(&state, z_number).await }
        /// `null` when the cashier closes the save dialog.
        export_z_report_pdf = async fn(app: AppHandle, state: App<'_>, z_number: i64) -> Answer<Option<SavedFile>> {
            dialog::save_pdf(&app, app::print::z_report_pdf(&state, z_number).await?).await
        }
        /// The tax audit export (DSFinV-K) of the closings from `from` to `to`
        /// into the zip picked in the save dialog; the percent done goes to
        /// `progress`. `null` when the cashier closes the dialog.
        export_dsfinvk = async fn(app: AppHandle, state: App<'_>, from: String, to: String, progress: Channel<u8>) -> Answer<Option<app::tax_export::TaxExport>> {
            let pick = |name: String| async move { dialog::save_path(&app, &name, "ZIP", "zip").await };
            app::tax_export::export_dsfinvk(&state, &from, &to, pick, move |percent| {
                let _ = progress.send(percent);
            })
            .await
        }
    }

    /// The cashier's session: the lock screen, the first owner.
    mod session {
        session = fn(state: App<'_>) -> Answer<cashier::SessionInfo> { app::cashiers::session(&state) }
        login = async fn(state: App<'_>, pin: String) -> Answer<cashier::SessionInfo> { app::cashiers::login(&state, &pin) }
        lock = fn(state: App<'_>) -> Answer<cashier::SessionInfo> { app::cashiers::lock(&state) }
        create_owner = async fn(state: App<'_>, name: String, pin: String) -> Answer<cashier::SessionInfo> {
            app::cashiers::create_owner(&state, &name, &pin)
        }
    }

    /// The articles screen: articles, groups, the CSV import and export.
    mod articles {
        list_articles = fn(state: App<'_>, query: String, include_inactive: bool) -> Answer<Vec<catalog::Article>> {
            app::articles::list_articles(&state, &query, include_inactive)
        }
        save_article = fn(state: App<'_>, id: Option<Uuid>, draft: catalog::ArticleDraft, manager_pin: Option<String>) -> Answer<catalog::Article> {
            app::articles::save_article(&state, id, draft, manager_pin)
        }
        set_article_active = fn(state: App<'_>, id: Uuid, active: bool, manager_pin: Option<String>) -> Answer<()> {
            app::articles::set_article_active(&state, id, active, manager_pin)
        }
        groups = fn(state: App<'_>) -> Answer<Vec<catalog::Group>> { app::articles::groups(&state) }
        save_group = fn(state: App<'_>, id: Option<Uuid>, draft: catalog::GroupDraft, manager_pin: Option<String>) -> Answer<catalog::Group> {
            app::articles::save_group(&state, id, draft, manager_pin)
        }
        import_preview = async fn(state: App<'_>, bytes: Vec<u8>) -> Answer<app::articles::ImportSummary> {
            app::articles::import_preview(&state, bytes)
        }
        import_apply = async fn(state: App<'_>, good_lines_only: bool, manager_pin: Option<String>) -> Answer<app::articles::ImportDone> {
            app::articles::import_apply(&state, good_lines_only, manager_pin)
        }
        export_articles = async fn(app: AppHandle, state: App<'_>) -> Answer<Option<SavedFile>> {
            let bytes = app::articles::export_articles(&state)?;
            dialog::save_file(&app, "artikel.csv", "CSV", "csv", bytes).await
        }
    }

    /// The settings screen: shop, language, connection, printers, TSE, QR
    /// payments, cashiers, the customer display.
    mod settings {
        settings = async fn(state: App<'_>) -> Answer<Settings> { app::settings::settings(&state).await }
        save_shop = async fn(state: App<'_>, shop: ShopSettings, manager_pin: Option<String>) -> Answer<Settings> {
            app::settings::save_shop(&state, shop, manager_pin).await
        }
        set_language = async fn(state: App<'_>, language: Language) -> Answer<Settings> {
            app::settings::set_language(&state, language).await
        }
        set_environment = async fn(state: App<'_>, environment: Environment, client_id: Option<String>, client_secret: Option<String>, manager_pin: Option<String>) -> Answer<Settings> {
            app::connection::set_environment(&state, environment, client_id, client_secret, manager_pin).await
        }
        pairing_start = async fn(state: App<'_>, environment: Environment, client_id: Option<String>, client_secret: Option<String>) -> Answer<pairing::PairingStart> {
            app::connection::pairing_start(&state, environment, client_id, client_secret).await
        }
        pairing_status = fn(state: App<'_>) -> pairing::PairingStatus { app::connection::pairing_status(&state) }
        pairing_cancel = fn(state: App<'_>) { app::connection::pairing_cancel(&state) }
        /// Starts the app again so a new environment applies.
        restart_app = fn(app: AppHandle, state: App<'_>) -> Answer<()> {
            app::connection::restart_allowed(&state)?;
            app.restart()
        }
        printers_discover = async fn() -> Answer<app::printers::PrinterDiscovery> { app::printers::printers_discover().await }
        save_printer = async fn(state: App<'_>, printer: PrinterConfig, use_for_receipts: bool, confirm_public: Option<bool>, manager_pin: Option<String>) -> Answer<Settings> {
            app::printers::save_printer(&state, printer, use_for_receipts, confirm_public, manager_pin).await
        }
        remove_printer = fn(state: App<'_>, printer_id: String, manager_pin: Option<String>) -> Answer<Settings> {
            app::printers::remove_printer(&state, &printer_id, manager_pin)
        }
        test_print = async fn(printer: PrinterConfig, confirm_public: Option<bool>) -> Answer<()> {
            app::printers::test_print(printer, confirm_public).await
        }
        tse_status = async fn(state: App<'_>) -> Answer<TseView> { app::tse::tse_status(&state).await }
        tse_save_credentials = async fn(state: App<'_>, api_key: Option<String>, api_secret: Option<String>, fiskaly_env: FiskalyEnv) -> Answer<TseView> {
            app::tse::tse_save_credentials(&state, api_key, api_secret, fiskaly_env).await
        }
        tse_setup_run = async fn(state: App<'_>, admin_pin: Option<String>, admin_puk: Option<String>) -> Answer<TseView> {
            app::tse::tse_setup_run(&state, admin_pin, admin_puk).await
        }
        tse_start_over = async fn(state: App<'_>) -> Answer<TseView> { app::tse::tse_start_over(&state).await }
        tse_puk_noted = async fn(state: App<'_>) -> Answer<TseView> { app::tse::tse_puk_noted(&state).await }
        tse_save_dates = async fn(state: App<'_>, purchase_date: Option<String>, start_of_use: Option<String>) -> Answer<TseView> {
            app::tse::tse_save_dates(&state, purchase_date, start_of_use).await
        }
        print_tse_data_sheet = async fn(state: App<'_>) -> Answer<()> { app::tse::print_data_sheet(&state).await }
        /// `null` when the owner closes the save dialog.
        export_tse_data_sheet_pdf = async fn(app: AppHandle, state: App<'_>) -> Answer<Option<SavedFile>> {
            dialog::save_pdf(&app, app::tse::data_sheet_pdf(&state).await?).await
        }
        qr_settings = async fn(state: App<'_>) -> Answer<qr::QrSettings> { app::qr::get_qr_settings(&state).await }
        save_qr_settings = async fn(state: App<'_>, settings: qr::QrSettings, manager_pin: Option<String>) -> Answer<qr::QrSettings> {
            app::qr::save_qr_settings(&state, settings, manager_pin).await
        }
        cashiers = fn(state: App<'_>) -> Answer<Vec<catalog::Cashier>> { app::cashiers::cashiers(&state) }
        save_cashier = async fn(state: App<'_>, id: Option<Uuid>, name: String, role: catalog::Role, pin: Option<String>, manager_pin: Option<String>) -> Answer<catalog::Cashier> {
            app::cashiers::save_cashier(&state, id, &name, role, pin, manager_pin)
        }
        deactivate_cashier = fn(state: App<'_>, id: Uuid, manager_pin: Option<String>) -> Answer<()> {
            app::cashiers::deactivate_cashier(&state, id, manager_pin)
        }
        save_cashier_settings = fn(state: App<'_>, lock_after_minutes: Option<u32>, limits: Option<catalog::Limits>, manager_pin: Option<String>) -> Answer<cashier::CashierSettings> {
            app::cashiers::save_cashier_settings(&state, lock_after_minutes, limits, manager_pin)
        }
        save_customer_display = async fn(state: App<'_>, display: customer_display::CustomerDisplaySettings, manager_pin: Option<String>) -> Answer<Settings> {
            app::customer_display::save_customer_display(&state, display, manager_pin).await
        }
        /// Async: a window is made on the event loop, which a blocking command would hold.
        open_customer_display = async fn(app: AppHandle, state: App<'_>) -> Answer<bool> {
            app::customer_display::open_display(&state, &Desktop(&app))
        }
        close_customer_display = async fn(app: AppHandle, state: App<'_>) -> Answer<bool> {
            app::customer_display::close_display(&state, &Desktop(&app))
        }
        customer_display_open = fn(app: AppHandle) -> bool { Desktop(&app).is_open() }
    }

    /// The customer display: its window asks for the view, the till's reports the basket.
    mod customer {
        customer_view = fn(state: App<'_>) -> customer_display::CustomerView { app::customer_display::customer_view(&state) }
        customer_basket = fn(state: App<'_>, basket: Basket, paying: bool) -> Answer<()> {
            app::customer_display::customer_basket(&state, basket, paying)
        }
    }
}
