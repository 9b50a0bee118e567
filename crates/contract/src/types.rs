//! Each source's contract types: the types that cross to the UI as command
//! arguments and answers, and the types those refer to.

use ts_rs::Config;

use crate::Decl;

/// Types of libraries the contract types refer to.
pub fn support(cfg: &Config) -> Vec<Decl> {
    decls![cfg; serde_json::Value]
}

pub fn secuconnect(cfg: &Config) -> Vec<Decl> {
    use secuconnect::{LockStatus, StockStatus};
    decls![cfg; LockStatus, StockStatus]
}

pub fn receipt(cfg: &Config) -> Vec<Decl> {
    use receipt::{PaymentLine, ProviderLine, Receipt, ReceiptLine, ShopHeader, VatLine};
    decls![cfg; ShopHeader, ReceiptLine, VatLine, PaymentLine, ProviderLine, Receipt]
}

pub fn till(cfg: &Config) -> Vec<Decl> {
    use till::basket::{LineKind, VatTotal};
    use till::catalog::Article;
    use till::journal::RefusedSale;
    use till::secucard::{CardSplit, Secucard};
    use till::{Basket, BasketLine, Cents, CompletedSale, PaymentMethod, VatRate};
    decls![cfg;
        Cents, VatRate, PaymentMethod, Article, LineKind, BasketLine, Basket, VatTotal,
        CompletedSale, Secucard, CardSplit, RefusedSale,
    ]
}

pub fn catalog(_cfg: &Config) -> Vec<Decl> {
    decls![_cfg;]
}
