//! The receipt printers' integration tests, one binary: each file here is a module. One binary
//! compiles the shared code and the generic code of the dependencies once and
//! links once, where a binary per file did it per file. A test file added
//! directly under `tests/` still runs as a binary of its own.

#[path = "../common/mod.rs"]
mod common;

mod cups;
mod escpos_golden;
mod network_and_queue;
mod pdf;
mod serial_pty;
