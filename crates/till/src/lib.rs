//! The till's domain: money and VAT, the basket, the sale and how it is paid,
//! the journal that keeps every sale.

pub mod basket;
pub mod catalog;
pub mod checkout;
pub mod journal;
pub mod money;
pub mod receipt_doc;

pub use basket::{Basket, BasketLine};
pub use checkout::{Checkout, CheckoutError, CompletedSale};
pub use journal::{Journal, JournalError};
pub use money::{Cents, VatRate};
