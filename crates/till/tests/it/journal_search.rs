//! The journal screen's list on real journal files: filters, paging, counts,
//! cancellations, the outbox, local days and their midnights, a journal
//! migrated from schema 3, and the SQL answer against the list built in
//! memory (as the app built it before) over a few hundred random sales.
//!
//! Tests that need a time zone with summer time run themselves again in a
//! child process with `TZ` set (the zone is the process's; on Unix).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Local, NaiveDate, TimeZone};
use till::basket::{Basket, BasketLine};
use till::cancellation::{cancel_blocked, CancelBlocked};
use till::journal::{
    kind, testing, Journal, JournalEntry, JournalFilter, JournalPage, ListedState, PaidSale,
    Payment, PaymentIntent, StoredReceipt,
};
use till::{Cents, PaymentMethod, VatRate};

// ---------------------------------------------------------------- writing

fn basket(price: i64) -> Basket {
    let line = BasketLine::article("Brötchen", 1, Cents(price), VatRate::Reduced);
    Basket {
        lines: vec![line],
        card: None,
    }
}

/// How a test sale is paid.
#[derive(Clone, Copy, PartialEq)]
enum Pay {
    Cash,
    Card,
    /// 1,00 € from the secucard, the rest in cash.
    SecucardAndCash,
    /// Cash, paid offline: queued for registration.
    Offline,
}

/// A sale of `price` cents, paid as `pay`; returns its id and receipt number.
fn sell(j: &mut Journal, id: &str, price: i64, pay: Pay) -> i64 {
    let method = if pay == Pay::Card {
        PaymentMethod::Card
    } else {
        PaymentMethod::Cash
    };
    let transaction = (pay != Pay::Offline).then_some("STX_TEST");
    let intent = PaymentIntent::new(id, method, &basket(price), transaction, None);
    j.begin_payment(&intent).unwrap();
    j.record_paid(id, |issue, intent| {
        let mut payments = Vec::new();
        let mut rest = intent.total;
        if pay == Pay::SecucardAndCash {
            payments.push(payment(PaymentMethod::Secucard, Cents(100)));
            rest = rest - Cents(100);
        }
        let mut last = payment(method, rest);
        last.terminal_receipt = (pay == Pay::Card).then_some(issue.receipt_number);
        payments.push(last);
        let receipt = (pay == Pay::Card).then(|| StoredReceipt {
            received: serde_json::json!([]),
            text: "Kartenzahlung".into(),
        });
        let paid = PaidSale {
            transaction_id: intent.transaction_id.clone(),
            trans_id: None,
            payments,
            queued: pay == Pay::Offline,
            tse: None,
            customer_receipt: receipt.clone(),
            merchant_receipt: receipt,
        };
        (paid, issue.receipt_number)
    })
    .unwrap()
}

fn payment(method: PaymentMethod, amount: Cents) -> Payment {
    Payment {
        method,
        amount,
        tendered: None,
        change: None,
        terminal_receipt: None,
        provider_method: None,
    }
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32, ms: u32) -> DateTime<Local> {
    let naive = NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_milli_opt(h, min, s, ms)
        .unwrap();
    Local.from_local_datetime(&naive).earliest().unwrap()
}

fn search(j: &Journal, filter: &JournalFilter, offset: usize, limit: usize) -> JournalPage {
    j.search(filter, offset, limit).unwrap()
}

fn day(d: &str) -> JournalFilter {
    JournalFilter {
        date: Some(d.into()),
        ..Default::default()
    }
}

fn numbers(page: &JournalPage) -> Vec<i64> {
    page.entries.iter().map(|e| e.receipt_number).collect()
}

// ------------------------------------------- the list as built in memory

