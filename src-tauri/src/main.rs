// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::ffi::OsString;
use std::process::ExitCode;

use till_app::cli::{self, Console};

/// The command line (`smart-till help`) is `till_app::cli`'s, handled before
/// Tauri starts: no window, no second-instance hand-over. Anything else starts the till.
fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if cli::is_command(&args) {
        attach_console();
        let code = cli::run(
            &args,
            till_app::startup::data_dir(),
            &mut Console {
                out: &mut std::io::stdout(),
                err: &mut std::io::stderr(),
            },
        );
        return ExitCode::from(code);
    }
    smart_till_lib::footprint::before_start();
    smart_till_lib::run();
    ExitCode::SUCCESS
}

/// A release build on Windows has no console of its own: write to the one
/// the command was typed in.
#[cfg(windows)]
fn attach_console() {
    extern "system" {
        fn AttachConsole(process_id: u32) -> i32;
    }
    const ATTACH_PARENT_PROCESS: u32 = u32::MAX;
    // SAFETY: a plain Win32 call without pointers; failure only means no console.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

#[cfg(not(windows))]
fn attach_console() {}
