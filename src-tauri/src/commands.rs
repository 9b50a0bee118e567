//! The commands the UI calls: each one line into `till_app::commands`, which
//! holds their bodies (tested there without a window). Only what needs the
//! desktop stays here: the save dialog and the restart.

use std::sync::Arc;

use tauri::{AppHandle, State};
use till::catalog::Article;
use till::{Basket, Cents, CompletedSale};
use till_app::commands::{
    articles, card, cashiers, catalog, closing, connection, journal, print, printers, sale,
    secucard, session, settings, status, tax_export, tse,
};
use till_app::connection::pairing::{PairingStart, PairingStatus};
use till_app::printing::SavedFile;
use till_app::settings::{Environment, Language, PrinterConfig, Settings, ShopSettings};
use till_app::tse::setup::TseView;
use till_app::tse::FiskalyEnv;
use till_app::{AppState, CommandError};

type App<'a> = State<'a, Arc<AppState>>;
type Answer<T> = Result<T, CommandError>;

#[tauri::command]
pub fn app_info(state: App<'_>) -> session::AppInfo {
    session::app_info(&state)
}

#[tauri::command]
pub fn articles(state: App<'_>) -> Answer<Vec<Article>> {
    catalog::articles(&state)
}

#[tauri::command]
pub fn article_by_code(state: App<'_>, code: String) -> Answer<Option<Article>> {
    catalog::article_by_code(&state, &code)
}

#[tauri::command]
pub async fn pay_cash(
    state: App<'_>,
    basket: Basket,
    tendered: Option<Cents>,
) -> Answer<CompletedSale> {
    sale::pay_cash(&state, basket, tendered).await
}

#[tauri::command]
pub async fn basket_changed(state: App<'_>, filled: bool) -> Answer<()> {
    sale::basket_changed(&state, filled).await
}

#[tauri::command]
pub async fn till_status(state: App<'_>) -> Answer<status::TillStatus> {
    status::till_status(&state).await
}

#[tauri::command]
pub async fn sync_now(state: App<'_>) -> Answer<status::TillStatus> {
    status::sync_now(&state).await
}

#[tauri::command]
pub async fn pay_card(state: App<'_>, basket: Basket) -> Answer<card::CardPaymentResult> {
    card::pay_card(&state, basket).await
}

#[tauri::command]
pub async fn abort_card_payment(state: App<'_>) -> Answer<card::AbortRequested> {
    card::abort_card_payment(&state).await
}

#[tauri::command]
pub async fn check_card_payment(state: App<'_>) -> Answer<Option<card::CardPaymentResult>> {
    card::check_card_payment(&state).await
}

#[tauri::command]
pub async fn day_summary(state: App<'_>) -> Answer<closing::DaySummary> {
    closing::day_summary(&state).await
}

#[tauri::command]
pub async fn terminal_end_of_day(
    state: App<'_>,
    manager_pin: Option<String>,
) -> Answer<closing::TerminalEndOfDay> {
    closing::terminal_end_of_day(&state, manager_pin).await
}

#[tauri::command]
pub async fn close_day(
    state: App<'_>,
    cash_counted: Cents,
    note: Option<String>,
    retained: Option<Cents>,
    manager_pin: Option<String>,
) -> Answer<closing::Closing> {
    closing::close_day(&state, cash_counted, note, retained, manager_pin).await
}

#[tauri::command]
pub async fn closings(
    state: App<'_>,
    offset: usize,
    limit: usize,
) -> Answer<Vec<closing::ClosingListItem>> {
    closing::closings(&state, offset, limit).await
}

#[tauri::command]
pub async fn closing(state: App<'_>, z_number: i64) -> Answer<closing::Closing> {
    closing::closing(&state, z_number).await
}

#[tauri::command]
pub async fn journal_search(
    state: App<'_>,
    receipt_number: Option<i64>,
    amount: Option<i64>,
    date: Option<String>,
    offset: usize,
    limit: usize,
) -> Answer<journal::JournalPage> {
    journal::journal_search(&state, receipt_number, amount, date, offset, limit).await
}

#[tauri::command]
pub async fn journal_sale(state: App<'_>, sale_id: String) -> Answer<journal::SaleDetail> {
    journal::journal_sale(&state, &sale_id).await
}

#[tauri::command]
pub async fn cancel_sale(
    state: App<'_>,
    sale_id: String,
    reason: Option<String>,
    manager_pin: Option<String>,
) -> Answer<journal::CancellationDone> {
    journal::cancel_sale(&state, &sale_id, reason, manager_pin).await
}

