//! The simulator's integration tests, one binary: each file here is a module. One binary
//! compiles the shared code and the generic code of the dependencies once and
//! links once, where a binary per file did it per file. A test file added
//! directly under `tests/` still runs as a binary of its own.

#[path = "../common/mod.rs"]
mod common;

mod checkout;
mod concurrency;
mod guides;
mod keep_newest;
mod oauth_and_faults;
mod resting;
mod robustness;
mod standalone;
mod terminal;
mod transactions_and_cards;