/// The list as the app built it before: every sale and cancellation read
/// from the journal, newest first.
fn in_memory_list(j: &Journal) -> Vec<JournalEntry> {
    let queued: HashSet<String> = j.outbox().unwrap().into_iter().map(|q| q.sale_id).collect();
    let mut cancelled_by: HashMap<String, i64> = HashMap::new();
    let mut rows: Vec<(i64, JournalEntry)> = Vec::new();
    for e in j.entries(Some(kind::CANCELLATION)).unwrap() {
        let (id, n) = (e.sale_id.clone().unwrap(), e.receipt_number.unwrap());
        cancelled_by.insert(id.clone(), n);
        rows.push((
            e.seq,
            JournalEntry {
                sale_id: format!("storno-{n}"),
                receipt_number: n,
                issued_at: e.created_at.clone(),
                total: Cents(e.body["total"].as_i64().unwrap()),
                methods: methods(&e.body),
                state: ListedState::Cancellation,
                cancels_sale_id: Some(id),
                cancelled_by_sale_id: None,
                synced: true,
                original_receipt: None,
                cash_reason: None,
            },
        ));
    }
    for e in j.entries(Some(kind::SALE)).unwrap() {
        let id = e.sale_id.clone().unwrap();
        let by = cancelled_by.get(&id).copied();
        rows.push((
            e.seq,
            JournalEntry {
                receipt_number: e.receipt_number.unwrap(),
                issued_at: e.created_at.clone(),
                total: e.body["payments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| Cents(p["amount"].as_i64().unwrap()))
                    .sum(),
                methods: methods(&e.body),
                state: if by.is_some() {
                    ListedState::Cancelled
                } else {
                    ListedState::Paid
                },
                cancels_sale_id: None,
                cancelled_by_sale_id: by.map(|n| format!("storno-{n}")),
                synced: !queued.contains(&id),
                original_receipt: None,
                cash_reason: None,
                sale_id: id,
            },
        ));
    }
    rows.sort_by_key(|(seq, _)| -seq);
    rows.into_iter().map(|(_, e)| e).collect()
}

fn methods(body: &serde_json::Value) -> Vec<PaymentMethod> {
    let mut out = Vec::new();
    for p in body["payments"].as_array().unwrap() {
        let m: PaymentMethod = serde_json::from_value(p["method"].clone()).unwrap();
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// The local day of a time as the list showed it: in the zone set now.
fn local_day(issued_at: &str) -> String {
    DateTime::parse_from_rfc3339(issued_at)
        .unwrap()
        .with_timezone(&Local)
        .format("%Y-%m-%d")
        .to_string()
}

/// The page the in-memory list gives for `filter`.
fn in_memory_page(
    all: &[JournalEntry],
    filter: &JournalFilter,
    offset: usize,
    limit: usize,
) -> JournalPage {
    let found: Vec<JournalEntry> = all
        .iter()
        .filter(|e| filter.receipt_number.is_none_or(|n| e.receipt_number == n))
        .filter(|e| filter.amount.is_none_or(|a| e.total.0.abs() == a.0.abs()))
        .filter(|e| {
            filter
                .date
                .as_deref()
                .is_none_or(|d| local_day(&e.issued_at) == d)
        })
        .cloned()
        .collect();
    JournalPage {
        total_count: found.len(),
        entries: found.into_iter().skip(offset).take(limit).collect(),
    }
}

// ---------------------------------------------------- time zone children

#[cfg(unix)]
/// Whether this process is a child `in_zone` started.
fn is_zone_child() -> bool {
    std::env::var("TILL_TEST_ZONE_CHILD").is_ok()
}

#[cfg(unix)]
/// Runs test `name` in a child process whose time zone is `zone`, with the
/// environment variables `env` set.
fn in_zone(name: &str, zone: &str, env: &[(&str, &str)]) {
    // The test's full name in this binary: its module's path below the crate root.
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    let full_name = if module.is_empty() {
        name.to_string()
    } else {
        format!("{module}::{name}")
    };
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            full_name.as_str(),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TZ", zone)
        .env("TILL_TEST_ZONE_CHILD", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name} in {zone}:\n{text}");
    assert!(text.contains("1 passed"), "{name} did not run:\n{text}");
}

#[cfg(unix)]
/// A small deterministic random source (SplitMix64).
struct Random(u64);

#[cfg(unix)]
impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

// ----------------------------------------------------------------- tests

#[cfg(unix)]
#[test]
fn search_agrees_with_the_in_memory_list_over_random_sales() {
    const NAME: &str = "search_agrees_with_the_in_memory_list_over_random_sales";
    if !is_zone_child() {
        // Written and searched in Berlin; searched again with the till's
        // zone set to New York: the days follow the zone, as they did.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        let path = path.to_str().unwrap();
        in_zone(NAME, "Europe/Berlin", &[("TILL_TEST_JOURNAL", path)]);
        in_zone(
            NAME,
            "America/New_York",
            &[("TILL_TEST_JOURNAL", path), ("TILL_TEST_READ", "1")],
        );
        return;
    }
    let path = std::path::PathBuf::from(std::env::var("TILL_TEST_JOURNAL").unwrap());
    if std::env::var("TILL_TEST_READ").is_err() {
        let mut j = Journal::open(&path).unwrap();
        write_random_sales(&mut j);
    } else {
        assert_eq!(at(2026, 1, 1, 0, 0, 0, 0).offset().to_string(), "-05:00");
    }
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.verify().unwrap(), None);
    let all = in_memory_list(&j);
    assert!(all.len() > 360, "{} rows", all.len());
    assert!(all.iter().any(|e| !e.synced));
    assert!(all.iter().any(|e| e.state == ListedState::Cancelled));
    let mut filters = vec![JournalFilter::default(), day("2026-02-30"), day("")];
    let days: HashSet<String> = all.iter().map(|e| local_day(&e.issued_at)).collect();
    assert!(days.len() >= 5, "{days:?}");
    for d in &days {
        filters.push(day(d));
        filters.push(JournalFilter {
            amount: Some(Cents(-1250)),
            ..day(d)
        });
    }
    for amount in [150, -250, 1250, 200, 201, 7] {
        filters.push(JournalFilter {
            amount: Some(Cents(amount)),
            ..Default::default()
        });
    }
    for k in 0..12 {
        let row = &all[rnd_index(k, all.len())];
        filters.push(JournalFilter {
            receipt_number: Some(row.receipt_number),
            ..Default::default()
        });
        filters.push(JournalFilter {
            receipt_number: Some(row.receipt_number),
            amount: Some(row.total),
            date: Some(local_day(&row.issued_at)),
        });
    }
    filters.push(JournalFilter {
        receipt_number: Some(all[0].receipt_number + 1),
        ..Default::default()
    });
    for f in &filters {
        for (offset, limit) in [
            (0, 50),
            (0, 1),
            (3, 7),
            (49, 50),
            (300, 100),
            (0, 0),
            (5000, 10),
        ] {
            assert_eq!(
                search(&j, f, offset, limit),
                in_memory_page(&all, f, offset, limit),
                "{f:?} offset {offset} limit {limit}"
            );
        }
    }
    for e in &all {
        assert_eq!(j.journal_entry(&e.sale_id).unwrap().as_ref(), Some(e));
    }
}

#[cfg(unix)]
/// 360 sales over five days around the change to summer time (29 March
/// 2026), bunched near midnight, at a few prices (amounts repeat); now and
/// then one cancelled, an offline one registered or refused.
fn write_random_sales(j: &mut Journal) {
    let seed = std::env::var("TILL_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261203);
    let mut rnd = Random(seed);
    let mut t = at(2026, 3, 27, 21, 0, 0, 0);
    let mut paid: Vec<(String, i64)> = Vec::new();
    for i in 0..360 {
        t += chrono::Duration::milliseconds(rnd.below(40 * 60 * 1000) as i64 + 1);
        testing::set_clock(Some(t));
        let pay = [Pay::Cash, Pay::Card, Pay::SecucardAndCash, Pay::Offline][rnd.below(4) as usize];
        let price = [150, 250, 1250, 199 + rnd.below(3) as i64][rnd.below(4) as usize];
        let id = format!("sale-{i}");
        let n = sell(j, &id, price, pay);
        paid.push((id, n));
        match rnd.below(10) {
            0 | 1 => {
                let (id, n) = paid.remove(rnd.below(paid.len() as u64) as usize);
                if j.sale_state(&id).unwrap() == till::SaleState::Paid {
                    j.record_cancellation(n, "Storno", None).unwrap();
                }
            }
            2 => {
                if let Some(q) = j.outbox().unwrap().first() {
                    j.record_registered(&q.sale_id, "STX_LATE", &serde_json::json!({}))
                        .unwrap();
                }
            }
            3 => {
                if let Some(q) = j.outbox().unwrap().last() {
                    j.record_outbox_refused(&q.sale_id, "refused", None)
                        .unwrap();
                }
            }
            _ => {}
        }
    }
    testing::set_clock(None);
}

#[cfg(unix)]
fn rnd_index(k: usize, len: usize) -> usize {
    (k * 7919 + 13) % len
}

#[cfg(unix)]
#[test]
fn a_day_is_local_midnight_to_midnight_also_when_the_clocks_change() {
    if !is_zone_child() {
        in_zone(
            "a_day_is_local_midnight_to_midnight_also_when_the_clocks_change",
            "Europe/Berlin",
            &[],
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
    let times = [
        ("2026-06-01", at(2026, 6, 1, 23, 59, 59, 999)),
        // 22:30 UTC on 1 June: the local day is the 2nd.
        ("2026-06-02", at(2026, 6, 2, 0, 0, 0, 0)),
        ("2026-06-02", at(2026, 6, 2, 0, 30, 0, 0)),
        // 29 March has 23 hours, 25 October 25.
        ("2026-03-28", at(2026, 3, 28, 23, 59, 59, 999)),
        ("2026-03-29", at(2026, 3, 29, 0, 0, 0, 0)),
        ("2026-03-29", at(2026, 3, 29, 3, 0, 0, 0)),
        ("2026-03-29", at(2026, 3, 29, 23, 59, 59, 999)),
        ("2026-03-30", at(2026, 3, 30, 0, 0, 0, 0)),
        ("2026-10-25", at(2026, 10, 25, 0, 0, 0, 0)),
        ("2026-10-25", at(2026, 10, 25, 2, 30, 0, 0)),
        // The same wall-clock time an hour later, in winter time.
        (
            "2026-10-25",
            at(2026, 10, 25, 2, 30, 0, 0) + chrono::Duration::hours(1),
        ),
        ("2026-10-25", at(2026, 10, 25, 23, 59, 59, 999)),
        ("2026-10-26", at(2026, 10, 26, 0, 0, 0, 0)),
    ];
    let mut expected: HashMap<&str, Vec<i64>> = HashMap::new();
    for (i, (d, t)) in times.iter().enumerate() {
        testing::set_clock(Some(*t));
        let n = sell(&mut j, &format!("s{i}"), 100 + i as i64, Pay::Cash);
        expected.entry(d).or_default().insert(0, n);
    }
    testing::set_clock(None);
    assert_eq!(
        j.journal_entry("s1").unwrap().unwrap().issued_at,
        "2026-06-02T00:00:00.000+02:00"
    );
    for (d, numbers_of_day) in &expected {
        let page = search(&j, &day(d), 0, 50);
        assert_eq!(numbers(&page), *numbers_of_day, "{d}");
        assert_eq!(page.total_count, numbers_of_day.len());
    }
    for nothing in ["2026-06-03", "2026-6-2", "02.06.2026", "2026-06-02 ", ""] {
        assert_eq!(
            search(&j, &day(nothing), 0, 50).total_count,
            0,
            "{nothing:?}"
        );
    }
}

#[test]
fn a_day_ends_at_the_last_millisecond_before_local_midnight() {
    // In whatever zone the tests run in.
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
    for (i, t) in [
        at(2026, 11, 30, 23, 59, 59, 999),
        at(2026, 12, 1, 0, 0, 0, 0),
        at(2026, 12, 1, 23, 59, 59, 999),
        at(2026, 12, 2, 0, 0, 0, 0),
    ]
    .into_iter()
    .enumerate()
    {
        testing::set_clock(Some(t));
        sell(&mut j, &format!("s{i}"), 500, Pay::Cash);
    }
    testing::set_clock(None);
    assert_eq!(numbers(&search(&j, &day("2026-11-30"), 0, 9)), vec![1]);
    assert_eq!(numbers(&search(&j, &day("2026-12-01"), 0, 9)), vec![3, 2]);
    assert_eq!(numbers(&search(&j, &day("2026-12-02"), 0, 9)), vec![4]);
}

#[test]
fn pages_follow_each_other_newest_first_with_the_count_of_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let mut j = Journal::open(&path).unwrap();
    for i in 0..240 {
        let n = sell(&mut j, &format!("s{i}"), 100 + (i % 5), Pay::Cash);
        if i % 9 == 4 {
            j.record_cancellation(n, "Storno", None).unwrap();
        }
    }
    let all = in_memory_list(&j);
    assert_eq!(all.len(), 240 + 27);
    let everything = JournalFilter::default();
    let mut walked = Vec::new();
    for page_no in 0..6 {
        let page = search(&j, &everything, page_no * 50, 50);
        assert_eq!(page.total_count, all.len());
        walked.extend(page.entries);
    }
    assert_eq!(walked, all);
    assert_eq!(walked[0].receipt_number, 267);
    assert!(search(&j, &everything, 267, 50).entries.is_empty());
    assert_eq!(search(&j, &everything, 267, 50).total_count, 267);
    assert_eq!(numbers(&search(&j, &everything, 265, 50)), vec![2, 1]);
    assert!(search(&j, &everything, 0, 0).entries.is_empty());
    assert_eq!(
        search(&j, &everything, usize::MAX, usize::MAX).entries,
        vec![]
    );
    // Filtered pages as well: amount 1,02 € (sales and cancellations).
    let amount = JournalFilter {
        amount: Some(Cents(102)),
        ..Default::default()
    };
    let of_amount = in_memory_page(&all, &amount, 0, usize::MAX);
    assert!(of_amount.total_count > 50);
    for offset in [0, 20, 40, 60] {
        assert_eq!(
            search(&j, &amount, offset, 20),
            in_memory_page(&all, &amount, offset, 20)
        );
    }

    // A file edited by hand (a listed row removed): the pages are counted
    // off row by row instead of by receipt number, and still agree.
    drop(j);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "DROP TRIGGER listing_append_only_delete; DELETE FROM listing WHERE receipt_number = 200;",
    )
    .unwrap();
    drop(raw);
    let j = Journal::open(&path).unwrap();
    let without: Vec<JournalEntry> = all
        .iter()
        .filter(|e| e.receipt_number != 200)
        .cloned()
        .collect();
    for offset in [0, 50, 60, 100, 265] {
        assert_eq!(
            search(&j, &everything, offset, 50),
            in_memory_page(&without, &everything, offset, 50),
            "offset {offset}"
        );
    }
}

#[test]
fn cancellations_and_the_outbox_show_in_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
    let cash = sell(&mut j, "cash", 1250, Pay::Cash);
    let card = sell(&mut j, "card", 990, Pay::Card);
    let split = sell(&mut j, "split", 500, Pay::SecucardAndCash);
    let offline = sell(&mut j, "offline", 300, Pay::Offline);
    let registered = sell(&mut j, "registered", 310, Pay::Offline);
    j.record_registered("registered", "STX_LATE", &serde_json::json!({}))
        .unwrap();
    let refused = sell(&mut j, "refused", 320, Pay::Offline);
    j.record_outbox_refused("refused", "unknown merchant", None)
        .unwrap();
    let offline_cancelled = sell(&mut j, "offline-cancelled", 330, Pay::Offline);
    let (storno_cash, _) = j.record_cancellation(cash, "Kunde", None).unwrap();
    let (storno_offline, _) = j
        .record_cancellation(offline_cancelled, "Kunde", None)
        .unwrap();
    assert_eq!((storno_cash, storno_offline), (8, 9));

    let page = search(&j, &JournalFilter::default(), 0, 50);
    assert_eq!(page.total_count, 9);
    assert_eq!(
        page,
        in_memory_page(&in_memory_list(&j), &JournalFilter::default(), 0, 50)
    );
    let row = |n: i64| page.entries.iter().find(|e| e.receipt_number == n).unwrap();
    // The JSON the journal screen reads.
    let issued = row(storno_cash).issued_at.clone();
    assert_eq!(
        serde_json::to_value(row(storno_cash)).unwrap(),
        serde_json::json!({
            "sale_id": "storno-8", "receipt_number": 8, "issued_at": issued,
            "total": -1250, "methods": ["cash"], "state": "cancellation",
            "cancels_sale_id": "cash", "cancelled_by_sale_id": null, "synced": true
        })
    );
    let issued = row(cash).issued_at.clone();
    assert_eq!(
        serde_json::to_value(row(cash)).unwrap(),
        serde_json::json!({
            "sale_id": "cash", "receipt_number": 1, "issued_at": issued,
            "total": 1250, "methods": ["cash"], "state": "cancelled",
            "cancels_sale_id": null, "cancelled_by_sale_id": "storno-8", "synced": true
        })
    );
    assert_eq!(row(card).methods, vec![PaymentMethod::Card]);
    assert_eq!(row(card).state, ListedState::Paid);
    assert_eq!(
        row(split).methods,
        vec![PaymentMethod::Secucard, PaymentMethod::Cash]
    );
    assert_eq!(row(split).total, Cents(500));
    assert!(!row(offline).synced, "waits in the outbox");
    assert!(row(registered).synced);
    // Refused for good: out of the queue, with the merchant (as the list showed it).
    assert!(row(refused).synced);
    // Cancelled before it was registered: it need not be registered any more.
    assert!(row(offline_cancelled).synced);
    assert_eq!(row(offline_cancelled).state, ListedState::Cancelled);

    // Found by its receipt number, by either sign of its amount, by its id.
    let by = |f: JournalFilter| numbers(&search(&j, &f, 0, 50));
    assert_eq!(
        by(JournalFilter {
            receipt_number: Some(storno_cash),
            ..Default::default()
        }),
        vec![storno_cash]
    );
    for amount in [1250, -1250] {
        assert_eq!(
            by(JournalFilter {
                amount: Some(Cents(amount)),
                ..Default::default()
            }),
            vec![storno_cash, cash]
        );
    }
    assert_eq!(
        by(JournalFilter {
            amount: Some(Cents(i64::MIN)),
            ..Default::default()
        }),
        Vec::<i64>::new()
    );
    assert_eq!(j.journal_entry("storno-8").unwrap().as_ref(), Some(row(8)));
    assert_eq!(j.journal_entry("card").unwrap().as_ref(), Some(row(card)));
    for unknown in ["storno-1", "storno-08", "storno-", "nope"] {
        assert_eq!(j.journal_entry(unknown).unwrap(), None, "{unknown}");
    }
}

#[test]
fn the_cancel_rule_names_why_a_row_cannot_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
    let blocked = |j: &Journal, id: &str| {
        let row = j.journal_entry(id).unwrap().unwrap();
        let original = match &row.cancels_sale_id {
            Some(sale) => j.journal_entry(sale).unwrap().unwrap().receipt_number,
            None => row.receipt_number,
        };
        cancel_blocked(&row, &j.sale_by_receipt(original).unwrap())
    };
    let cash_closed = sell(&mut j, "cash-closed", 100, Pay::Cash);
    sell(&mut j, "card-closed", 200, Pay::Card);
    sell(&mut j, "split-closed", 300, Pay::SecucardAndCash);
    j.close_day(Cents(0), None).unwrap();
    sell(&mut j, "cash", 400, Pay::Cash);
    sell(&mut j, "card", 500, Pay::Card);
    sell(&mut j, "offline", 600, Pay::Offline);
    let cancelled = sell(&mut j, "cancelled", 700, Pay::Cash);
    j.record_cancellation(cancelled, "Storno", None).unwrap();
    let cancelling = sell(&mut j, "cancelling", 800, Pay::Card);
    j.begin_cancellation(cancelling, "Storno").unwrap();
    let failed = sell(&mut j, "cancel-failed", 900, Pay::Card);
    j.begin_cancellation(failed, "Storno").unwrap();
    j.record_cancel_failed("cancel-failed", "declined", None)
        .unwrap();

    assert_eq!(blocked(&j, "cash-closed"), None);
    assert_eq!(
        blocked(&j, "card-closed"),
        Some(CancelBlocked::TerminalClosed)
    );
    assert_eq!(blocked(&j, "split-closed"), None);
    assert_eq!(blocked(&j, "cash"), None);
    assert_eq!(blocked(&j, "card"), None);
    assert_eq!(blocked(&j, "offline"), None);
    assert_eq!(
        blocked(&j, "cancelled"),
        Some(CancelBlocked::AlreadyCancelled)
    );
    assert_eq!(blocked(&j, "cancelling"), Some(CancelBlocked::Cancelling));
    assert_eq!(blocked(&j, "cancel-failed"), None, "it stays paid");
    let storno = format!("storno-{}", cancelled + 1);
    assert_eq!(blocked(&j, &storno), Some(CancelBlocked::Cancellation));
    assert_eq!(cash_closed, 1);
    let codes: Vec<&str> = [
        CancelBlocked::Cancellation,
        CancelBlocked::Cancelling,
        CancelBlocked::AlreadyCancelled,
        CancelBlocked::TerminalClosed,
    ]
    .iter()
    .map(|b| {
        assert_eq!(serde_json::to_value(b).unwrap(), b.code());
        b.code()
    })
    .collect();
    assert_eq!(
        codes,
        [
            "cancellation",
            "cancelling",
            "already_cancelled",
            "terminal_closed"
        ]
    );
}

/// Each entry's stored hash, by position.
fn hashes(path: &Path) -> Vec<(i64, Vec<u8>)> {
    let raw = rusqlite::Connection::open(path).unwrap();
    let mut stmt = raw
        .prepare("SELECT seq, hash FROM entries ORDER BY seq")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows
}

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

/// A copy of the fixture journal `name` in `dir`.
fn fixture(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join("journal.sqlite3");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(fixtures.join(name), &path).unwrap();
    path
}

#[test]
fn a_schema_3_journal_is_migrated_listed_and_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    // Written by the release before (schema 3): sales by cash, card and
    // secucard, a failed payment, cancellations (one of a queued sale, one
    // after a reversal), a refused reversal, a closing, queued, refused and
    // registered offline sales, a cancellation in doubt.
    let path = fixture(dir.path(), "journal-v3.sqlite3");
    assert_eq!(user_version(&path), 3);
    let before = hashes(&path);
    let mut j = Journal::open(&path).unwrap();
    // Schema 4 (the list), 5 (the TSE's open transactions) and 6 (the cashier).
    assert_eq!(user_version(&path), 7);
    assert_eq!(hashes(&path), before, "the migration changes no entry");
    assert_eq!(j.verify().unwrap(), None);
    let all = in_memory_list(&j);
    assert_eq!(all.len(), 20);
    assert_eq!(
        all.iter()
            .filter(|e| e.state == ListedState::Cancellation)
            .count(),
        3
    );
    assert!(all.iter().any(|e| !e.synced));
    for f in [
        JournalFilter::default(),
        JournalFilter {
            amount: Some(Cents(-all[3].total.0)),
            ..Default::default()
        },
        day(&local_day(&all[0].issued_at)),
    ] {
        assert_eq!(search(&j, &f, 0, 50), in_memory_page(&all, &f, 0, 50));
    }
    // It goes on: a new sale and a cancellation are listed, the chain holds.
    let n = sell(&mut j, "after-migration", 4200, Pay::Cash);
    j.record_cancellation(n, "Storno", None).unwrap();
    let page = search(&j, &JournalFilter::default(), 0, 3);
    assert_eq!(page.total_count, 22);
    assert_eq!(
        page,
        in_memory_page(&in_memory_list(&j), &JournalFilter::default(), 0, 3)
    );
    assert_eq!(j.verify().unwrap(), None);
    drop(j);
    // Opened again, nothing runs twice.
    let j = Journal::open(&path).unwrap();
    assert_eq!(search(&j, &JournalFilter::default(), 0, 50).total_count, 22);
    assert_eq!(j.verify().unwrap(), None);
}

#[test]
fn a_schema_1_journal_is_listed_after_all_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "journal-v1.sqlite3");
    let before = hashes(&path);
    let j = Journal::open(&path).unwrap();
    assert_eq!(hashes(&path), before);
    assert_eq!(j.verify().unwrap(), None);
    let all = in_memory_list(&j);
    assert!(!all.is_empty());
    let f = JournalFilter::default();
    assert_eq!(search(&j, &f, 0, 1000), in_memory_page(&all, &f, 0, 1000));
}
