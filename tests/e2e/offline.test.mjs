// A cash sale while the payment service cannot be reached: sold and printed
// at once, queued in the journal, and registered when the service is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, waitForText } from './harness.mjs';

async function control(demoUrl, method, path, body) {
  const res = await fetch(`${demoUrl}/_sandbox/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} /_sandbox/${path}: HTTP ${res.status}`);
  return res.json().catch(() => null);
}

/** The simulator's transactions with our sale id as transactionRef. */
async function transactionsFor(demoUrl, saleId) {
  const state = await control(demoUrl, 'GET', 'state');
  return state.transactions.filter((t) => t.transactionRef === saleId);
}

test('a cash sale offline is kept, queued and registered once the payment service is back', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;

  // Every request to the payment service (the token too) has its connection
  // closed before it is processed: for the till the service is unreachable.
  await control(app.demoUrl, 'POST', 'faults', { route: '*', kind: 'drop_before', count: 100000 });

  await driver.findElement(byTestId('article-51')).click();
  await waitForText(driver, 'basket-total', '0,99 €', 5000);
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('tendered')).sendKeys('2');
  await driver.findElement(byTestId('confirm-cash')).click();

  // The receipt is there at once: the cash is in the drawer.
  const receipt = await driver.wait(until.elementLocated(byTestId('receipt')), 60000);
  const text = await receipt.getText();
  assert.match(text, /SUMME EUR\s+0,99/);
  assert.match(text, /Rückgeld\s+1,01/);
  assert.doesNotMatch(text, /STX_/, 'no transaction at the provider yet');

  // The status bar says offline and one sale waits.
  const online = driver.findElement(byTestId('online-state'));
  await driver.wait(async () => (await online.getAttribute('data-online')) === 'false', 30000, 'status bar shows offline');
  await waitForText(driver, 'outbox-count', '1', 30000);

  // The journal has the sale, paid and queued; nothing at the provider.
  const sales = queryJournal(app.dataDir, "SELECT sale_id, receipt_number, body FROM entries WHERE kind = 'sale'");
  assert.equal(sales.length, 1);
  const saleId = sales[0].sale_id;
  assert.equal(JSON.parse(sales[0].body).queued, true);
  assert.deepEqual(
    queryJournal(app.dataDir, 'SELECT sale_id, state FROM open_sales'),
    [{ sale_id: saleId, state: 'queued' }],
  );
  const intent = JSON.parse(queryJournal(app.dataDir, `SELECT body FROM entries WHERE kind = 'intent' AND sale_id = '${saleId}'`)[0].body);
  assert.equal(intent.transaction_id, undefined, 'no smart transaction was created');
  assert.equal((await transactionsFor(app.demoUrl, saleId)).length, 0);

  // The service is back: the background task registers the sale by itself.
  await control(app.demoUrl, 'DELETE', 'faults');
  let registered = [];
  await driver.wait(async () => {
    registered = (await transactionsFor(app.demoUrl, saleId)).filter((s) => s.status === 'ok');
    return registered.length > 0;
  }, 60000, 'the simulator has the sale');
  assert.equal(registered.length, 1, 'registered once');
  assert.equal(registered[0].payment_method, 'cash');
  assert.equal(registered[0].basket_info.sum, 99);

  await waitForText(driver, 'outbox-count', '0', 30000);
  await driver.wait(async () => (await online.getAttribute('data-online')) === 'true', 30000, 'status bar shows online');
  const outboxClass = await driver.findElement(byTestId('outbox')).getAttribute('class');
  assert.doesNotMatch(outboxClass, /warn/);

  assert.deepEqual(queryJournal(app.dataDir, 'SELECT sale_id FROM open_sales'), []);
  const done = queryJournal(app.dataDir, `SELECT body FROM entries WHERE kind = 'registered' AND sale_id = '${saleId}'`);
  assert.equal(done.length, 1);
  assert.equal(JSON.parse(done[0].body).transaction_id, registered[0].id);
  // Still one sale, one receipt number.
  assert.equal(queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'sale'")[0].n, 1);
});
