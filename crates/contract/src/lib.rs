//! The command contract's TypeScript side, generated from the Rust types that
//! cross to the UI, so that the two cannot drift apart.
//!
//! [`typescript`] renders every contract type's declaration into the text of
//! `ui/src/lib/generated/contract.ts`; the test `generated_types_are_current`
//! fails when the committed file differs, and `UPDATE_CONTRACT=1 cargo test -p
//! contract` writes it anew.

use std::collections::BTreeSet;

use ts_rs::{Config, TS};

/// The generated file, from the workspace root.
pub const GENERATED_FILE: &str = "ui/src/lib/generated/contract.ts";

/// One TypeScript declaration of a contract type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    /// The type's name in TypeScript.
    pub name: String,
    /// The names of the contract types its declaration refers to.
    pub uses: Vec<String>,
    /// `export type Name = …;`, with the Rust doc comments as JSDoc.
    pub text: String,
}

/// The declaration of `T` as the generated file holds it.
pub fn decl<T: TS + 'static>(cfg: &Config) -> Decl {
    let mut text = T::docs().unwrap_or_default();
    text.push_str("export ");
    text.push_str(&layout::lay_out(&T::decl(cfg)));
    Decl {
        name: T::ident(cfg),
        uses: T::dependencies(cfg)
            .into_iter()
            .map(|d| d.ts_name)
            .collect(),
        text,
    }
}

/// The declarations of a list of types, in the order given.
macro_rules! decls {
    ($cfg:expr; $($ty:ty),* $(,)?) => {
        vec![$($crate::decl::<$ty>($cfg)),*]
    };
}

mod layout;
mod types;

/// The types one source (a crate) gives the contract.
pub struct Section {
    /// Where the Rust types live (a crate's name).
    pub source: &'static str,
    pub decls: fn(&Config) -> Vec<Decl>,
}

/// Every source of contract types, in the order the file lists them. A new
/// crate's types: a function in `types.rs` and one line here.
pub const SECTIONS: &[Section] = &[
    Section {
        source: "serde_json",
        decls: types::support,
    },
    Section {
        source: "secuconnect",
        decls: types::secuconnect,
    },
    Section {
        source: "receipt",
        decls: types::receipt,
    },
    Section {
        source: "till",
        decls: types::till,
    },
    Section {
        source: "catalog",
        decls: types::catalog,
    },
    Section {
        source: "till-app",
        decls: types::till_app,
    },
];

/// How the types are rendered. Every integer is a JSON number (serde writes
/// `i64` and `u64` as numbers, and amounts in cents and counts stay far below
/// 2^53), so the large integers are `number`, not ts-rs's default `bigint`.
pub fn config() -> Config {
    Config::new().with_large_int("number")
}

/// Every contract declaration, by section.
pub fn sections() -> Vec<(&'static str, Vec<Decl>)> {
    let cfg = config();
    SECTIONS
        .iter()
        .map(|s| (s.source, (s.decls)(&cfg)))
        .collect()
}

const HEADER: &str = "\
// Generated from the Rust types by crates/contract: do not edit by hand.
// To regenerate after changing a contract type:
//   UPDATE_CONTRACT=1 cargo test -p contract
// The shapes are exactly the JSON serde writes and reads (docs/commands.md).
";

/// The text of the generated file: every contract type's declaration, in a fixed order.
pub fn typescript() -> String {
    let mut out = String::from(HEADER);
    for (source, decls) in sections() {
        out.push_str(&format!("\n// ---------- from {source} ----------\n"));
        for d in decls {
            out.push('\n');
            out.push_str(&d.text);
            out.push('\n');
        }
    }
    out
}

/// What would make the file wrong for TypeScript: a name declared twice, or a
/// type referred to but not declared.
pub fn problems() -> Vec<String> {
    let all: Vec<Decl> = sections().into_iter().flat_map(|(_, d)| d).collect();
    problems_in(&all)
}

fn problems_in(all: &[Decl]) -> Vec<String> {
    let mut declared = BTreeSet::new();
    let mut problems = Vec::new();
    for d in all {
        if !declared.insert(d.name.as_str()) {
            problems.push(format!("`{}` is declared twice", d.name));
        }
    }
    for d in all {
        for used in &d.uses {
            if !declared.contains(used.as_str()) {
                problems.push(format!(
                    "`{}` uses `{used}`, which is not in the contract",
                    d.name
                ));
            }
        }
    }
    problems
}

/// Whether `committed` (the file's text) is what the Rust types give; if not,
/// what to do about it.
pub fn check_current(committed: &str) -> Result<(), String> {
    let fresh = typescript();
    if committed == fresh {
        return Ok(());
    }
    let first = committed
        .lines()
        .zip(fresh.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
    Err(format!(
        "{GENERATED_FILE} is stale: the Rust contract types changed (first difference at line {}).\n\
         Regenerate it with `UPDATE_CONTRACT=1 cargo test -p contract` and commit it.",
        first + 1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_stale_and_says_where_and_what_to_do() {
        let fresh = typescript();
        assert_eq!(check_current(&fresh), Ok(()));
        let edited = fresh.replacen("total: Cents", "total: number", 1);
        assert_ne!(edited, fresh);
        let line = fresh
            .lines()
            .position(|l| l.contains("total: Cents"))
            .unwrap()
            + 1;
        let e = check_current(&edited).unwrap_err();
        assert!(
            e.contains(&format!("first difference at line {line}")),
            "{e}"
        );
        assert!(
            e.contains("UPDATE_CONTRACT=1 cargo test -p contract"),
            "{e}"
        );
        // A missing file reads as empty: stale at its first line.
        assert!(check_current("").unwrap_err().contains("line 1"));
    }

    #[test]
    fn a_name_twice_or_a_type_left_out_is_named() {
        use till::{basket::VatTotal, Cents, VatRate};
        let cfg = config();
        let all = decls![&cfg; Cents, VatRate, VatTotal, Cents];
        assert_eq!(problems_in(&all), vec!["`Cents` is declared twice"]);
        let all = decls![&cfg; VatRate, VatTotal];
        assert_eq!(
            problems_in(&all),
            vec!["`VatTotal` uses `Cents`, which is not in the contract"]
        );
    }

    #[test]
    fn the_file_has_every_section_in_order_with_its_header() {
        let text = typescript();
        assert!(text.starts_with("// Generated from the Rust types by crates/contract"));
        let at = |s: &str| {
            text.find(&format!("// ---------- from {s} ----------"))
                .unwrap()
        };
        let order: Vec<usize> = SECTIONS.iter().map(|s| at(s.source)).collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]));
        assert!(text.contains("export type Cents = number;"));
    }
}
