// A cash sale through every layer: the real window, the commands, the simulator, the journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from 'selenium-webdriver';
import { byTestId, fetchTransaction, launchApp, queryJournal, screenshot, waitForText } from './harness.mjs';

test('a cash sale is paid, shown, registered at the provider and journaled once', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;

  assert.equal(await driver.findElement(byTestId('demo-marker')).getText(), 'DEMO');

  // Two waters (0,99 € at 19 %) and a sandwich (3,49 € at 7 %).
  await driver.findElement(byTestId('article-51')).click();
  await driver.findElement(byTestId('article-51')).click();
  await driver.findElement(byTestId('article-30037')).click();
  await waitForText(driver, 'basket-total', '5,47 €', 5000);
  assert.equal((await driver.findElements(byTestId('basket-line'))).length, 2);
  await screenshot(driver, 'sale');

  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('tendered')).sendKeys('10');
  assert.equal(await driver.findElement(byTestId('change')).getText(), '4,53 €');
  await screenshot(driver, 'cash');
  await driver.findElement(byTestId('confirm-cash')).click();

  const receipt = await driver.wait(until.elementLocated(byTestId('receipt')), 20000);
  const text = await receipt.getText();
  await screenshot(driver, 'receipt');
  assert.match(text, /SUMME EUR\s+5,47/);
  assert.match(text, /Rückgeld\s+4,53/);
  assert.match(text, /Smart Till Demo-Café/);
  assert.match(text, /\d\d\.\d\d\.\d{4} \d\d:\d\d/);
  const id = /TA (STX_[A-Z0-9]+)/.exec(text)?.[1];
  assert.ok(id, `the receipt names the transaction: ${text}`);

  const stx = await fetchTransaction(app.demoUrl, id);
  assert.equal(stx.status, 'ok');
  assert.equal(stx.payment_method, 'cash');
  assert.equal(stx.basket_info.sum, 547);
  assert.equal(stx.basket.products.length, 2);

  const sales = queryJournal(app.dataDir, "SELECT sale_id, receipt_number, body FROM entries WHERE kind = 'sale'");
  assert.equal(sales.length, 1, 'exactly one sale in the journal');
  assert.equal(sales[0].receipt_number, 1);
  const paid = JSON.parse(sales[0].body);
  assert.deepEqual(
    paid.payments.map((p) => [p.method, p.amount]),
    [['cash', 547]],
  );
  assert.equal(stx.transactionRef, sales[0].sale_id);
  // The intent, written before the payment call, names the provider's transaction.
  const intents = queryJournal(app.dataDir, `SELECT body FROM entries WHERE kind = 'intent' AND sale_id = '${sales[0].sale_id}'`);
  assert.equal(intents.length, 1);
  const intent = JSON.parse(intents[0].body);
  assert.equal(intent.transaction_id, id);
  assert.equal(intent.total, 547);
  const kinds = queryJournal(app.dataDir, 'SELECT kind FROM entries ORDER BY seq').map((r) => r.kind);
  assert.ok(kinds.indexOf('intent') < kinds.indexOf('sale'), `intent before sale: ${kinds}`);
  assert.equal(kinds.filter((k) => k === 'sale').length, 1);
});

test('an amount typed on the keypad is sold and the basket starts empty again', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;

  for (const key of ['1', '2', '5', '0']) await driver.findElement(byTestId(`key-${key}`)).click();
  assert.equal(await driver.findElement(byTestId('keypad-display')).getText(), '12,50 €');
  await driver.findElement(byTestId('amount-7')).click();
  await waitForText(driver, 'basket-total', '12,50 €', 5000);

  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  const text = await (await driver.wait(until.elementLocated(byTestId('receipt')), 20000)).getText();
  assert.match(text, /SUMME EUR\s+12,50/);
  assert.match(text, /B  7%\s+11,68\s+0,82\s+12,50/);

  await driver.findElement(byTestId('new-sale')).click();
  await waitForText(driver, 'basket-total', '0,00 €', 5000);
  const sales = queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'sale'");
  assert.equal(sales[0].n, 1);
});
