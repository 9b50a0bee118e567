// Card payments on the simulated terminal through the real window and commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from 'selenium-webdriver';
import { byTestId, fetchTransaction, launchApp, queryJournal, terminalDelay, waitForText } from './harness.mjs';

async function typeAmount(driver, digits) {
  for (const key of digits) await driver.findElement(byTestId(`key-${key}`)).click();
  await driver.findElement(byTestId('amount-7')).click();
}

test('a card sale is paid on the terminal, shown and journaled with a card payment', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await terminalDelay(app.demoUrl);

  await driver.findElement(byTestId('article-51')).click();
  await driver.findElement(byTestId('article-30037')).click();
  await waitForText(driver, 'basket-total', '4,48 €', 5000);

  const pay = driver.findElement(byTestId('pay-card'));
  await driver.wait(until.elementIsEnabled(pay), 10000);
  await pay.click();

  const receipt = await driver.wait(until.elementLocated(byTestId('receipt')), 30000);
  const text = await receipt.getText();
  assert.match(text, /SUMME EUR\s+4,48/);
  const id = /TA (STX_[A-Z0-9]+)/.exec(text)?.[1];
  assert.ok(id, `the receipt names the transaction: ${text}`);

  const stx = await fetchTransaction(app.demoUrl, id);
  assert.equal(stx.status, 'ok');
  assert.equal(stx.basket_info.sum, 448);

  const sales = queryJournal(app.dataDir, "SELECT sale_id, receipt_number, body FROM entries WHERE kind = 'sale'");
  assert.equal(sales.length, 1, 'exactly one sale in the journal');
  assert.equal(sales[0].receipt_number, 1);
  const paid = JSON.parse(sales[0].body);
  assert.deepEqual(
    paid.payments.map((p) => [p.method, p.amount]),
    [['card', 448]],
  );
  assert.equal(stx.transactionRef, sales[0].sale_id);
  const merchant = queryJournal(app.dataDir, `SELECT count(*) AS n FROM entries WHERE kind = 'receipt_merchant' AND sale_id = '${sales[0].sale_id}'`);
  assert.equal(merchant[0].n, 1, 'the merchant copy is kept');
});

test('a declined card is shown to the cashier, nothing is sold and the basket stays', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await terminalDelay(app.demoUrl);

  // Cents ending in 13: the simulated terminal declines.
  await typeAmount(driver, ['1', '0', '1', '3']);
  await waitForText(driver, 'basket-total', '10,13 €', 5000);
  const pay = driver.findElement(byTestId('pay-card'));
  await driver.wait(until.elementIsEnabled(pay), 10000);
  await pay.click();

  await driver.wait(until.elementLocated(byTestId('card-state-declined')), 30000);
  const detail = await driver.findElement(byTestId('card-detail')).getText();
  assert.match(detail, /abgelehnt/);

  const sales = queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'sale'");
  assert.equal(sales[0].n, 0, 'no sale in the journal');
  const failed = queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'failed'");
  assert.equal(failed[0].n, 1, 'the failed payment is journaled');

  await driver.findElement(byTestId('card-back')).click();
  await waitForText(driver, 'basket-total', '10,13 €', 5000);
  assert.equal((await driver.findElements(byTestId('basket-line'))).length, 1);
});

test('giving up on the terminal aborts the payment once and sells nothing', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  // A slow customer: long enough to give up while the terminal waits.
  await terminalDelay(app.demoUrl, 20000);

  await driver.findElement(byTestId('article-51')).click();
  const pay = driver.findElement(byTestId('pay-card'));
  await driver.wait(until.elementIsEnabled(pay), 10000);
  await pay.click();

  // The intent is in the journal before the terminal is asked: the payment is running.
  await driver.wait(
    async () => queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'intent'")[0].n === 1,
    10000,
  );
  await driver.findElement(byTestId('abort-card')).click();

  await driver.wait(until.elementLocated(byTestId('card-state-aborted')), 15000);
  const intent = JSON.parse(queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'intent'")[0].body);
  const stx = await fetchTransaction(app.demoUrl, intent.transaction_id);
  assert.notEqual(stx.status, 'ok', 'the simulator did not take the payment');
  const sales = queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'sale'");
  assert.equal(sales[0].n, 0, 'no sale in the journal');
  const failed = queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'failed'");
  assert.equal(failed[0].n, 1, 'the aborted payment is journaled as failed, once');
});
