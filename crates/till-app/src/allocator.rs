//! The app process's allocator (glibc's malloc on Linux): how much freed
//! memory it may keep. Called by the desktop shell; elsewhere nothing to do.

/// Two arenas instead of eight per core, and fixed thresholds, set before
/// the app's threads start (glibc read `MALLOC_ARENA_MAX` before the shell
/// set it for the web view's processes).
///
/// glibc raises its mmap threshold to the size of the largest block freed so
/// far: after the first cashier PIN check (Argon2 takes a 19 MiB block) every
/// block below 19 MiB came from the heap for the rest of the day, and freed
/// heap was kept up to twice that before being handed back. Fixed at their
/// classic defaults, a large block is its own mapping, returned to the system
/// the moment it is freed.
pub fn limit() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes limits of the allocator; no pointer is passed.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}

/// Hands memory that was freed back to the system. glibc keeps freed pages
/// of its arenas for reuse; a till that sold a burst in the morning should
/// not hold that memory all day. Cheap: called every few seconds.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}
