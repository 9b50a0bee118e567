//! A realistic journal written through the real checkout against the embedded
//! simulators (secuconnect and fiskaly on loopback): cash and card sales,
//! secucard loads and payments, line and basket discounts, cancellations,
//! returns, the opening float and cash movements of every reason, two
//! cashiers taking turns, a closing per day (now and then with a counting
//! difference), every receipt signed by the TSE (or recorded as failed
//! while it is down). Business days lie in the past: the journal's clock
//! (`journal::testing::set_clock`) and the TSE simulator's (`set_clock`) are
//! set for every step, so nothing else of the till needs to know.
//!
//! Shared by `cargo run -p till --example demo-journal` and the tests and
//! benches of the tax audit export (`crates/dsfinvk`, through `#[path]`).
//! Journal writes take the clock of the thread that writes: run it on a
//! current-thread tokio runtime.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Days, Local, NaiveDate, TimeZone};
use receipt::ShopHeader;
use secuconnect::{CancellationToken, Client, ClientConfig, Credentials, Device, Secret};
use secuconnect_sandbox::{demo, SandboxConfig};
use till::basket::{Basket, BasketLine};
use till::cash_movement::CashReason;
use till::closing::CashMovement;
use till::discount::{self, Discount};
use till::journal::{testing, CashierRef};
use till::returns::ReturnLine;
use till::{Cents, Checkout, Closing, Journal, Tse, VatRate};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The secucard the demo customers load and pay with.
pub const CARD: &str = demo::CARD_BONUS;

/// What to write.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Business days, the last one today.
    pub days: u32,
    pub sales_per_day: u32,
    /// Receipts of the first day made while the TSE is down.
    pub tse_outage: u32,
    /// Seeds the choice of baskets and payments (same seed, same journal
    /// but for times, ids and signatures).
    pub seed: u64,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            days: 3,
            sales_per_day: 20,
            tse_outage: 2,
            seed: 7,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub sales: u32,
    pub cancellations: u32,
    pub card_sales: u32,
    pub card_loads: u32,
    pub secucard_payments: u32,
    pub tse_failed: u32,
    pub returns: u32,
    /// Cash movements booked as receipts (every reason, every day).
    pub movements: u32,
    /// Sales with a line or basket discount.
    pub discounted: u32,
    /// Baskets cleared without a sale (`AVBelegabbruch`), one a day.
    pub aborted: u32,
    pub closings: Vec<Closing>,
}

/// The two cashiers who take turns at the till (the first in the morning).
pub fn cashiers() -> [CashierRef; 2] {
    [
        CashierRef {
            id: "1".into(),
            name: "Anna Schmidt".into(),
        },
        CashierRef {
            id: "2".into(),
            name: "Jonas Weber".into(),
        },
    ]
}

/// The shop's articles: number, text, GTIN, price, rate. Texts with
/// umlauts, `"` and `;`, as shops name things.
const ARTICLES: &[(&str, &str, Option<&str>, i64, VatRate)] = &[
    (
        "1001",
        "Brötchen",
        Some("4006381333931"),
        45,
        VatRate::Reduced,
    ),
    ("1002", "Roggenbrot 1 kg", None, 429, VatRate::Reduced),
    ("1003", "Käsekuchen", None, 380, VatRate::Reduced),
    (
        "2001",
        "Kaffee \"Crema\"; groß",
        None,
        320,
        VatRate::Standard,
    ),
    (
        "2002",
        "Apfelschorle 0,5 l",
        Some("40084015"),
        250,
        VatRate::Standard,
    ),
    ("2003", "Süßes Gebäck", None, 195, VatRate::Reduced),
    ("9001", "Tragetasche", None, 20, VatRate::Standard),
];

/// xorshift64*: a small deterministic generator (no dependency for a demo).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n.max(1)
    }
}

/// One till with both simulators, its journal file and a settable clock.
pub struct DemoTill {
    pub sandbox: secuconnect_sandbox::RunningSandbox,
    pub tse_sandbox: fiskaly_sandbox::RunningSandbox,
    pub client: Client,
    pub tse: Tse,
    pub journal: Mutex<Journal>,
    pub shop: ShopHeader,
}

