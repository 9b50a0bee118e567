//! Named points in the payment flow where a crash drill may stop the till:
//! the intent is written and the call is about to go out (`before_start`),
//! the provider has answered and nothing is journaled yet (`after_answer`),
//! the sale is journaled (`after_paid`). Nothing happens unless a drill
//! installed a hook; the crash test's child process does.

use std::sync::OnceLock;

type Hook = Box<dyn Fn(&'static str) + Send + Sync>;

static HOOK: OnceLock<Hook> = OnceLock::new();

/// Installs the drill's hook (once per process). Not for the app.
#[doc(hidden)]
pub fn install(hook: Hook) -> bool {
    HOOK.set(hook).is_ok()
}

pub(crate) fn point(name: &'static str) {
    if let Some(hook) = HOOK.get() {
        hook(name);
    }
}
