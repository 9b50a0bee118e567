// Backup while the till sells, and restore: the real binary's command line on the real journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchApp, queryJournal, sellWater } from './harness.mjs';

/** Runs `smart-till <args>` on the data directory; resolves { code, stdout, stderr }. */
function cli(dataDir, ...args) {
  return new Promise((resolve) => {
    execFile(
      process.env.SMART_TILL_BIN,
      args,
      { env: { ...process.env, SMART_TILL_DATA_DIR: dataDir }, timeout: 120000 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

const salesIn = (file) =>
  queryJournal(file, "SELECT count(*) AS n, max(receipt_number) AS last FROM entries WHERE kind = 'sale'")[0];

test('a backup taken while sales are written is whole; restore refuses while the till runs, then keeps the old journal', async (t) => {
  const app = await launchApp(t);
  const { driver, dataDir } = app;
  for (let i = 0; i < 3; i++) await sellWater(driver);

  // Sales keep going through the window while the backup runs.
  let selling = true;
  let sold = 3;
  const seller = (async () => {
    while (selling) {
      await sellWater(driver);
      sold++;
    }
  })();
  while (sold < 5) await new Promise((r) => setTimeout(r, 50));
  const backupFile = join(dataDir, 'backup-1.sqlite3');
  const made = await cli(dataDir, 'backup', backupFile);
  while (sold < 8) await new Promise((r) => setTimeout(r, 50));
  selling = false;
  await seller;

  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /Backup written to .*backup-1\.sqlite3: \d+ journal entries, last receipt \d+/);
  // A self-contained copy: every sale up to its last receipt, gapless; SQLite finds it sound.
  const copied = queryJournal(dataDir, `ATTACH '${backupFile}' AS b; SELECT count(*) AS n, max(receipt_number) AS last FROM b.entries WHERE kind = 'sale'`)[0];
  assert.ok(copied.n >= 5, `the backup holds the sales before it: ${copied.n}`);
  assert.equal(copied.last, copied.n);
  assert.ok(!existsSync(`${backupFile}-wal`));
  const live = salesIn(dataDir);
  assert.equal(live.n, sold);
  assert.ok(live.n > copied.n, 'sales went on after the copy');

  // An existing file is never overwritten.
  const again = await cli(dataDir, 'backup', backupFile);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);

  // Restore while the till runs: refused, nothing changed.
  const refused = await cli(dataDir, 'restore', backupFile);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /Smart Till is running/);
  assert.equal(salesIn(dataDir).n, sold);

  // Close the till (the session's end quits the app). The backup is older than
  // the healthy journal: restoring it would issue receipt numbers again, so it is refused.
  await driver.quit();
  let older;
  const deadline = Date.now() + 60000;
  do {
    older = await cli(dataDir, 'restore', backupFile);
    if (older.code !== 3) break;
    await new Promise((r) => setTimeout(r, 300));
  } while (Date.now() < deadline);
  assert.equal(older.code, 1, older.stdout);
  assert.match(older.stderr, /older than the journal .*receipt numbers a second time/);
  assert.equal(salesIn(dataDir).n, sold);

  // The journal is damaged (its newest sale cut off behind the till's back): now the backup goes in.
  const journalFile = join(dataDir, 'journal.sqlite3');
  execFileSync('sqlite3', [journalFile, `DROP TRIGGER entries_append_only_delete; DROP TRIGGER totals_append_only_delete;
    DELETE FROM totals WHERE seq = (SELECT max(seq) FROM entries); DELETE FROM entries WHERE seq = (SELECT max(seq) FROM entries);`]);
  const restored = await cli(dataDir, 'restore', backupFile);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /The previous journal is kept at .*the journal was damaged/);
  assert.deepEqual(salesIn(dataDir), copied);
  // The restore is the first entry after the copy's own, naming the copy and its last receipt.
  const journaled = queryJournal(dataDir, "SELECT body FROM entries WHERE kind = 'restored'");
  assert.equal(journaled.length, 1);
  const what = JSON.parse(journaled[0].body);
  assert.equal(what.last_receipt, copied.last);
  assert.match(what.from, /backup-1\.sqlite3$/);
  const aside = readdirSync(dataDir).filter((f) => /^journal\.sqlite3\.before-restore-\d{8}T\d{6}Z$/.test(f));
  assert.equal(aside.length, 1, readdirSync(dataDir).join(' '));

  // A foreign file is refused and changes nothing.
  const foreign = await cli(dataDir, 'restore', join(dataDir, 'logs'));
  assert.equal(foreign.code, 1);
  assert.deepEqual(salesIn(dataDir), copied);
});
