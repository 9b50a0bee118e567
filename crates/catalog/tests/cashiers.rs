//! Cashiers on a real SQLite file: PIN hashes, login, the wrong-PIN slow-down with a
//! clock the test moves, unique PINs, the owner, and the rights table.

mod common;

use catalog::{requires_manager, Action, CatalogError, ChangeAction, Entity, Limits, Role};
use chrono::Duration;
use common::{owner, shop};
use rusqlite::Connection;
use till::money::Cents;

fn stored_hashes(dir: &std::path::Path) -> Vec<String> {
    let conn = Connection::open(dir.join("catalog.sqlite3")).unwrap();
    let mut stmt = conn.prepare("SELECT pin_hash FROM cashiers").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_owner_first_then_cashiers_with_hashed_unique_pins() {
    let mut s = shop();
    assert!(!s.catalog.has_manager().unwrap());
    let (boss, event) = s.catalog.create_owner("Anna Inhaberin", "2468").unwrap();
    assert_eq!(boss.role, Role::Manager);
    assert_eq!(
        (event.entity, event.action),
        (Entity::Cashier, ChangeAction::Created)
    );
    assert_eq!(event.by.cashier_id, Some(boss.id));
    // the event says a PIN was set, never which
    let json = serde_json::to_string(&event).unwrap();
    assert!(json.contains("\"pin\"") && !json.contains("2468"), "{json}");
    assert!(s.catalog.has_manager().unwrap());
    assert_eq!(
        s.catalog.create_owner("Zweite", "8642").unwrap_err().code(),
        "owner_exists"
    );

    let by = boss.actor();
    let (tom, _) = s
        .catalog
        .create_cashier("Tom", "1357", Role::Cashier, &by)
        .unwrap();
    // PINs are unique among active cashiers, though each hash has its own salt
    let err = s
        .catalog
        .create_cashier("Tina", "1357", Role::Cashier, &by)
        .unwrap_err();
    assert!(matches!(err, CatalogError::PinTaken));
    assert_eq!(
        s.catalog
            .create_cashier("Tina", "123", Role::Cashier, &by)
            .unwrap_err()
            .code(),
        "invalid_pin"
    );
    assert_eq!(
        s.catalog
            .create_cashier("Tina", "1234", Role::Cashier, &by)
            .unwrap_err()
            .code(),
        "weak_pin"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(s.dir.path().join("catalog.sqlite3")).unwrap();
        assert_eq!(
            meta.permissions().mode() & 0o777,
            0o600,
            "only the till's user reads PIN hashes"
        );
    }
    let hashes = stored_hashes(s.dir.path());
    assert_eq!(hashes.len(), 2);
    for h in &hashes {
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(!h.contains("1357") && !h.contains("2468"));
    }
    assert_ne!(hashes[0], hashes[1]);

    // a deactivated cashier's PIN is free again; coming back needs a new one
    s.catalog.deactivate_cashier(tom.id, &by).unwrap().unwrap();
    assert_eq!(
        s.catalog.login("till-1", "1357").unwrap_err().code(),
        "wrong_pin"
    );
    let (tina, _) = s
        .catalog
        .create_cashier("Tina", "1357", Role::Cashier, &by)
        .unwrap();
    assert_eq!(
        s.catalog
            .reactivate_cashier(tom.id, "1357", &by)
            .unwrap_err()
            .code(),
        "pin_taken"
    );
    let back = s.catalog.reactivate_cashier(tom.id, "9753", &by).unwrap();
    assert_eq!(back.action, ChangeAction::Reactivated);
    assert_eq!(s.catalog.login("till-1", "9753").unwrap().id, tom.id);
    assert_eq!(s.catalog.login("till-1", "1357").unwrap().id, tina.id);

    // a PIN change is checked against the others, and logged without the PIN
    assert!(matches!(
        s.catalog.change_pin(tom.id, "1357", &by),
        Err(CatalogError::PinTaken)
    ));
    let e = s.catalog.change_pin(tom.id, "8024", &by).unwrap();
    assert_eq!(e.fields[0].field, "pin");
    assert!(!serde_json::to_string(&e).unwrap().contains("8024"));
    assert_eq!(s.catalog.login("till-1", "8024").unwrap().id, tom.id);
}

#[test]
fn the_last_manager_stays() {
    let mut s = shop();
    let (boss, _) = s.catalog.create_owner("Anna", "2468").unwrap();
    let by = boss.actor();
    assert_eq!(
        s.catalog
            .deactivate_cashier(boss.id, &by)
            .unwrap_err()
            .code(),
        "last_manager"
    );
    assert_eq!(
        s.catalog
            .update_cashier(boss.id, "Anna", Role::Cashier, &by)
            .unwrap_err()
            .code(),
        "last_manager"
    );
    let (second, _) = s
        .catalog
        .create_cashier("Ben", "3579", Role::Manager, &by)
        .unwrap();
    let e = s
        .catalog
        .update_cashier(boss.id, "Anna", Role::Cashier, &by)
        .unwrap()
        .unwrap();
    assert_eq!(e.fields[0].field, "role");
    assert!(s
        .catalog
        .update_cashier(boss.id, "Anna", Role::Cashier, &by)
        .unwrap()
        .is_none());
    assert_eq!(s.catalog.cashier(second.id).unwrap().role, Role::Manager);
}

#[test]
fn wrong_pins_slow_the_till_down() {
    let mut s = shop();
    s.catalog.create_owner("Anna", "2468").unwrap();
    let wrong = |s: &mut common::Shop| s.catalog.login("till-1", "1111").unwrap_err();
    // three free tries
    assert!(matches!(wrong(&mut s), CatalogError::WrongPin));
    assert!(matches!(wrong(&mut s), CatalogError::WrongPin));
    assert!(matches!(wrong(&mut s), CatalogError::WrongPin));
    // then even the right PIN waits
    let locked = s.catalog.login("till-1", "2468").unwrap_err();
    assert!(
        matches!(
            locked,
            CatalogError::PinLocked {
                retry_after_secs: 1
            }
        ),
        "{locked}"
    );
    // another till is not slowed by this one
    assert!(s.catalog.login("till-2", "2468").is_ok());
    s.clock.advance(Duration::seconds(1));
    assert!(matches!(wrong(&mut s), CatalogError::WrongPin)); // the 4th: wait 2 s
    s.clock.advance(Duration::milliseconds(1500));
    assert!(matches!(
        s.catalog.login("till-1", "2468").unwrap_err(),
        CatalogError::PinLocked {
            retry_after_secs: 1
        }
    ));
    s.clock.advance(Duration::milliseconds(500));
    assert!(matches!(wrong(&mut s), CatalogError::WrongPin)); // the 5th: wait 4 s
                                                              // the wait survives a restart of the till
    s.reopen();
    assert!(matches!(
        s.catalog.login("till-1", "2468").unwrap_err(),
        CatalogError::PinLocked {
            retry_after_secs: 4
        }
    ));
    s.clock.advance(Duration::seconds(4));
    assert_eq!(s.catalog.login("till-1", "2468").unwrap().name, "Anna");
    // a right PIN starts the count afresh
    assert!(matches!(wrong(&mut s), CatalogError::WrongPin));
    assert!(matches!(wrong(&mut s), CatalogError::WrongPin));
    assert!(s.catalog.login("till-1", "2468").is_ok());
}

#[test]
fn rights_and_a_managers_pin_on_the_spot() {
    let limits = Limits::default();
    assert!(!requires_manager(Action::Sell, Cents(0), &limits));
    for a in [
        Action::CancelSale,
        Action::CloseDay,
        Action::Settings,
        Action::Catalogue,
        Action::Cashiers,
    ] {
        assert!(requires_manager(a, Cents(0), &limits), "{a:?}");
    }
    assert!(!requires_manager(Action::CashOut, Cents(50_00), &limits));
    assert!(requires_manager(Action::CashOut, Cents(50_01), &limits));
    assert!(!requires_manager(Action::Discount, Cents(5_00), &limits));
    assert!(requires_manager(Action::Discount, Cents(5_01), &limits));
    let strict = Limits {
        cash_out: Cents(0),
        discount: Cents(0),
    };
    assert!(requires_manager(Action::Discount, Cents(1), &strict));

    let mut s = shop();
    let (boss, _) = s.catalog.create_owner("Anna", "2468").unwrap();
    let (tom, _) = s
        .catalog
        .create_cashier("Tom", "1357", Role::Cashier, &boss.actor())
        .unwrap();
    assert!(tom.may(Action::Sell, Cents(0), &limits));
    assert!(!tom.may(Action::CancelSale, Cents(0), &limits));
    assert!(boss.may(Action::CancelSale, Cents(0), &limits));

    // Tom's cancellation: a cashier's PIN is not enough, a manager's allows this one action
    let refused = s
        .catalog
        .authorise("till-1", Action::CancelSale, Cents(349), "1357");
    assert_eq!(refused.unwrap_err().code(), "not_a_manager");
    let ok = s
        .catalog
        .authorise("till-1", Action::CancelSale, Cents(349), "2468")
        .unwrap();
    assert_eq!(
        (ok.manager_id, ok.action, ok.amount),
        (boss.id, Action::CancelSale, Cents(349))
    );
    let other = s
        .catalog
        .authorise("till-1", Action::CancelSale, Cents(349), "2468")
        .unwrap();
    assert_ne!(ok.id, other.id, "each authorisation is its own");
    assert_eq!(
        s.catalog
            .authorise("till-1", Action::CloseDay, Cents(0), "9999")
            .unwrap_err()
            .code(),
        "wrong_pin"
    );
    let _ = owner();
}
