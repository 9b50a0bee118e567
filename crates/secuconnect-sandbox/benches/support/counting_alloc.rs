//! A global allocator that counts the live heap, for the memory benches
//! (this crate's and `crates/till`'s, which includes this file by path).
//! Install it in a bench with `#[global_allocator]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

/// Live heap bytes, kept by `Counting`.
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// The bytes allocated and not yet freed, as the program asked for them.
pub fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

pub struct Counting;

// SAFETY: every call is passed on to the system allocator unchanged; only a counter is kept beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        System.realloc(ptr, layout, new_size)
    }
}