#[tauri::command]
pub async fn receipt_preview(
    state: App<'_>,
    sale_id: String,
    copy: String,
) -> Answer<journal::ReceiptPreview> {
    journal::receipt_preview(&state, sale_id, copy).await
}

#[tauri::command]
pub async fn settings(state: App<'_>) -> Answer<Settings> {
    settings::settings(&state).await
}

#[tauri::command]
pub async fn save_shop(
    state: App<'_>,
    shop: ShopSettings,
    manager_pin: Option<String>,
) -> Answer<Settings> {
    settings::save_shop(&state, shop, manager_pin).await
}

#[tauri::command]
pub async fn set_language(state: App<'_>, language: Language) -> Answer<Settings> {
    settings::set_language(&state, language).await
}

#[tauri::command]
pub async fn secucard_lookup(
    state: App<'_>,
    card_number: String,
) -> Answer<till::secucard::Secucard> {
    secucard::secucard_lookup(&state, card_number).await
}

#[tauri::command]
pub async fn secucard_check_passcode(
    state: App<'_>,
    card_number: String,
    passcode: String,
) -> Answer<secucard::PasscodeValid> {
    secucard::secucard_check_passcode(&state, card_number, passcode).await
}

#[tauri::command]
pub async fn secucard_split(
    state: App<'_>,
    basket: Basket,
    card_number: String,
    passcode: Option<String>,
) -> Answer<till::secucard::CardSplit> {
    secucard::secucard_split(&state, basket, card_number, passcode).await
}

#[tauri::command]
pub async fn pay_secucard(
    state: App<'_>,
    basket: Basket,
    card_number: String,
    passcode: Option<String>,
    tendered: Option<Cents>,
) -> Answer<CompletedSale> {
    secucard::pay_secucard(&state, basket, card_number, passcode, tendered).await
}

#[tauri::command]
pub async fn load_secucard(
    state: App<'_>,
    card_number: String,
    amount: Cents,
    method: secucard::LoadMethod,
    tendered: Option<Cents>,
) -> Answer<card::CardPaymentResult> {
    secucard::load_secucard(&state, card_number, amount, method, tendered).await
}

#[tauri::command]
pub async fn set_environment(
    state: App<'_>,
    environment: Environment,
    client_id: Option<String>,
    client_secret: Option<String>,
    manager_pin: Option<String>,
) -> Answer<Settings> {
    connection::set_environment(&state, environment, client_id, client_secret, manager_pin).await
}

