// The journal screen: find a cash sale, open it, cancel it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { By, until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, screenshot } from './harness.mjs';

test('a cash sale is found in the journal, shown with its receipt and cancelled', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;

  await driver.findElement(byTestId('article-30037')).click();
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  await driver.wait(until.elementLocated(byTestId('receipt')), 20000);
  await driver.findElement(byTestId('new-sale')).click();

  await driver.findElement(byTestId('nav-journal')).click();
  await driver.wait(async () => (await driver.findElements(byTestId('journal-row'))).length === 1, 10000);
  const row = driver.findElement(byTestId('journal-row'));
  assert.match(await row.getText(), /3,49/);
  await row.findElement(By.css('td')).click();

  const receipt = await driver.wait(until.elementLocated(byTestId('detail-customer-receipt')), 10000);
  assert.match(await receipt.getText(), /SUMME EUR\s+3,49/);
  await screenshot(driver, 'real-journal');

  await driver.findElement(byTestId('cancel-sale')).click();
  await driver.findElement(byTestId('cancel-reason')).sendKeys('Falsch gebucht');
  await driver.findElement(byTestId('cancel-confirm-yes')).click();
  await driver.wait(until.elementLocated(byTestId('journal-done')), 20000);
  await driver.wait(async () => (await driver.findElements(byTestId('journal-row'))).length === 2, 10000);
  // The sale now reads as cancelled and offers no second cancellation.
  await driver.wait(async () => (await driver.findElements(byTestId('cancel-sale'))).length === 0, 10000);

  const cancellations = queryJournal(app.dataDir, "SELECT receipt_number, body FROM entries WHERE kind = 'cancellation'");
  assert.equal(cancellations.length, 1, 'one cancellation in the journal');
  assert.equal(cancellations[0].receipt_number, 2);
  const body = JSON.parse(cancellations[0].body);
  assert.equal(body.cancels_receipt, 1);
  assert.equal(body.total, -349);
  assert.equal(body.reason, 'Falsch gebucht');
});
