//! The demo shop's master data: a bakery café's groups and articles, a cashier and a manager.
//!
//! | who            | role    | PIN  |
//! |----------------|---------|------|
//! | Demo Kasse     | cashier | 1357 |
//! | Demo Chefin    | manager | 2468 |

use till::money::{Cents, VatRate};

use crate::articles::{ArticleDraft, Unit};
use rusqlite::OptionalExtension;

use crate::cashiers::Role;
use crate::changes::Actor;
use crate::codes;
use crate::error::{CatalogError, Result};
use crate::groups::GroupDraft;
use crate::Catalog;

pub const DEMO_CASHIER_PIN: &str = "1357";
pub const DEMO_MANAGER_PIN: &str = "2468";

/// Scale labels of the demo: loose pralines by weight (prefix 28) and cake by price (22).
pub const DEMO_WEIGHT_BASE: &str = "2800010000001";
pub const DEMO_PRICE_BASE: &str = "2200020000006";

/// Which group each of the till's demo articles belongs to, by article number.
fn group_of(number: &str) -> &'static str {
    match number {
        "30037" | "30200" => "20",
        "51" => "30",
        "1001" | "1002" => "10",
        "2001" | "2002" => "40",
        _ => "90",
    }
}

/// The `meta` key whose row says the demo shop was seeded into this catalogue.
const DEMO_SEEDED: &str = "demo_seeded";

impl Catalog {
    /// Seeds the demo shop into this catalogue, exactly once in its life, whoever
    /// opens it first (the till, or the command line's import). A marker row
    /// says it was done, not emptiness: articles imported before the first
    /// seeding stay as they are (their numbers, EANs and group codes win), the
    /// rest of the demo shop is added around them; after the seeding, nothing
    /// the shop changed or deleted comes back.
    pub fn load_demo(&mut self) -> Result<()> {
        if self.demo_seeded()? {
            return Ok(());
        }
        let manager = match self
            .cashiers()?
            .into_iter()
            .find(|c| c.role == Role::Manager)
        {
            Some(m) => m,
            None => {
                let (manager, _) = self.create_owner("Demo Chefin", DEMO_MANAGER_PIN)?;
                let by = manager.actor();
                self.create_cashier("Demo Kasse", DEMO_CASHIER_PIN, Role::Cashier, &by)?;
                manager
            }
        };
        let by = manager.actor();
        let mut groups = self.groups()?;
        for (code, name, vat, colour) in [
            ("10", "Backwaren", VatRate::Reduced, "#F9A825"),
            ("20", "Speisen", VatRate::Reduced, "#7CB342"),
            ("30", "Kaltgetränke", VatRate::Standard, "#039BE5"),
            ("40", "Heißgetränke", VatRate::Standard, "#6D4C41"),
            ("50", "Süßwaren", VatRate::Reduced, "#D81B60"),
            ("90", "Sonstiges", VatRate::Standard, "#757575"),
        ] {
            if groups.iter().any(|g| g.code == code) {
                continue;
            }
            groups.push(
                self.create_group(GroupDraft::new(code, name, vat, colour), &by)?
                    .0,
            );
        }
        let group = |code: &str| groups.iter().find(|g| g.code == code).map(|g| g.id);
        for a in till::catalog::demo_articles() {
            let mut draft = ArticleDraft::new(&a.article_number, &a.text, a.price, a.vat);
            draft.group = group(group_of(&a.article_number));
            // The provider's sample EAN has a wrong check digit, which no scanner would read:
            // the demo keeps its first twelve digits with the right check digit.
            draft.eans = a.ean.iter().map(|e| corrected(e)).collect();
            self.create_demo_article(draft, &by)?;
        }
        let mut pralines =
            ArticleDraft::new("5001", "Pralinen lose", Cents(59_90), VatRate::Reduced);
        pralines.unit = Unit::Kg;
        pralines.group = group("50");
        pralines.eans = vec![DEMO_WEIGHT_BASE.into()];
        self.create_demo_article(pralines, &by)?;
        let mut cake = ArticleDraft::new("1010", "Kuchen vom Blech", Cents(0), VatRate::Reduced);
        cake.open_price = true;
        cake.group = group("10");
        cake.eans = vec![DEMO_PRICE_BASE.into()];
        self.create_demo_article(cake, &by)?;
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            rusqlite::params![DEMO_SEEDED, self.clock.now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// Was the demo shop seeded into this catalogue?
    pub fn demo_seeded(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM meta WHERE key = ?1", [DEMO_SEEDED], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    /// A demo article, unless the shop's own has its number or one of its EANs.
    fn create_demo_article(&mut self, draft: ArticleDraft, by: &Actor) -> Result<()> {
        match self.create_article(draft, by) {
            Ok(_) | Err(CatalogError::NumberTaken(_)) | Err(CatalogError::EanTaken { .. }) => {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

fn corrected(ean: &str) -> String {
    let digits: Vec<u8> = ean.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    match digits.split_last() {
        Some((_, payload)) if digits.iter().all(|d| *d < 10) && codes::parse(ean).is_err() => {
            let mut fixed = ean[..ean.len() - 1].to_string();
            fixed.push(char::from(b'0' + codes::check_digit(payload)));
            fixed
        }
        _ => ean.to_string(),
    }
}

/// A generated article list of `n` lines in the import format (UTF-8 with BOM, `;`,
/// decimal comma, CRLF): numbers from 10000, an EAN each, umlauts in the texts, ten
/// groups. For trying the import at a shop's scale, in tests and in the bench.
pub fn generated_csv(n: u32) -> Vec<u8> {
    const GROUPS: [&str; 10] = [
        "Obst",
        "Gemüse",
        "Molkerei",
        "Backwaren",
        "Getränke",
        "Süßwaren",
        "Drogerie",
        "Haushalt",
        "Tiefkühl",
        "Feinkost",
    ];
    const WORDS: [&str; 8] = [
        "Äpfel",
        "Brötchen",
        "Käse",
        "Müsli",
        "Öl",
        "Süßstoff",
        "Grüntee",
        "Weißbrot",
    ];
    let mut out = String::from("\u{feff}Artikelnummer;EAN;Bezeichnung;Preis;MwSt;Warengruppe\r\n");
    for i in 0..n {
        let payload: Vec<u8> = format!("400{:09}", i).bytes().map(|b| b - b'0').collect();
        let ean = format!("400{:09}{}", i, codes::check_digit(&payload));
        let price = crate::csv_io::format_price(Cents(i64::from(i % 20_000) * 7 + 19));
        let vat = if i % 3 == 0 { 19 } else { 7 };
        out.push_str(&format!(
            "{};{};\"{} {}; Sorte {}\";{};{};{}\r\n",
            10_000 + i,
            ean,
            WORDS[(i % 8) as usize],
            i,
            i % 97,
            price,
            vat,
            GROUPS[(i % 10) as usize]
        ));
    }
    out.into_bytes()
}