impl DemoTill {
    /// Starts the simulators on loopback and opens (or creates) the journal at `path`.
    pub async fn open(path: &Path) -> Result<Self, Error> {
        let sandbox = secuconnect_sandbox::start_demo().await?;
        sandbox.state.configure(SandboxConfig {
            terminal_delay_ms: Some(0),
            ..SandboxConfig::default()
        })?;
        let client = Client::new(
            ClientConfig::new(
                sandbox.url(),
                Credentials {
                    client_id: demo::DEMO_CLIENT_ID.into(),
                    client_secret: Secret::new(demo::DEMO_CLIENT_SECRET),
                },
            )
            .with_timeout(Duration::from_secs(10))
            .with_terminal_timeout(Duration::from_secs(10)),
        )?;
        let tse_sandbox = fiskaly_sandbox::start_demo().await?;
        let tse_client = fiskaly::Client::new(
            fiskaly::ClientConfig::new(
                tse_sandbox.url(),
                fiskaly::Credentials {
                    api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
                    api_secret: fiskaly::Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
                },
            )
            .with_timeout(Duration::from_secs(2)),
        )?;
        let tse = Tse::new(
            tse_client,
            fiskaly_sandbox::DEMO_TSS_ID,
            fiskaly_sandbox::DEMO_CLIENT_ID,
        );
        Ok(Self {
            sandbox,
            tse_sandbox,
            client,
            tse,
            journal: Mutex::new(Journal::open(path)?),
            shop: ShopHeader {
                name: "Bäckerei Müller".into(),
                address_lines: vec!["Hauptstraße 1".into(), "10115 Berlin".into()],
                vat_id: Some("DE123456789".into()),
                footer: None,
            },
        })
    }

