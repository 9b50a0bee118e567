//! Which actions need a manager: one table, one function.

use serde::{Deserialize, Serialize};
use till::money::Cents;

/// What someone at the till wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Sell,
    /// Cancel a sale or a line after it was paid (Storno).
    CancelSale,
    CloseDay,
    Settings,
    /// Create, change, import or deactivate articles and groups.
    Catalogue,
    /// Create and change cashiers.
    Cashiers,
    /// Take cash out of the drawer (Privatentnahme, Geldtransit).
    CashOut,
    /// A discount on a line or a sale.
    Discount,
}

/// When an action needs a manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Anyone,
    Manager,
    /// A manager when the amount is above the limit of that name.
    ManagerAbove(Limit),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    CashOut,
    Discount,
}

/// The rights table.
pub const RIGHTS: &[(Action, Rule)] = &[
    (Action::Sell, Rule::Anyone),
    (Action::CancelSale, Rule::Manager),
    (Action::CloseDay, Rule::Manager),
    (Action::Settings, Rule::Manager),
    (Action::Catalogue, Rule::Manager),
    (Action::Cashiers, Rule::Manager),
    (Action::CashOut, Rule::ManagerAbove(Limit::CashOut)),
    (Action::Discount, Rule::ManagerAbove(Limit::Discount)),
];

/// The amounts a cashier may handle alone (a shop setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Limits {
    pub cash_out: Cents,
    pub discount: Cents,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cash_out: Cents(50_00),
            discount: Cents(5_00),
        }
    }
}

pub fn rule(action: Action) -> Rule {
    RIGHTS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(Rule::Manager, |(_, r)| *r) // an action missing from the table is a manager's
}

/// Whether `action` over `amount` (cents; zero where no amount applies) needs a manager.
pub fn requires_manager(action: Action, amount: Cents, limits: &Limits) -> bool {
    match rule(action) {
        Rule::Anyone => false,
        Rule::Manager => true,
        Rule::ManagerAbove(Limit::CashOut) => amount > limits.cash_out,
        Rule::ManagerAbove(Limit::Discount) => amount > limits.discount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_row() {
        use Action::*;
        for a in [
            Sell, CancelSale, CloseDay, Settings, Catalogue, Cashiers, CashOut, Discount,
        ] {
            assert_eq!(RIGHTS.iter().filter(|(x, _)| *x == a).count(), 1, "{a:?}");
        }
    }
}
