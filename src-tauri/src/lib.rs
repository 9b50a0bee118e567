//! The desktop shell: Tauri setup, the one-line commands (`commands`), the
//! save dialog, the settings store plugin, footprint and logging. The
//! application itself is `till_app`.

mod basket_commands;
mod commands;
mod customer_window;
mod dialog;
pub mod footprint;
mod logging;
mod settings_store;

use std::sync::Arc;

use tauri::Manager;
use till_app::settings::STORE_FILE;
use till_app::startup::Dirs;
use tracing::info;

pub use till_app::startup::{catalog_path, data_dir, journal_path, shop_settings};
pub use till_app::IDENTIFIER;

pub fn run() {
    tauri::Builder::default()
        // First: a second start hands over to the running till instead of opening the journal twice.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dirs = resolve_dirs(app.handle())?;
            // Held for the app's life: a restore refuses to run while it is.
            let lock = till::backup::DataDirLock::acquire(&dirs.data, RESTORE_WAIT)?.ok_or(
                "a restore of the journal is running; start Smart Till again when it has finished",
            )?;
            app.manage(DataDirLock(lock));
            let guard = logging::init(&dirs.logs)?;
            info!(version = till_app::VERSION, logs = %dirs.logs.display(), "Smart Till starting");
            // The store lives in the data directory.
            let store =
                settings_store::PluginStore::open(app.handle(), dirs.data.join(STORE_FILE))?;
            let secrets = till_app::secrets::detect(&dirs.data);
            let state = tauri::async_runtime::block_on(till_app::startup::start(
                &dirs,
                Arc::new(store),
                secrets,
            ))?;
            let state = Arc::new(state);
            app.manage(Arc::clone(&state));
            app.manage(LogGuard(guard));
            if let Some(window) = app.get_webview_window("main") {
                footprint::tune_web_view(&window);
            }
            tauri::async_runtime::spawn(till_app::background::catch_up_loop(
                Arc::clone(&state),
                footprint::release_freed_memory,
            ));
            customer_window::start(app.handle(), &state);
            tauri::async_runtime::spawn(till_app::background::check_journal_loop(state));
            Ok(())
        })
        .on_window_event(|window, event| {
            // The till's window closed: the customer display goes with it, so the app ends.
            if window.label() == "main" && matches!(event, tauri::WindowEvent::Destroyed) {
                customer_window::close_with_till(window.app_handle());
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::articles,
            commands::article_by_code,
            commands::priced_article,
            commands::pay_cash,
            commands::basket_changed,
            basket_commands::basket_abandoned,
            commands::till_status,
            commands::sync_now,
            commands::pay_card,
            commands::abort_card_payment,
            commands::check_card_payment,
            commands::start_qr_payment,
            commands::wait_qr_payment,
            commands::abort_qr_payment,
            commands::check_qr_payment,
            commands::qr_available,
            commands::qr_settings,
            commands::save_qr_settings,
            commands::day_summary,
            commands::terminal_end_of_day,
            commands::close_day,
            commands::closings,
            commands::closing,
            commands::journal_search,
            commands::journal_sale,
            commands::cancel_sale,
            commands::receipt_preview,
            commands::settings,
            commands::save_shop,
            commands::set_language,
            commands::secucard_lookup,
            commands::secucard_check_passcode,
            commands::secucard_split,
            commands::pay_secucard,
            commands::load_secucard,
            commands::set_environment,
            commands::pairing_start,
            commands::pairing_status,
            commands::pairing_cancel,
            commands::restart_app,
            commands::print_receipt,
            commands::reprint_receipt,
            commands::print_missed_receipt,
            commands::dismiss_missed_receipt,
            commands::export_receipt_pdf,
            commands::open_drawer,
            commands::print_z_report,
            commands::export_z_report_pdf,
            commands::export_dsfinvk,
            commands::float_state,
            commands::set_float,
            commands::apply_discounts,
            commands::cash_movement,
            commands::return_lines,
            commands::x_report_text,
            commands::print_x_report,
            commands::export_x_report_pdf,
            commands::printers_discover,
            commands::save_printer,
            commands::remove_printer,
            commands::test_print,
            commands::tse_status,
            commands::tse_save_credentials,
            commands::tse_setup_run,
            commands::tse_start_over,
            commands::tse_puk_noted,
            commands::tse_save_dates,
            commands::print_tse_data_sheet,
            commands::export_tse_data_sheet_pdf,
            commands::sale_groups,
            commands::group_articles,
            commands::search_articles,
            commands::scan_code,
            commands::list_articles,
            commands::save_article,
            commands::set_article_active,
            commands::groups,
            commands::save_group,
            commands::import_preview,
            commands::import_apply,
            commands::export_articles,
            commands::session,
            commands::login,
            commands::lock,
            commands::create_owner,
            commands::cashiers,
            commands::save_cashier,
            commands::deactivate_cashier,
            commands::save_cashier_settings,
            commands::customer_view,
            commands::customer_basket,
            commands::save_customer_display,
            commands::open_customer_display,
            commands::close_customer_display,
            commands::customer_display_open,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Smart Till");
}

/// How long a start waits for a restore that holds the data directory.
const RESTORE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Keeps the data directory locked for as long as the app runs.
struct DataDirLock(#[allow(dead_code)] till::backup::DataDirLock);

/// Keeps the log writer alive (and flushing) for as long as the app runs.
struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// `SMART_TILL_DATA_DIR`, else the platform's app-data and log directories.
fn resolve_dirs(app: &tauri::AppHandle) -> Result<Dirs, tauri::Error> {
    if let Some(dirs) = Dirs::from_env() {
        return Ok(dirs);
    }
    Ok(Dirs {
        data: app.path().app_data_dir()?,
        logs: app.path().app_log_dir()?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_finds_the_data_directory_the_app_uses() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"], super::IDENTIFIER);
    }
}
