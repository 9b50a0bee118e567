//! Verify: the hash chain walked in ranges, and what is kept beside it.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::error::JournalError;
use super::records::*;
use super::schema::GENESIS;
use super::verify_tse::{carries_signature, check_entry, check_facts, TseFact};
use super::Journal;
use crate::closing::{Closing, RunningTotals};
use crate::sha256x8::Batch;

impl Journal {
    /// Walks the chain; names the first entry that was altered, removed or inserted.
    ///
    /// Entries never change once written, so the chain is checked in ranges
    /// of positions, several per core (a core slowed by other work takes
    /// fewer), each core on its own read connection; each range starts from
    /// the stored hash of the entry before it. The first break by position wins.
    pub fn verify(&self) -> Result<Option<ChainBreak>, JournalError> {
        // From this many entries on, ranges on every core.
        const PARALLEL_FROM: i64 = 20_000;
        const RANGES_PER_CORE: i64 = 4;
        let max_seq: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM entries", [], |r| {
                    r.get(0)
                })?;
        // Running totals past the last entry were added (those of a removed
        // entry in between are found by the walk, which reads them anyway).
        let added: Option<i64> = self.conn.query_row(
            "SELECT MIN(seq) FROM totals WHERE seq > ?1",
            [max_seq],
            |r| r.get(0),
        )?;
        let added = added.map(|seq| ChainBreak {
            seq,
            kind: BreakKind::Inserted,
            reason: format!(
                "running totals for entry {seq} were added, but there is no such entry"
            ),
        });
        let beside = first_of(anchor_break(&self.conn, max_seq)?, added);
        let path = self.conn.path().filter(|p| !p.is_empty()).map(Path::new);
        let cores = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8) as i64;
        let Some(path) = path.filter(|_| cores > 1 && max_seq >= PARALLEL_FROM) else {
            let (found, forged, facts) = with_signature_checks(cores as usize, |signed| {
                verify_range(&self.conn, 1, max_seq, signed)
            })?;
            let found = first_of(first_of(found?, forged), check_facts(facts));
            return Ok(first_of(found, beside));
        };
        let ranges = cores * RANGES_PER_CORE;
        let chunk = max_seq / ranges + 1;
        let next = std::sync::atomic::AtomicI64::new(0);
        // The first range with a break: later ranges need not be read.
        let broken_at = std::sync::atomic::AtomicI64::new(i64::MAX);
        type Found = (Vec<ChainBreak>, Vec<TseFact>);
        let results: Vec<Result<Found, JournalError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..cores)
                .map(|_| {
                    scope.spawn(|| {
                        use std::sync::atomic::Ordering::Relaxed;
                        let conn = Connection::open_with_flags(
                            path,
                            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                        )?;
                        // No mmap: each range is read once, and a fresh
                        // mapping's page faults cost more than copying the
                        // pages (measured: 1.95 vs 1.4 CPU s for all entries).
                        let mut found = Vec::new();
                        let mut facts = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Relaxed);
                            if i >= ranges || i > broken_at.load(Relaxed) {
                                return Ok((found, facts));
                            }
                            let (from, to) = (1 + i * chunk, ((i + 1) * chunk).min(max_seq));
                            // Every core walks ranges: the signatures are
                            // checked on the range's own thread.
                            let mut forged = None;
                            let walked = verify_range(&conn, from, to, &mut |seq, body| {
                                check_signed(seq, body, &mut forged, &mut facts)
                            })?;
                            if let Some(b) = first_of(walked, forged) {
                                broken_at.fetch_min(i, Relaxed);
                                found.push(b);
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(JournalError::Other("verify stopped".into())))
                })
                .collect()
        });
        let mut first: Option<ChainBreak> = None;
        let mut all_facts = Vec::new();
        for r in results {
            let (found, facts) = r?;
            for b in found {
                first = first_of(first, Some(b));
            }
            all_facts.extend(facts);
        }
        let first = first_of(first, check_facts(all_facts));
        Ok(first_of(first, beside))
    }

    /// Verifies what was written since the last verified point (the whole
    /// chain the first time) and moves the point on while the chain holds:
    /// at start this costs a day's entries, not the whole journal. The daily
    /// check ([`Journal::verify_and_mark`]) walks everything again.
    pub fn verify_since_checkpoint(&mut self) -> Result<Option<ChainBreak>, JournalError> {
        let Some((from, hash)) = self.checkpoint()? else {
            return self.verify_and_mark();
        };
        if self.hash_at(from)? != Some(hash) {
            return Ok(Some(ChainBreak {
                seq: from,
                kind: BreakKind::Altered,
                reason: format!("entry {from} is no longer the one verified before"),
            }));
        }
        let max_seq = self.head()?.map_or(0, |(seq, _)| seq);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let (walked, forged, facts) = with_signature_checks(cores, |signed| {
            verify_range(&self.conn, from + 1, max_seq, signed)
        })?;
        let found = first_of(
            first_of(walked?, forged),
            anchor_break(&self.conn, max_seq)?,
        );
        let found = first_of(found, check_facts(facts));
        if found.is_none() {
            self.mark_verified(max_seq, false)?;
        }
        Ok(found)
    }

    /// Verifies the whole chain; when it holds, marks it verified up to its head.
    pub fn verify_and_mark(&mut self) -> Result<Option<ChainBreak>, JournalError> {
        let head = self.head()?;
        let found = self.verify()?;
        if let (None, Some((seq, _))) = (&found, head) {
            self.mark_verified(seq, true)?;
        }
        Ok(found)
    }

    /// The point up to which the chain was last verified.
    pub fn verified_point(&self) -> Result<Option<VerifiedPoint>, JournalError> {
        Ok(self
            .conn
            .query_row(
                "SELECT seq, at, full_at FROM verified WHERE id = 1",
                [],
                |r| {
                    Ok(VerifiedPoint {
                        seq: r.get(0)?,
                        at: r.get(1)?,
                        full_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn checkpoint(&self) -> Result<Option<(i64, [u8; 32])>, JournalError> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row("SELECT seq, hash FROM verified WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(seq, h)| Ok((seq, h.try_into().map_err(|_| JournalError::Corrupt)?)))
            .transpose()
    }

    /// Records that the chain holds up to entry `seq` (walked whole: `full`),
    /// e.g. after a check on another connection. Never moves the point back.
    pub fn mark_verified(&mut self, seq: i64, full: bool) -> Result<(), JournalError> {
        let Some(hash) = self.hash_at(seq)? else {
            return Ok(());
        };
        let at = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
        self.conn.execute(
            "INSERT INTO verified (id, seq, hash, at, full_at) VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET
                 hash = CASE WHEN excluded.seq >= verified.seq THEN excluded.hash ELSE verified.hash END,
                 seq = MAX(excluded.seq, verified.seq),
                 at = excluded.at,
                 full_at = COALESCE(excluded.full_at, verified.full_at)",
            params![seq, &hash[..], at, full.then_some(&at)],
        )?;
        Ok(())
    }
}

/// What the records kept beside the chain say about its end: the head the
/// database keeps with every insert, the head each closing stored, and the
/// entries the work list of open sales points at. Removing the newest
/// entries breaks no link, so only these can tell.
fn anchor_break(conn: &Connection, max_seq: i64) -> Result<Option<ChainBreak>, JournalError> {
    let stored_hash = |seq: i64| -> Result<Option<Vec<u8>>, JournalError> {
        Ok(conn
            .prepare_cached("SELECT hash FROM entries WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?)
    };
    let mut found: Option<ChainBreak> = None;
    let head: Option<(i64, Vec<u8>)> = conn
        .query_row("SELECT seq, hash FROM head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let head_break = match head {
        None if max_seq > 0 => Some(ChainBreak {
            seq: max_seq,
            kind: BreakKind::Removed,
            reason: format!(
                "the record of the newest entry is gone: entries after {max_seq} may have been removed"
            ),
        }),
        None => None,
        Some((seq, _)) if seq > max_seq => Some(ChainBreak {
            seq: max_seq + 1,
            kind: BreakKind::Removed,
            reason: if seq == max_seq + 1 {
                format!("the newest entry ({seq}) was removed")
            } else {
                format!("the newest entries ({} to {seq}) were removed", max_seq + 1)
            },
        }),
        Some((seq, _)) if seq < max_seq => Some(ChainBreak {
            seq: seq + 1,
            kind: BreakKind::Inserted,
            reason: format!(
                "entries {} to {max_seq} were added behind the journal's back",
                seq + 1
            ),
        }),
        Some((seq, hash)) => (stored_hash(seq)?.as_deref() != Some(&hash[..])).then(|| ChainBreak {
            seq,
            kind: BreakKind::Altered,
            reason: format!("the newest entry ({seq}) is not the one the journal wrote last"),
        }),
    };
    found = first_of(found, head_break);
    // Each closing stored the hash of the entry before it.
    let mut stmt =
        conn.prepare("SELECT seq, body FROM entries WHERE kind = 'closing' ORDER BY seq")?;
    let closings: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (seq, body) in closings {
        let Ok(closing) = serde_json::from_str::<Closing>(&body) else {
            // Its hash tells; the chain walk names it.
            continue;
        };
        let before = stored_hash(seq - 1)?.map(hex::encode);
        let expected = (seq == 1).then(|| hex::encode(GENESIS)).or(before);
        if expected.as_deref() != Some(closing.chain_head.as_str()) {
            found = first_of(
                found,
                Some(ChainBreak {
                    seq,
                    kind: BreakKind::Altered,
                    reason: format!(
                        "closing Z {} recorded another head of the journal than entry {} holds",
                        closing.z_number,
                        seq - 1
                    ),
                }),
            );
            break;
        }
    }
    // Sales in doubt or queued point at their entry; it must still be there.
    let dangling: Option<(String, i64)> = conn
        .query_row(
            "SELECT sale_id, since_seq FROM open_sales o
             WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = o.since_seq)
             ORDER BY since_seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((sale_id, seq)) = dangling {
        found = first_of(
            found,
            Some(ChainBreak {
                seq,
                kind: BreakKind::Removed,
                reason: format!("entry {seq} of open sale {sale_id} was removed"),
            }),
        );
    }
    Ok(found)
}

/// The break at the earlier position.
fn first_of(a: Option<ChainBreak>, b: Option<ChainBreak>) -> Option<ChainBreak> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.seq < a.seq { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Checks one signed entry against its TSE signature (`verify_tse`): a
/// forgery goes to `forged` (the first by position), its facts for the
/// journal-wide checks to `facts`.
fn check_signed(seq: i64, body: &[u8], forged: &mut Option<ChainBreak>, facts: &mut Vec<TseFact>) {
    match check_entry(seq, body) {
        Ok(fact) => facts.extend(fact),
        Err(b) => *forged = first_of(forged.take(), Some(b)),
    }
}

/// Runs `walk` (the chain walk, which stays on this thread and in order)
/// while `workers` threads check the signed entries it hands over, in
/// batches: an ECDSA check costs a hundred times an entry's hashing, so
/// the walk goes on meanwhile. Answers the walk's result, the first forged
/// signature and the facts of all signed entries.
fn with_signature_checks<R>(
    workers: usize,
    walk: impl FnOnce(&mut dyn FnMut(i64, &[u8])) -> R,
) -> Result<(R, Option<ChainBreak>, Vec<TseFact>), JournalError> {
    const BATCH: usize = 32;
    type Signed = Vec<(i64, Vec<u8>)>;
    let (mut forged, mut facts) = (None, Vec::new());
    if workers < 2 {
        let walked = walk(&mut |seq, body| check_signed(seq, body, &mut forged, &mut facts));
        return Ok((walked, forged, facts));
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Signed>(workers * 4);
    let rx = std::sync::Mutex::new(rx);
    let rx = &rx;
    std::thread::scope(move |scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(move || {
                    let (mut forged, mut facts) = (None, Vec::new());
                    // The lock is held only to take the next batch.
                    while let Ok(batch) = rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|r| r.recv().map_err(|_| ()))
                    {
                        for (seq, body) in batch {
                            check_signed(seq, &body, &mut forged, &mut facts);
                        }
                    }
                    (forged, facts)
                })
            })
            .collect();
        let mut pending: Signed = Vec::with_capacity(BATCH);
        let walked = walk(&mut |seq, body| {
            pending.push((seq, body.to_vec()));
            if pending.len() == BATCH {
                let full = std::mem::replace(&mut pending, Vec::with_capacity(BATCH));
                // Workers stop only when the sender is gone: a send fails
                // only when they all panicked, which the join reports.
                let _ = tx.send(full);
            }
        });
        if !pending.is_empty() {
            let _ = tx.send(pending);
        }
        drop(tx);
        for h in handles {
            let (f, mut fs) = h
                .join()
                .map_err(|_| JournalError::Other("verify stopped".into()))?;
            forged = first_of(forged, f);
            facts.append(&mut fs);
        }
        Ok((walked, forged, facts))
    })
}

/// Checks the entries at positions `from..=to`: their links, starting from
/// the entry stored before `from`, and their hashes. Signed sales and
/// cancellations are handed to `signed` (seq, body) as the walk meets
/// them, to be checked against their TSE signature.
fn verify_range(
    conn: &Connection,
    from: i64,
    to: i64,
    signed: &mut dyn FnMut(i64, &[u8]),
) -> Result<Option<ChainBreak>, JournalError> {
    let blob32 = |b: &[u8]| -> Result<[u8; 32], JournalError> {
        b.try_into().map_err(|_| JournalError::Corrupt)
    };
    // The two entries before the range: what the first link must point at,
    // and the one before it (to recognise an insertion).
    let before: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT seq, hash FROM entries WHERE seq < ?1 ORDER BY seq DESC LIMIT 2")?
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut expected_prev = match before.first() {
        Some((_, h)) => blob32(h)?,
        None => GENESIS,
    };
    let mut expected_seq = before.first().map_or(1, |(s, _)| s + 1);
    let mut before_prev: Option<[u8; 32]> = match before.get(1) {
        Some((_, h)) => Some(blob32(h)?),
        None if before.len() == 1 => Some(GENESIS),
        None => None,
    };
    // Entries and their running totals are read side by side in position
    // order (a merge, not a lookup per entry).
    let mut entry_stmt = conn.prepare(
        "SELECT seq, kind, sale_id, receipt_number, created_at, body, prev_hash, hash, cashier
         FROM entries WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
    )?;
    let mut totals_stmt = conn.prepare(&format!(
        "SELECT seq, {}, {} FROM totals WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
        RunningTotals::COLUMNS,
        RunningTotals::EXTRA_COLUMNS
    ))?;
    let mut rows = entry_stmt.query([from, to])?;
    let mut totals_rows = totals_stmt.query([from, to])?;
    type TotalsRow = (i64, [i64; 17], Option<[i64; 4]>);
    let mut next_totals = || -> Result<Option<TotalsRow>, JournalError> {
        match totals_rows.next()? {
            Some(r) => {
                let mut t = [0i64; 17];
                // `get_ref`: the stored integer without a conversion step.
                for (i, v) in t.iter_mut().enumerate() {
                    *v = r.get_ref(1 + i)?.as_i64()?;
                }
                let mut e = [0i64; 4];
                let mut extra = true;
                for (i, v) in e.iter_mut().enumerate() {
                    match r.get_ref(18 + i)?.as_i64_or_null()? {
                        Some(x) => *v = x,
                        None => extra = false,
                    }
                }
                Ok(Some((r.get(0)?, t, extra.then_some(e))))
            }
            None => Ok(None),
        }
    };
    let mut pending_totals = next_totals()?;
    // The first running totals in the range without their entry.
    let mut orphan: Option<i64> = None;
    let orphan_break = |orphan: Option<i64>| {
        orphan.map(|seq| ChainBreak {
            seq,
            kind: BreakKind::Removed,
            reason: format!("entry {seq} was removed; its running totals remain"),
        })
    };
    let mut buf = Vec::with_capacity(1024);
    // Links are checked entry by entry; contents are hashed in batches,
    // several entries side by side (`sha256x8`). A batch is checked before
    // any link break after it is reported, so the first break still wins.
    const BATCH: usize = 64;
    let mut batch = Batch::default();
    let mut batch_seqs: Vec<(i64, [u8; 32])> = Vec::with_capacity(BATCH);
    let mut digests = Vec::with_capacity(BATCH);
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let prev = blob32(r.get_ref(6)?.as_blob()?)?;
        let stored = blob32(r.get_ref(7)?.as_blob()?)?;
        if prev != expected_prev {
            let altered = first_altered(&batch, &batch_seqs, &mut digests);
            let link = altered.or(Some(link_break(
                seq,
                expected_seq,
                before_prev == Some(prev),
            )));
            return Ok(first_of(link, orphan_break(orphan)));
        }
        if seq != expected_seq {
            let altered = first_altered(&batch, &batch_seqs, &mut digests);
            let gap = altered.or(Some(ChainBreak {
                seq: expected_seq,
                kind: BreakKind::Removed,
                reason: format!("entry {expected_seq} is missing"),
            }));
            return Ok(first_of(gap, orphan_break(orphan)));
        }
        // Running totals whose entry is gone: the entry was removed.
        while let Some((t, _, _)) = pending_totals.filter(|(t, _, _)| *t < seq) {
            orphan = orphan.or(Some(t));
            pending_totals = next_totals()?;
        }
        let totals = match pending_totals {
            Some((t, values, extra)) if t == seq => {
                pending_totals = next_totals()?;
                Some((values, extra))
            }
            _ => None,
        };
        entry_message(
            &mut buf,
            &prev,
            seq,
            // The stored bytes as SQLite holds them: no copy, no UTF-8 check.
            r.get_ref(1)?.as_bytes()?,
            r.get_ref(2)?.as_bytes_or_null()?,
            r.get_ref(3)?.as_i64_or_null()?,
            r.get_ref(4)?.as_bytes()?,
            r.get_ref(5)?.as_bytes()?,
            totals.as_ref().map(|(t, e)| (t, e.as_ref())),
            r.get_ref(8)?.as_bytes_or_null()?,
        );
        batch.push(&buf);
        batch_seqs.push((seq, stored));
        let (kind, body) = (r.get_ref(1)?.as_bytes()?, r.get_ref(5)?.as_bytes()?);
        if carries_signature(kind, body) {
            signed(seq, body);
        }
        if batch.len() == BATCH {
            if let Some(altered) = first_altered(&batch, &batch_seqs, &mut digests) {
                return Ok(first_of(Some(altered), orphan_break(orphan)));
            }
            batch.clear();
            batch_seqs.clear();
        }
        before_prev = Some(expected_prev);
        expected_prev = stored;
        expected_seq += 1;
    }
    // Running totals after the range's last entry: their entries are gone.
    let orphan = orphan.or(pending_totals.map(|(t, _, _)| t));
    let altered = first_altered(&batch, &batch_seqs, &mut digests);
    Ok(first_of(altered, orphan_break(orphan)))
}

/// The first entry of a batch whose content no longer matches its stored hash.
fn first_altered(
    batch: &Batch,
    seqs: &[(i64, [u8; 32])],
    digests: &mut Vec<[u8; 32]>,
) -> Option<ChainBreak> {
    batch.digests(digests);
    seqs.iter()
        .zip(digests.iter())
        .find(|((_, stored), digest)| stored != *digest)
        .map(|((seq, _), _)| ChainBreak {
            seq: *seq,
            kind: BreakKind::Altered,
            reason: "its content no longer matches its hash".into(),
        })
}

/// Names what broke when entry `seq` does not link to the entry stored before it.
fn link_break(seq: i64, expected_seq: i64, links_to_the_one_before: bool) -> ChainBreak {
    if links_to_the_one_before {
        ChainBreak {
            seq: seq - 1,
            kind: BreakKind::Inserted,
            reason: format!(
                "entry {} was put in between; entry {seq} follows the one before it",
                seq - 1
            ),
        }
    } else if seq > expected_seq {
        ChainBreak {
            seq: expected_seq,
            kind: BreakKind::Removed,
            reason: format!("entries {expected_seq} to {} are missing", seq - 1),
        }
    } else if seq == 1 {
        ChainBreak {
            seq,
            kind: BreakKind::Removed,
            reason: "the entries before it are missing".into(),
        }
    } else {
        ChainBreak {
            seq: seq - 1,
            kind: BreakKind::Altered,
            reason: format!(
                "entry {} was changed and hashed again: entry {seq} no longer follows it",
                seq - 1
            ),
        }
    }
}

/// SHA-256 over the previous hash and every stored field, length-prefixed so
/// that moving bytes between fields changes the hash.
#[allow(clippy::too_many_arguments)]
pub(super) fn entry_hash(
    prev: &[u8; 32],
    seq: i64,
    kind: &str,
    sale_id: Option<&str>,
    receipt_number: Option<i64>,
    created_at: &str,
    body: &str,
    totals: Option<(&[i64; 17], Option<&[i64; 4]>)>,
    cashier: Option<&str>,
) -> [u8; 32] {
    entry_hash_bytes(
        &mut Vec::with_capacity(256 + body.len()),
        prev,
        seq,
        kind.as_bytes(),
        sale_id.map(str::as_bytes),
        receipt_number,
        created_at.as_bytes(),
        body.as_bytes(),
        totals,
        cashier.map(str::as_bytes),
    )
}

/// [`entry_hash`] over the text fields' bytes. The hashed message is laid
/// out in `buf` (reused across entries by `verify`) and hashed in one call:
/// SHA-256 fed in ~35 small pieces costs more than the hashing itself.
#[allow(clippy::too_many_arguments)]
fn entry_hash_bytes(
    buf: &mut Vec<u8>,
    prev: &[u8; 32],
    seq: i64,
    kind: &[u8],
    sale_id: Option<&[u8]>,
    receipt_number: Option<i64>,
    created_at: &[u8],
    body: &[u8],
    totals: Option<(&[i64; 17], Option<&[i64; 4]>)>,
    cashier: Option<&[u8]>,
) -> [u8; 32] {
    entry_message(
        buf,
        prev,
        seq,
        kind,
        sale_id,
        receipt_number,
        created_at,
        body,
        totals,
        cashier,
    );
    Sha256::digest(&buf[..]).into()
}

/// The bytes an entry's hash is taken over, laid out in `buf`.
#[allow(clippy::too_many_arguments)]
fn entry_message(
    buf: &mut Vec<u8>,
    prev: &[u8; 32],
    seq: i64,
    kind: &[u8],
    sale_id: Option<&[u8]>,
    receipt_number: Option<i64>,
    created_at: &[u8],
    body: &[u8],
    totals: Option<(&[i64; 17], Option<&[i64; 4]>)>,
    cashier: Option<&[u8]>,
) {
    buf.clear();
    buf.extend_from_slice(prev);
    buf.extend_from_slice(&seq.to_le_bytes());
    let receipt_number = receipt_number.map(i64::to_le_bytes);
    for field in [
        Some(kind),
        sale_id,
        receipt_number.as_ref().map(|b| &b[..]),
        Some(created_at),
        Some(body),
    ] {
        match field {
            Some(f) => {
                buf.extend_from_slice(&(f.len() as u64).to_le_bytes());
                buf.extend_from_slice(f);
            }
            None => buf.extend_from_slice(&u64::MAX.to_le_bytes()),
        }
    }
    match totals {
        // Rows before schema 2 have no counts: hashed as they were written.
        Some((t, None)) => {
            buf.push(1);
            for v in t {
                buf.extend_from_slice(&v.to_le_bytes());
            }
        }
        Some((t, Some(e))) => {
            buf.push(2);
            for v in t.iter().chain(e) {
                buf.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => buf.push(0),
    }
    // The cashier (schema 6) comes last, and only when there is one: entries
    // written before are hashed exactly as they were. The totals' tag fixes
    // their length, so a message with a cashier can never equal one without.
    if let Some(c) = cashier {
        buf.extend_from_slice(&(c.len() as u64).to_le_bytes());
        buf.extend_from_slice(c);
    }
}
