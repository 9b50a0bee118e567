//! The till's integration tests, one binary: each file here is a module. One binary
//! compiles the shared code and the generic code of the dependencies once and
//! links once, where a binary per file did it per file. A test file added
//! directly under `tests/` still runs as a binary of its own.

#[path = "../common/mod.rs"]
mod common;

mod cash_day;
mod cash_sale;
mod cashier_entries;
mod closing;
mod crash;
mod drift;
mod journal;
mod journal_search;
mod old_schema;
mod outbox;
mod payments;
mod secucard;
mod tse;
mod tse_events;
mod tse_verify;
mod verify;