    pub fn checkout(&self) -> Checkout<'_> {
        Checkout {
            client: &self.client,
            journal: &self.journal,
            shop: self.shop.clone(),
            till_id: "KASSE-1",
            demo: true,
            tse: Some(&self.tse),
        }
    }

    /// Stamps what follows with `at`: the journal's entries (this thread's
    /// writes) and the TSE's log times.
    pub fn set_clock(&self, at: DateTime<Local>) {
        testing::set_clock(Some(at));
        self.tse_sandbox.state.set_clock(Some(at.timestamp()));
    }

    /// The TSE down (its port closed) or back.
    pub async fn tse_down(&self, down: bool) {
        self.tse_sandbox.set_offline(down).await;
    }

    /// A basket of 1–4 articles, now and then with a line discount (10 %)
    /// or a discount on the whole basket (5 % or 1 €), as the till's
    /// discount dialog gives them.
    pub fn basket(&self, rng: &mut Rng) -> Basket {
        let n = 1 + rng.below(4) as usize;
        let lines = (0..n)
            .map(|_| {
                let (nr, text, gtin, price, vat) =
                    ARTICLES[rng.below(ARTICLES.len() as u64) as usize];
                let mut line =
                    BasketLine::article(text, 1 + rng.below(3) as i64, Cents(price), vat);
                line.article_number = Some(nr.into());
                line.ean = gtin.map(str::to_string);
                line
            })
            .collect();
        let basket = Basket { lines, card: None };
        let rules: Vec<Option<Discount>> = (0..n)
            .map(|_| (rng.below(8) == 0).then_some(Discount::Percent { percent: 10 }))
            .collect();
        let on_basket = match rng.below(10) {
            0 => Some(Discount::Percent { percent: 5 }),
            1 if basket.total() > Cents(100) => Some(Discount::Amount { amount: Cents(100) }),
            _ => None,
        };
        discount::apply(&basket, &rules, on_basket).expect("a valid discount")
    }

    /// A basket filled and cleared without a sale (the customer changed
    /// their mind): the TSE signs it as `AVBelegabbruch`, the journal keeps
    /// its lines. Cheese by weight (0,347 kg at 18,90 €/kg) and a coffee.
    pub async fn abort_basket(&self) -> Result<(), Error> {
        let weighed = till::basket::Weighed {
            grams: 347,
            price_per_kg: Cents(1890),
        };
        let mut cheese = BasketLine::article(
            "Bergkäse 0,347 kg x 18,90 €/kg",
            1,
            weighed.price().expect("a price"),
            VatRate::Reduced,
        );
        cheese.article_number = Some("5002".into());
        cheese.weighed = Some(weighed);
        let (nr, text, _, price, vat) = ARTICLES[3];
        let mut coffee = BasketLine::article(text, 1, Cents(price), vat);
        coffee.article_number = Some(nr.into());
        let basket = Basket {
            lines: vec![cheese, coffee],
            card: None,
        };
        let checkout = self.checkout();
        checkout.basket_started().await?;
        checkout.basket_abandoned(Some(&basket)).await?;
        Ok(())
    }

    /// A cash sale; the customer gives the next full ten euros.
    pub async fn cash_sale(&self, basket: &Basket) -> Result<i64, Error> {
        let tendered = Cents((basket.total().0 / 1000 + 1) * 1000);
        let sale = self.checkout().pay_cash(basket, Some(tendered)).await?;
        Ok(sale.receipt_number as i64)
    }

    /// A card sale on the terminal. The simulated terminal treats totals
    /// ending in 13–16 cents specially (declined, aborted…): a bag is added.
    pub async fn card_sale(&self, basket: &Basket) -> Result<i64, Error> {
        let mut basket = basket.clone();
        while (13..=16).contains(&(basket.total().0 % 100)) {
            let (nr, text, _, price, vat) = ARTICLES[ARTICLES.len() - 1];
            let mut bag = BasketLine::article(text, 1, Cents(price), vat);
            bag.article_number = Some(nr.into());
            basket.lines.push(bag);
        }
        let sale = self
            .checkout()
            .pay_card(&basket, &CancellationToken::new())
            .await?;
        Ok(sale.receipt_number as i64)
    }

    /// Loads the demo secucard, paid in cash or on the terminal.
    pub async fn card_load(&self, amount: Cents, by_card: bool) -> Result<i64, Error> {
        let checkout = self.checkout();
        let sale = if by_card {
            let basket = checkout.card_load(CARD, amount).await?;
            checkout
                .pay_card(&basket, &CancellationToken::new())
                .await?
        } else {
            checkout.load_secucard_cash(CARD, amount, None).await?
        };
        Ok(sale.receipt_number as i64)
    }

    /// Pays from the demo secucard's balance, the rest in cash.
    pub async fn secucard_sale(&self, basket: &Basket) -> Result<i64, Error> {
        let tendered = Cents((basket.total().0 / 1000 + 1) * 1000);
        let sale = self
            .checkout()
            .pay_secucard(basket, CARD, None, Some(tendered))
            .await?;
        Ok(sale.receipt_number as i64)
    }

    /// The demo secucard's balance.
    pub async fn card_balance(&self) -> Result<Cents, Error> {
        Ok(self.checkout().secucard(CARD).await?.balance)
    }

    /// Cancels a receipt (a counter-booking with its own receipt number).
    pub async fn cancel(&self, receipt_number: i64, reason: &str) -> Result<i64, Error> {
        let c = self
            .checkout()
            .cancel_sale(receipt_number, reason, &CancellationToken::new())
            .await?;
        Ok(c.receipt_number)
    }

    /// Cash in or out for `reason`, signed by the TSE, with its receipt number.
    pub async fn movement(
        &self,
        reason: CashReason,
        amount: Cents,
        note: &str,
    ) -> Result<i64, Error> {
        let booked = self
            .checkout()
            .cash_movement(reason, amount, note, None)
            .await?;
        Ok(booked.record.receipt_number)
    }

    /// Takes one unit of the first line of `receipt_number` back, in cash.
    pub async fn take_back(&self, receipt_number: i64) -> Result<i64, Error> {
        let line = ReturnLine {
            line: 0,
            quantity: 1,
        };
        let booked = self
            .checkout()
            .take_back(receipt_number, &[line], None)
            .await?;
        Ok(booked.record.receipt_number)
    }

    /// The opening float, as the till asks for it before the first sale.
    /// Signed by the TSE as the app's is (an `AVTransfer`).
    pub async fn set_float(&self, amount: Cents) -> Result<(), Error> {
        self.checkout().set_opening_float(amount).await?;
        Ok(())
    }

    /// Who is logged in from now on.
    pub fn log_in(&self, cashier: &CashierRef) -> Result<(), Error> {
        let mut j = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        Ok(j.set_cashier(Some(cashier))?)
    }

    /// An entry of cash in or out without a reason, as older tills wrote it.
    pub fn cash_movement(&self, m: CashMovement, amount: Cents, note: &str) -> Result<(), Error> {
        let mut j = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        Ok(j.record_cash_movement(m, amount, note)?)
    }

    /// Closes the day: the terminal's end of day, the cash counted as
    /// expected plus `difference`.
    pub async fn close(&self, difference: Cents) -> Result<Closing, Error> {
        let expected = self
            .journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .day_figures()?
            .cash_expected;
        let counted = Cents((expected.0 + difference.0).max(0));
        Ok(self
            .checkout()
            .close_day(counted, Some(&Device::Me), &CancellationToken::new())
            .await?)
    }
}

/// When a business day's receipts are made: 08:00–20:00 on past days;
/// today the hours before now (from midnight at the earliest).
pub fn opening_hours(day: NaiveDate, now: DateTime<Local>) -> (DateTime<Local>, DateTime<Local>) {
    let at = |h: u32| {
        Local
            .from_local_datetime(&day.and_hms_opt(h, 0, 0).expect("a valid hour"))
            .earliest()
            .expect("a time of the day")
    };
    if day < now.date_naive() {
        (at(8), at(20))
    } else {
        let midnight = at(0);
        let end = now - chrono::Duration::minutes(1);
        let start = (end - chrono::Duration::hours(10)).max(midnight);
        (start, end.max(midnight))
    }
}

