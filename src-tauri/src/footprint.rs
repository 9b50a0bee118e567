//! The app's memory footprint on Linux, where the web view is WebKitGTK in
//! three processes (the app, WebKitWebProcess, WebKitNetworkProcess).
//!
//! The till's screens are forms: no animation, no video, no WebGL, a few
//! hundred lines of script. What WebKitGTK spends by default on a browser's
//! needs is turned off here; each setting names the figure it moved in the
//! README's "Speed and memory". A variable already set in the environment is
//! left as it is, so any of them can be turned back on for one start.

/// Process-wide settings, before Tauri starts (and so before any other thread
/// reads the environment; the web view's processes inherit it).
pub fn before_start() {
    #[cfg(target_os = "linux")]
    {
        for (name, value) in unset_defaults(LINUX_DEFAULTS, |name| std::env::var_os(name)) {
            // No other thread exists yet to read the environment meanwhile.
            std::env::set_var(name, value);
        }
        till_app::allocator::limit();
        web_process::limit_memory();
    }
}

/// The defaults whose variable the environment (`get`) does not set already.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn unset_defaults<'a>(
    defaults: &'a [(&'a str, &'a str)],
    get: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Vec<(&'a str, &'a str)> {
    defaults
        .iter()
        .copied()
        .filter(|(name, _)| get(name).is_none())
        .collect()
}

/// `(variable, value)`: why each is set is said beside it.
#[cfg(target_os = "linux")]
const LINUX_DEFAULTS: &[(&str, &str)] = &[
    // Accelerated compositing keeps GL buffers in the web process: about
    // twice its memory, for screens that have nothing to animate.
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    // Without compositing the DMA-BUF renderer has nothing to share; the
    // plain shared-memory path saves its buffers in both processes.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // GTK opens GLX only to pick a GL-capable visual; nothing here draws with
    // GL, and loading the GL driver costs each process megabytes.
    ("GDK_GL", "disable"),
    // JavaScriptCore's JIT tiers keep compiled code and their compilers'
    // memory for a UI whose script runs a few milliseconds per tap; the
    // interpreter does it in the same time the cashier sees.
    ("JSC_useJIT", "false"),
    // The web view's processes use glibc's malloc beside WebKit's own: two
    // arenas instead of eight per core keep them from holding freed memory.
    ("MALLOC_ARENA_MAX", "2"),
];

/// The web view's own caches: a single-page app loaded once from the binary
/// needs no memory cache of pages it left or resources it may load again.
pub fn tune_web_view(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    {
        let tuned = window.with_webview(|view| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = view.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(e) = tuned {
            tracing::warn!("the web view's cache could not be set: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// The web process's memory pressure handler: WebKit's default limit is the
/// machine's RAM (capped at 3 GB), so a web process never comes near it and
/// keeps every cache it filled. With a limit the size of a till's page, it
/// drops its caches and collects the script's garbage once it passes the
/// thresholds. The setting is a construct-only property of the web context,
/// which wry creates inside Tauri: the context's constructor is wrapped once,
/// before any context exists, to fill it in where nobody set it.
/// `SMART_TILL_WEB_MEMORY_MB=0` leaves WebKit's default.
#[cfg(target_os = "linux")]
mod web_process {
    use std::ffi::{c_uint, CStr};
    use std::sync::OnceLock;
    use webkit2gtk::ffi as wk;
    use webkit2gtk::glib::ffi::GType;
    use webkit2gtk::glib::gobject_ffi::{
        g_type_class_ref, g_value_get_boxed, g_value_set_boxed, GObject, GObjectClass,
        GObjectConstructParam,
    };

    /// The web process's memory limit in MB; the thresholds are its fractions.
    /// Above WebKit's conservative one (a third, left as it is) the web
    /// process drops caches it can refill (fonts, decoded images, pages).
    const LIMIT_MB: u32 = 64;
    /// Above it also the script's garbage and compiled code (WebKit's default
    /// is half; three quarters measured better, see the README).
    const STRICT: f64 = 0.75;
    /// How often the web process measures itself, in seconds.
    const POLL_SECONDS: f64 = 5.0;

    type Constructor =
        unsafe extern "C" fn(GType, c_uint, *mut GObjectConstructParam) -> *mut GObject;

    /// The original constructor and the settings (a pointer kept for the app's life).
    static ORIGINAL: OnceLock<(Constructor, usize)> = OnceLock::new();

    pub fn limit_memory() {
        let limit_mb = std::env::var("SMART_TILL_WEB_MEMORY_MB")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(LIMIT_MB);
        if limit_mb == 0 || ORIGINAL.get().is_some() {
            return;
        }
        // SAFETY: plain GObject calls on the main thread before GTK starts; the
        // class is referenced for the app's life, so its vtable stays valid.
        unsafe {
            let settings = wk::webkit_memory_pressure_settings_new();
            wk::webkit_memory_pressure_settings_set_memory_limit(settings, limit_mb);
            wk::webkit_memory_pressure_settings_set_strict_threshold(settings, STRICT);
            wk::webkit_memory_pressure_settings_set_poll_interval(settings, POLL_SECONDS);
            let class = g_type_class_ref(wk::webkit_web_context_get_type()) as *mut GObjectClass;
            let Some(original) = (*class).constructor else {
                return;
            };
            let _ = ORIGINAL.set((original, settings as usize));
            (*class).constructor = Some(construct);
        }
    }

    /// The web context's constructor with the memory pressure settings filled in.
    unsafe extern "C" fn construct(
        type_: GType,
        n: c_uint,
        params: *mut GObjectConstructParam,
    ) -> *mut GObject {
        let (original, settings) = *ORIGINAL.get().expect("set before the constructor is");
        for i in 0..n as usize {
            let param = &*params.add(i);
            let name = CStr::from_ptr((*param.pspec).name);
            if name == c"memory-pressure-settings" && g_value_get_boxed(param.value).is_null() {
                // Copies the boxed settings into the value the constructor reads.
                g_value_set_boxed(param.value, settings as *const std::ffi::c_void);
            }
        }
        original(type_, n, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: &[(&str, &str)] = &[
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("JSC_useJIT", "false"),
    ];

    #[test]
    fn a_variable_the_environment_sets_is_left_as_it_is() {
        let all = unset_defaults(DEFAULTS, |_| None);
        assert_eq!(all, DEFAULTS.to_vec());
        let jit_on = unset_defaults(DEFAULTS, |name| {
            (name == "JSC_useJIT").then(|| "true".into())
        });
        assert_eq!(jit_on, vec![("WEBKIT_DISABLE_COMPOSITING_MODE", "1")]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_linux_defaults_name_each_variable_once() {
        let mut names: Vec<_> = LINUX_DEFAULTS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LINUX_DEFAULTS.len());
    }
}
