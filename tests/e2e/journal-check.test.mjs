// The till checks its own journal at start: an entry changed behind its back is shown
// to the cashier in the status bar (and logged), and selling goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, screenshot, sellWater } from './harness.mjs';

test('a journal changed behind the till is named in the status bar at start; selling goes on', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'smart-till-e2e-check-'));
  const first = await launchApp(null, { dataDir });
  await sellWater(first.driver);
  await sellWater(first.driver);
  // A healthy journal: no problem shown.
  const pills = await first.driver.findElements(byTestId('journal-problem'));
  assert.equal(pills.length, 0);
  await first.stop();

  // Someone lowers the first sale's amount in the file and keeps the chain's hashes.
  const journal = join(dataDir, 'journal.sqlite3');
  execFileSync('sqlite3', [journal, `DROP TRIGGER entries_append_only_update;
    UPDATE entries SET body = replace(body, '"total":99', '"total":9') WHERE seq = (SELECT min(seq) FROM entries WHERE kind = 'intent');`]);

  const app = await launchApp(t, { dataDir });
  const { driver } = app;
  await driver.wait(until.elementLocated(byTestId('journal-problem')), 30000);
  const pill = await driver.findElement(byTestId('journal-problem'));
  assert.match(await pill.getText(), /Prüfkette gebrochen/);
  assert.match(await pill.getAttribute('title'), /entry \d+/);
  await screenshot(driver, 'journal-check-broken');
  // Selling goes on, and the new sale is journaled.
  await sellWater(driver);
  const sales = queryJournal(dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'sale'")[0];
  assert.equal(sales.n, 3);
  // The log names the break.
  const logs = join(dataDir, 'logs');
  const text = readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8')).join('\n');
  assert.match(text, /hash chain does not hold/);
});
