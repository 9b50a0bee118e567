//! Declares the app's commands to Tauri: every command a window is granted
//! (`allow-<name>` in `capabilities/*.json`), so each is declared and granted
//! from one list. The test `every_command_the_ui_invokes_is_registered`
//! holds them equal to the commands `src/commands.rs` registers.

use std::collections::BTreeSet;

fn main() {
    let commands = granted_commands();
    // The tests compare the declared commands with the registered ones.
    println!(
        "cargo:rustc-env=SMART_TILL_DECLARED_COMMANDS={}",
        commands.join(",")
    );
    // Tauri keeps the list for the build's life: leaked, once.
    let commands: Vec<&'static str> = commands.into_iter().map(|c| &*c.leak()).collect();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands.leak())),
    )
    .expect("tauri build step failed");
}

/// The app's own commands granted in the capability files, in snake_case:
/// each `"allow-<name>"` (`core:` and plugin permissions have a `:`).
fn granted_commands() -> Vec<String> {
    let mut commands = BTreeSet::new();
    let dir = std::path::Path::new("capabilities");
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in std::fs::read_dir(dir).expect("capabilities/ is there") {
        let path = entry.expect("capabilities/ can be read").path();
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("a capability file can be read");
        for quoted in text.split('"').skip(1).step_by(2) {
            if let Some(name) = quoted.strip_prefix("allow-").filter(|n| !n.contains(':')) {
                commands.insert(name.replace('-', "_"));
            }
        }
    }
    commands.into_iter().collect()
}
