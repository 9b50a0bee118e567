// The closing after a cash sale: the terminal's end of day and the Z report through the real window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, screenshot, terminalDelay, waitForText } from './harness.mjs';

test('a day with a cash sale is closed as Z 1 and the closing is journaled', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await terminalDelay(app.demoUrl);

  await driver.findElement(byTestId('article-51')).click();
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  await driver.wait(until.elementLocated(byTestId('receipt')), 20000);
  await driver.findElement(byTestId('new-sale')).click();

  await driver.findElement(byTestId('nav-closing')).click();
  await waitForText(driver, 'day-total', '0,99 €', 20000);
  assert.equal(await driver.findElement(byTestId('cash-expected')).getText(), '0,99 €');
  // Counts in words; only the rates sold (no empty 0 % row).
  assert.match(await driver.findElement(byTestId('day-summary')).getText(), /1 Verkauf, 0 Stornos/);
  assert.equal((await driver.findElements(byTestId('vat-19'))).length, 1);
  assert.equal((await driver.findElements(byTestId('vat-0'))).length, 0, 'no empty 0 % row');
  // The terminal's end of day from its button: its result belongs to this day.
  await driver.findElement(byTestId('terminal-eod')).click();
  await waitForText(driver, 'terminal-result', /^Terminal: (1 Zahlung|\d+ Zahlungen), /, 20000);
  await screenshot(driver, 'real-closing');

  // Nothing counted: a shortfall of 0,99 €, which needs a note.
  await driver.findElement(byTestId('close-day')).click();
  await driver.findElement(byTestId('close-note')).sendKeys('Kasse nicht gezählt');
  await driver.findElement(byTestId('close-day-yes')).click();

  const result = await driver.wait(until.elementLocated(byTestId('z-result')), 30000);
  assert.match(await result.getText(), /Z 1\b/);
  assert.match(await driver.findElement(byTestId('z-difference')).getText(), /^[-−]0,99 €$/);
  // The Z report as the receipt crate prints it, with the payment count and the note.
  const report = await driver.findElement(byTestId('z-report')).getText();
  assert.match(report, /Z-Bericht Nr\. 1/);
  assert.match(report, /Bar \(1x\)\s+0,99/);
  assert.match(report, /Kasse nicht gezählt/);
  // The next day's panel starts empty: no terminal result of the day before.
  await waitForText(driver, 'day-total', '0,00 €', 20000);
  assert.match(await driver.findElement(byTestId('day-summary')).getText(), /0 Verkäufe, 0 Stornos/);
  assert.equal((await driver.findElements(byTestId('terminal-result'))).length, 0, "yesterday's terminal result is gone");

  const closings = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'closing'");
  assert.equal(closings.length, 1, 'one closing in the journal');
  const body = JSON.parse(closings[0].body);
  assert.equal(body.z_number, 1);
  assert.equal(body.figures.total, 99);
  assert.equal(body.figures.sales, 1);
  assert.equal(body.cash_counted, 0);
  assert.equal(body.difference, -99);
  assert.equal(body.note, 'Kasse nicht gezählt');
  assert.equal(body.figures.counts_by_method.cash, 1);
  // The terminal's end of day ran first and its answer is kept in the closing.
  assert.ok(body.terminal, 'the terminal answer is stored');
});