/// Writes `plan` into the journal at `path` (created, or continued).
pub async fn generate(path: &Path, plan: &Plan) -> Result<Written, Error> {
    let till = DemoTill::open(path).await?;
    let mut rng = Rng::new(plan.seed);
    let mut w = Written::default();
    let now = Local::now();
    let first = now.date_naive() - Days::new(u64::from(plan.days.saturating_sub(1)));
    for d in 0..plan.days {
        let day = first + Days::new(u64::from(d));
        let (open, close) = opening_hours(day, now);
        let n = plan.sales_per_day.max(1);
        let step = (close - open) / (i32::try_from(n).unwrap_or(i32::MAX) + 2);
        till.set_clock(open);
        let [first, second] = cashiers();
        till.log_in(&first)?;
        till.set_float(Cents(15_000)).await?;
        let mut cancellable: Vec<i64> = Vec::new();
        let outage = if d == 0 {
            n / 2..n / 2 + plan.tse_outage
        } else {
            0..0
        };
        for i in 0..n {
            till.set_clock(open + step * (i32::try_from(i).unwrap_or(0) + 1));
            if i == n / 2 {
                till.log_in(&second)?;
            }
            if i == 1 {
                // Change fetched and the owner's money put in, after the first sale.
                till.movement(CashReason::ChangeFetched, Cents(2_000), "")
                    .await?;
                till.movement(CashReason::PrivateDeposit, Cents(3_000), "")
                    .await?;
                w.movements += 2;
            }
            let down = outage.contains(&i);
            if down {
                till.tse_down(true).await;
            }
            let basket = till.basket(&mut rng);
            let discounted = basket.lines.iter().any(|l| l.discount != Cents::ZERO);
            let pick = rng.below(100);
            let mut cancelled = false;
            let receipt = match pick {
                0..=47 => {
                    let r = till.cash_sale(&basket).await?;
                    cancellable.push(r);
                    w.sales += 1;
                    Some(r)
                }
                48..=69 => {
                    w.card_sales += 1;
                    w.sales += 1;
                    Some(till.card_sale(&basket).await?)
                }
                70..=79 => {
                    w.card_loads += 1;
                    w.sales += 1;
                    let amount = Cents(1000 * (1 + rng.below(3) as i64));
                    Some(till.card_load(amount, rng.below(2) == 0).await?)
                }
                80..=89 if till.card_balance().await? >= Cents(100) => {
                    w.secucard_payments += 1;
                    w.sales += 1;
                    Some(till.secucard_sale(&basket).await?)
                }
                90..=99 if !cancellable.is_empty() => {
                    let which = rng.below(cancellable.len() as u64) as usize;
                    let r = cancellable.swap_remove(which);
                    w.cancellations += 1;
                    cancelled = true;
                    Some(till.cancel(r, "Kunde hat es sich anders überlegt").await?)
                }
                _ => {
                    let r = till.cash_sale(&basket).await?;
                    cancellable.push(r);
                    w.sales += 1;
                    Some(r)
                }
            };
            if down {
                w.tse_failed += u32::from(receipt.is_some());
                till.tse_down(false).await;
            }
            // A sale of the basket (not a load, not a cancellation).
            let of_basket = !(70..=79).contains(&pick) && !cancelled;
            if discounted && of_basket {
                w.discounted += 1;
            }
        }
        till.set_clock(close - step / 2);
        // A customer puts it all back before paying.
        till.abort_basket().await?;
        w.aborted += 1;
        // A customer brings something back from one of the day's cash sales.
        if let Some(r) = cancellable.pop() {
            till.take_back(r).await?;
            w.returns += 1;
        }
        till.movement(CashReason::Expense, Cents(350), "Briefmarken; \"Post\"")
            .await?;
        till.movement(CashReason::PrivateWithdrawal, Cents(1_000), "")
            .await?;
        till.movement(
            CashReason::ToBank,
            Cents(5_000),
            "Bank; Einzahlung \"Tresor\"",
        )
        .await?;
        w.movements += 3;
        till.set_clock(close);
        // Now and then a euro is missing in the drawer.
        let difference = if d % 2 == 1 { Cents(-100) } else { Cents::ZERO };
        w.closings.push(till.close(difference).await?);
    }
    testing::set_clock(None);
    Ok(w)
}
