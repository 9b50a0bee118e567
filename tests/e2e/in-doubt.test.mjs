// A card is charged while another program holds the journal: the cashier is told the
// payment may have gone through and is offered no second charge; the till books the sale
// once the journal is free, and the card was charged exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, screenshot, simulator, terminalDelay } from './harness.mjs';

const intents = (dataDir) => queryJournal(dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'intent'")[0].n;

test('a card charged while the journal is locked is in doubt, never charged twice, and booked once the journal is free', async (t) => {
  const app = await launchApp(t);
  const { driver, dataDir, demoUrl } = app;
  // The customer takes a while at the terminal.
  await terminalDelay(demoUrl, 1500);

  await driver.findElement(byTestId('article-51')).click();
  const pay = driver.findElement(byTestId('pay-card'));
  await driver.wait(until.elementIsEnabled(pay), 10000);
  await pay.click();

  // Once the intent is journaled, another program takes the journal's write lock for
  // longer than the till waits (2 s), while the terminal is still taking the card.
  const deadline = Date.now() + 10000;
  while (intents(dataDir) < 1) {
    assert.ok(Date.now() < deadline, 'the intent is journaled');
    await new Promise((r) => setTimeout(r, 20));
  }
  const holder = spawn('sqlite3', [join(dataDir, 'journal.sqlite3'), '.timeout 5000', 'BEGIN IMMEDIATE;', '.shell sleep 6', 'COMMIT;'], {
    stdio: 'ignore',
  });
  const released = new Promise((resolve) => holder.on('exit', resolve));

  await driver.wait(until.elementLocated(byTestId('card-state-unknown')), 30000);
  const detail = await driver.findElement(byTestId('card-detail')).getText();
  assert.match(detail, /vermutlich durchgegangen/);
  assert.match(detail, /Nicht noch einmal kassieren/);
  // No way to charge again: only "check".
  assert.equal((await driver.findElements(byTestId('retry-card'))).length, 0);
  await screenshot(driver, 'card-unjournaled');

  assert.equal(await released, 0, 'the other program held the lock and let go');
  // The cashier checks; the till books the sale (or has booked it in the background).
  const until20 = Date.now() + 20000;
  for (;;) {
    const check = await driver.findElements(byTestId('check-card'));
    if (check.length) await check[0].click().catch(() => {});
    const receipt = await driver.findElements(byTestId('receipt'));
    if (receipt.length) break;
    assert.ok(Date.now() < until20, 'the sale is booked once the journal is free');
    await new Promise((r) => setTimeout(r, 500));
  }
  const text = await driver.findElement(byTestId('receipt')).getText();
  assert.match(text, /SUMME EUR\s+0,99/);

  const sales = queryJournal(dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'sale'")[0];
  assert.equal(sales.n, 1, 'one sale in the journal');
  const state = await simulator(demoUrl, '/_sandbox/state');
  assert.equal(state.terminal.payments.length, 1, 'the card was charged once');
});