#[tauri::command]
pub async fn pairing_start(
    state: App<'_>,
    environment: Environment,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Answer<PairingStart> {
    connection::pairing_start(&state, environment, client_id, client_secret).await
}

#[tauri::command]
pub fn pairing_status(state: App<'_>) -> PairingStatus {
    connection::pairing_status(&state)
}

#[tauri::command]
pub fn pairing_cancel(state: App<'_>) {
    connection::pairing_cancel(&state)
}

/// Starts the app again so a new environment applies.
#[tauri::command]
pub fn restart_app(app: AppHandle, state: App<'_>) -> Answer<()> {
    connection::restart_allowed(&state)?;
    app.restart()
}

#[tauri::command]
pub async fn print_receipt(state: App<'_>, sale_id: String, copy: String) -> Answer<()> {
    print::print_receipt(&state, &sale_id, &copy).await
}

#[tauri::command]
pub async fn reprint_receipt(state: App<'_>, sale_id: String, copy: String) -> Answer<()> {
    print::reprint_receipt(&state, &sale_id, &copy).await
}

/// Prints a receipt whose automatic print failed, offered once the printer is back.
#[tauri::command]
pub async fn print_missed_receipt(state: App<'_>, receipt_number: u64) -> Answer<()> {
    state.printing.print_missed(receipt_number).await
}

/// Declines that offer: the receipt is not offered again (the journal can reprint it).
#[tauri::command]
pub fn dismiss_missed_receipt(state: App<'_>, receipt_number: u64) -> Answer<()> {
    state.printing.dismiss_missed(receipt_number)
}

/// `null` when the cashier closes the save dialog.
#[tauri::command]
pub async fn export_receipt_pdf(
    app: AppHandle,
    state: App<'_>,
    sale_id: String,
    copy: String,
) -> Answer<Option<SavedFile>> {
    crate::dialog::save_pdf(&app, print::receipt_pdf(&state, &sale_id, &copy).await?).await
}

#[tauri::command]
pub async fn open_drawer(state: App<'_>) -> Answer<()> {
    print::open_drawer(&state).await
}

#[tauri::command]
pub async fn print_z_report(state: App<'_>, z_number: i64) -> Answer<()> {
    print::print_z_report(&state, z_number).await
}

/// `null` when the cashier closes the save dialog.
#[tauri::command]
pub async fn export_z_report_pdf(
    app: AppHandle,
    state: App<'_>,
    z_number: i64,
) -> Answer<Option<SavedFile>> {
    crate::dialog::save_pdf(&app, print::z_report_pdf(&state, z_number).await?).await
}

/// The tax audit export (DSFinV-K) of the closings from `from` to `to`
/// (`YYYY-MM-DD`) into the zip picked in the save dialog; the percent done
/// goes to `progress`. `null` when the cashier closes the dialog.
#[tauri::command]
pub async fn export_dsfinvk(
    app: AppHandle,
    state: App<'_>,
    from: String,
    to: String,
    progress: tauri::ipc::Channel<u8>,
) -> Answer<Option<tax_export::TaxExport>> {
    let (from, to) = (tax_export::parse_day(&from)?, tax_export::parse_day(&to)?);
    let name = tax_export::suggested_name(&state.till_id, from, to);
    let Some(path) = crate::dialog::save_export_path(&app, &name).await? else {
        return Ok(None);
    };
    let report = move |percent| {
        let _ = progress.send(percent);
    };
    tax_export::export_from_app(&state, from, to, path, report)
        .await
        .map(Some)
}

#[tauri::command]
pub async fn printers_discover() -> Answer<printers::PrinterDiscovery> {
    printers::printers_discover().await
}

#[tauri::command]
pub async fn save_printer(
    state: App<'_>,
    printer: PrinterConfig,
    use_for_receipts: bool,
    confirm_public: Option<bool>,
    manager_pin: Option<String>,
) -> Answer<Settings> {
    printers::save_printer(
        &state,
        printer,
        use_for_receipts,
        confirm_public,
        manager_pin,
    )
    .await
}

#[tauri::command]
pub fn remove_printer(
    state: App<'_>,
    printer_id: String,
    manager_pin: Option<String>,
) -> Answer<Settings> {
    printers::remove_printer(&state, &printer_id, manager_pin)
}

#[tauri::command]
pub async fn test_print(printer: PrinterConfig, confirm_public: Option<bool>) -> Answer<()> {
    printers::test_print(printer, confirm_public).await
}

#[tauri::command]
pub async fn tse_status(state: App<'_>) -> Answer<TseView> {
    tse::tse_status(&state).await
}

#[tauri::command]
pub async fn tse_save_credentials(
    state: App<'_>,
    api_key: Option<String>,
    api_secret: Option<String>,
    fiskaly_env: FiskalyEnv,
) -> Answer<TseView> {
    tse::tse_save_credentials(&state, api_key, api_secret, fiskaly_env).await
}

#[tauri::command]
pub async fn tse_setup_run(
    state: App<'_>,
    admin_pin: Option<String>,
    admin_puk: Option<String>,
) -> Answer<TseView> {
    tse::tse_setup_run(&state, admin_pin, admin_puk).await
}

#[tauri::command]
pub async fn tse_start_over(state: App<'_>) -> Answer<TseView> {
    tse::tse_start_over(&state).await
}

#[tauri::command]
pub async fn tse_puk_noted(state: App<'_>) -> Answer<TseView> {
    tse::tse_puk_noted(&state).await
}

#[tauri::command]
pub async fn tse_save_dates(
    state: App<'_>,
    purchase_date: Option<String>,
    start_of_use: Option<String>,
) -> Answer<TseView> {
    tse::tse_save_dates(&state, purchase_date, start_of_use).await
}

#[tauri::command]
pub async fn print_tse_data_sheet(state: App<'_>) -> Answer<()> {
    tse::print_data_sheet(&state).await
}

/// `null` when the owner closes the save dialog.
#[tauri::command]
pub async fn export_tse_data_sheet_pdf(
    app: AppHandle,
    state: App<'_>,
) -> Answer<Option<SavedFile>> {
    crate::dialog::save_pdf(&app, tse::data_sheet_pdf(&state).await?).await
}

// The drawer's day (till_app::commands::cash_day).

#[tauri::command]
pub async fn float_state(state: App<'_>) -> Answer<till::journal::FloatState> {
    till_app::commands::cash_day::float_state(&state).await
}

#[tauri::command]
pub async fn set_float(state: App<'_>, amount: Cents) -> Answer<till::journal::FloatState> {
    till_app::commands::cash_day::set_float(&state, amount).await
}

#[tauri::command]
pub async fn apply_discounts(
    state: App<'_>,
    basket: Basket,
    discounts: till_app::commands::cash_day::DiscountRequest,
    manager_pin: Option<String>,
) -> Answer<Basket> {
    till_app::commands::cash_day::apply_discounts(&state, basket, discounts, manager_pin).await
}

#[tauri::command]
pub async fn cash_movement(
    state: App<'_>,
    reason: till::cash_movement::CashReason,
    amount: Cents,
    note: Option<String>,
    manager_pin: Option<String>,
) -> Answer<till_app::commands::cash_day::DrawerReceipt> {
    till_app::commands::cash_day::cash_movement(&state, reason, amount, note, manager_pin).await
}

#[tauri::command]
pub async fn return_lines(
    state: App<'_>,
    receipt_number: i64,
    lines: Vec<till::returns::ReturnLine>,
    manager_pin: Option<String>,
) -> Answer<till_app::commands::cash_day::DrawerReceipt> {
    till_app::commands::cash_day::return_lines(&state, receipt_number, lines, manager_pin).await
}

#[tauri::command]
pub async fn x_report_text(state: App<'_>) -> Answer<String> {
    till_app::commands::cash_day::x_report_text(&state).await
}

#[tauri::command]
pub async fn print_x_report(state: App<'_>) -> Answer<()> {
    till_app::commands::cash_day::print_x_report(&state).await
}

/// `null` when the cashier closes the save dialog.
#[tauri::command]
pub async fn export_x_report_pdf(app: AppHandle, state: App<'_>) -> Answer<Option<SavedFile>> {
    crate::dialog::save_pdf(
        &app,
        till_app::commands::cash_day::x_report_pdf(&state).await?,
    )
    .await
}

// ---------- the catalogue and the cashiers ----------

#[tauri::command]
pub fn sale_groups(state: App<'_>) -> Answer<Vec<::catalog::Group>> {
    catalog::sale_groups(&state)
}

#[tauri::command]
pub fn group_articles(
    state: App<'_>,
    group: Option<uuid::Uuid>,
    page: u32,
    per_page: u32,
) -> Answer<::catalog::Page> {
    catalog::group_articles(&state, group, page, per_page)
}

#[tauri::command]
pub fn search_articles(
    state: App<'_>,
    query: String,
    limit: u32,
) -> Answer<Vec<::catalog::Article>> {
    catalog::search_articles(&state, &query, false, limit)
}

/// An open-price or per-kg article with the price or weight the cashier typed.
#[tauri::command]
pub fn priced_article(
    state: App<'_>,
    number: String,
    entered: catalog::Entered,
) -> Answer<Article> {
    catalog::priced_article(&state, &number, entered)
}

#[tauri::command]
pub fn scan_code(state: App<'_>, code: String) -> Answer<::catalog::ScanOutcome> {
    catalog::scan(&state, &code)
}

#[tauri::command]
pub fn list_articles(
    state: App<'_>,
    query: String,
    include_inactive: bool,
) -> Answer<Vec<::catalog::Article>> {
    articles::list_articles(&state, &query, include_inactive)
}

#[tauri::command]
pub fn save_article(
    state: App<'_>,
    id: Option<uuid::Uuid>,
    draft: ::catalog::ArticleDraft,
    manager_pin: Option<String>,
) -> Answer<::catalog::Article> {
    articles::save_article(&state, id, draft, manager_pin)
}

#[tauri::command]
pub fn set_article_active(
    state: App<'_>,
    id: uuid::Uuid,
    active: bool,
    manager_pin: Option<String>,
) -> Answer<()> {
    articles::set_article_active(&state, id, active, manager_pin)
}

#[tauri::command]
pub fn groups(state: App<'_>) -> Answer<Vec<::catalog::Group>> {
    articles::groups(&state)
}

#[tauri::command]
pub fn save_group(
    state: App<'_>,
    id: Option<uuid::Uuid>,
    draft: ::catalog::GroupDraft,
    manager_pin: Option<String>,
) -> Answer<::catalog::Group> {
    articles::save_group(&state, id, draft, manager_pin)
}

#[tauri::command]
pub async fn import_preview(state: App<'_>, bytes: Vec<u8>) -> Answer<articles::ImportSummary> {
    articles::import_preview(&state, bytes)
}

#[tauri::command]
pub async fn import_apply(
    state: App<'_>,
    good_lines_only: bool,
    manager_pin: Option<String>,
) -> Answer<articles::ImportDone> {
    articles::import_apply(&state, good_lines_only, manager_pin)
}

#[tauri::command]
pub async fn export_articles(app: AppHandle, state: App<'_>) -> Answer<Option<SavedFile>> {
    let bytes = articles::export_articles(&state)?;
    crate::dialog::save_file(&app, "artikel.csv", "CSV", "csv", bytes).await
}

#[tauri::command]
pub fn session(state: App<'_>) -> Answer<till_app::cashier::SessionInfo> {
    cashiers::session(&state)
}

#[tauri::command]
pub async fn login(state: App<'_>, pin: String) -> Answer<till_app::cashier::SessionInfo> {
    cashiers::login(&state, &pin)
}

#[tauri::command]
pub fn lock(state: App<'_>) -> Answer<till_app::cashier::SessionInfo> {
    cashiers::lock(&state)
}

#[tauri::command]
pub async fn create_owner(
    state: App<'_>,
    name: String,
    pin: String,
) -> Answer<till_app::cashier::SessionInfo> {
    cashiers::create_owner(&state, &name, &pin)
}

#[tauri::command]
pub fn cashiers(state: App<'_>) -> Answer<Vec<::catalog::Cashier>> {
    cashiers::cashiers(&state)
}

#[tauri::command]
pub async fn save_cashier(
    state: App<'_>,
    id: Option<uuid::Uuid>,
    name: String,
    role: ::catalog::Role,
    pin: Option<String>,
    manager_pin: Option<String>,
) -> Answer<::catalog::Cashier> {
    cashiers::save_cashier(&state, id, &name, role, pin, manager_pin)
}

#[tauri::command]
pub fn deactivate_cashier(
    state: App<'_>,
    id: uuid::Uuid,
    manager_pin: Option<String>,
) -> Answer<()> {
    cashiers::deactivate_cashier(&state, id, manager_pin)
}

#[tauri::command]
pub fn save_cashier_settings(
    state: App<'_>,
    lock_after_minutes: Option<u32>,
    limits: Option<::catalog::Limits>,
    manager_pin: Option<String>,
) -> Answer<till_app::cashier::CashierSettings> {
    cashiers::save_cashier_settings(&state, lock_after_minutes, limits, manager_pin)
}

// ---------- the customer display ----------

#[tauri::command]
pub fn customer_view(state: App<'_>) -> till_app::customer_display::CustomerView {
    till_app::commands::customer_display::customer_view(&state)
}

#[tauri::command]
pub fn customer_basket(state: App<'_>, basket: Basket, paying: bool) -> Answer<()> {
    till_app::commands::customer_display::customer_basket(&state, basket, paying)
}

#[tauri::command]
pub async fn save_customer_display(
    state: App<'_>,
    display: till_app::customer_display::CustomerDisplaySettings,
    manager_pin: Option<String>,
) -> Answer<Settings> {
    till_app::commands::customer_display::save_customer_display(&state, display, manager_pin).await
}

/// Async: a window is made on the event loop, which a blocking command would hold.
#[tauri::command]
pub async fn open_customer_display(app: AppHandle, state: App<'_>) -> Answer<bool> {
    crate::customer_window::open(&app, &state)
}

#[tauri::command]
pub async fn close_customer_display(app: AppHandle, state: App<'_>) -> Answer<bool> {
    crate::customer_window::close(&app, &state)
}

#[tauri::command]
pub fn customer_display_open(app: AppHandle) -> bool {
    crate::customer_window::is_open(&app)
}

// Pay by QR code.

#[tauri::command]
pub async fn start_qr_payment(
    state: App<'_>,
    basket: Basket,
) -> Answer<till_app::qr::QrPaymentStarted> {
    till_app::commands::qr::start_qr_payment(state.inner(), basket).await
}

#[tauri::command]
pub async fn wait_qr_payment(state: App<'_>) -> Answer<till_app::qr::QrPaymentResult> {
    till_app::commands::qr::wait_qr_payment(&state).await
}

#[tauri::command]
pub async fn abort_qr_payment(state: App<'_>) -> Answer<card::AbortRequested> {
    till_app::commands::qr::abort_qr_payment(&state).await
}

#[tauri::command]
pub async fn check_qr_payment(state: App<'_>) -> Answer<Option<till_app::qr::QrPaymentResult>> {
    till_app::commands::qr::check_qr_payment(&state).await
}

#[tauri::command]
pub async fn qr_available(state: App<'_>) -> Answer<till_app::commands::qr::QrAvailability> {
    till_app::commands::qr::qr_available(&state).await
}

#[tauri::command]
pub async fn qr_settings(state: App<'_>) -> Answer<till_app::qr::QrSettings> {
    till_app::commands::qr::get_qr_settings(&state).await
}

#[tauri::command]
pub async fn save_qr_settings(
    state: App<'_>,
    settings: till_app::qr::QrSettings,
    manager_pin: Option<String>,
) -> Answer<till_app::qr::QrSettings> {
    till_app::commands::qr::save_qr_settings(&state, settings, manager_pin).await
}
