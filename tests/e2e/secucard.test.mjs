// Secucards through the real window and commands: a sale paid from the card's
// balance with cash for the rest, and a locked card refused.
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { until } from 'selenium-webdriver';
import { byTestId, fetchTransaction, launchApp, queryJournal, screenshot, terminalDelay, waitForText } from './harness.mjs';

/** The demo cards of the simulator (crates/secuconnect-sandbox/src/demo.rs). */
const CARD_GUIDE = '9276004429942845'; // active, 5,00 €, Max Mustermann
const CARD_BONUS = '9276000000000011'; // active, 10,00 € + 2,50 € bonus
const CARD_LOCKED = '9276000000000037'; // locked, 8,00 €
const CARD_PASSCODE = '9276000000000060'; // passcode 1234, 20,00 €
const CARD_EMPTY = '9276000000000029'; // active, no balance

async function token(demoUrl) {
  const res = await fetch(`${demoUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo-till', client_secret: 'demo-secret' }),
  });
  return (await res.json()).access_token;
}

/** A GET on the simulator's API, as any client would do it. */
async function apiGet(demoUrl, path) {
  const res = await fetch(`${demoUrl}/api/v2/${path}`, {
    headers: { authorization: `Bearer ${await token(demoUrl)}`, accept: 'application/json' },
  });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return res.json();
}

/** The merchant card as the provider keeps it. */
async function fetchCard(demoUrl, number) {
  const list = await apiGet(demoUrl, `Loyalty/MerchantCards?q=card.cardnumber:${number}`);
  assert.equal(list.data.length, 1, `one card ${number}`);
  return list.data[0];
}

async function lookUp(driver, number) {
  await driver.findElement(byTestId('nav-secucard')).click();
  const input = await driver.wait(until.elementLocated(byTestId('card-number')), 10000);
  await input.clear();
  await input.sendKeys(number);
  await driver.findElement(byTestId('card-lookup')).click();
  await driver.wait(until.elementLocated(byTestId('secucard-details')), 20000);
}

test('a secucard sale takes the card balance first and cash for the rest', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  assert.equal((await fetchCard(app.demoUrl, CARD_GUIDE)).balance, 500);

  // Two waters (0,99 € at 19 %) and a sandwich (3,49 € at 7 %): 5,47 €.
  await driver.findElement(byTestId('article-51')).click();
  await driver.findElement(byTestId('article-51')).click();
  await driver.findElement(byTestId('article-30037')).click();
  await waitForText(driver, 'basket-total', '5,47 €', 5000);

  await lookUp(driver, CARD_GUIDE);
  assert.equal(await driver.findElement(byTestId('card-balance')).getText(), '5,00 €');
  assert.equal(await driver.findElement(byTestId('card-lock')).getText(), 'nicht gesperrt');
  assert.equal(await driver.findElement(byTestId('card-stock')).getText(), 'aktiv');
  assert.match(await driver.findElement(byTestId('secucard-details')).getText(), /Max Mustermann/);
  await screenshot(driver, 'real-secucard');
  await driver.findElement(byTestId('use-card')).click();

  // Back on the sale with the card attached.
  const chip = await driver.wait(until.elementLocated(byTestId('attached-card')), 10000);
  assert.match(await chip.getText(), new RegExp(CARD_GUIDE));
  await driver.findElement(byTestId('pay-secucard')).click();

  const rest = await driver.wait(until.elementLocated(byTestId('split-rest')), 20000);
  assert.equal(await rest.getText(), '0,47 €');
  assert.equal(await driver.findElement(byTestId('split-card')).getText(), '−5,00 €');
  assert.equal(await driver.findElement(byTestId('cash-due')).getText(), '0,47 €');
  await driver.findElement(byTestId('tendered')).sendKeys('1');
  assert.equal(await driver.findElement(byTestId('change')).getText(), '0,53 €');
  await screenshot(driver, 'real-secucard-payment');
  // Asking for the split paid nothing yet.
  assert.equal((await fetchCard(app.demoUrl, CARD_GUIDE)).balance, 500);
  await driver.findElement(byTestId('confirm-cash')).click();

  const receipt = await driver.wait(until.elementLocated(byTestId('receipt')), 20000);
  const text = await receipt.getText();
  assert.match(text, /SUMME EUR\s+5,47/);
  assert.match(text, /Kundenkarte\s+5,00/);
  assert.match(text, /Bar\s+0,47/);
  assert.match(text, /Rückgeld\s+0,53/);
  assert.match(text, /Aktuelles Guthaben:\s+0,00 EUR/);
  const id = /TA (STX_[A-Z0-9]+)/.exec(text)?.[1];
  assert.ok(id, `the receipt names the transaction: ${text}`);

  // The provider: the card's balance is spent, the transaction is paid with the card on it.
  const card = await fetchCard(app.demoUrl, CARD_GUIDE);
  assert.equal(card.balance, 0);
  assert.equal(card.cash_balance, 0);
  const stx = await fetchTransaction(app.demoUrl, id);
  assert.equal(stx.status, 'ok');
  assert.equal(stx.payment_method, 'cash');
  assert.equal(stx.basket_info.sum, 547);
  assert.equal(stx.idents[0].value, CARD_GUIDE);

  // The journal: one sale, the card's part and the cash for the rest.
  const sales = queryJournal(app.dataDir, "SELECT sale_id, receipt_number, body FROM entries WHERE kind = 'sale'");
  assert.equal(sales.length, 1, 'exactly one sale in the journal');
  const paid = JSON.parse(sales[0].body);
  assert.deepEqual(
    paid.payments.map((p) => [p.method, p.amount, p.tendered ?? null, p.change ?? null]),
    [['secucard', 500, null, null], ['cash', 47, 100, 53]],
  );
  assert.equal(stx.transactionRef, sales[0].sale_id);

  // The log names the card by its last four digits only.
  const logDir = join(app.dataDir, 'logs');
  let log = '';
  for (let i = 0; i < 50 && !/sale paid with a secucard/.test(log); i++) {
    await new Promise((r) => setTimeout(r, 200));
    log = readdirSync(logDir)
      .filter((f) => f.startsWith('smart-till'))
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('');
  }
  assert.match(log, /sale paid with a secucard/);
  assert.match(log, /\*{12}2845/);
  assert.doesNotMatch(log, new RegExp(CARD_GUIDE));
});

test('a locked secucard is refused in words and nothing is charged', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;

  // The card screen refuses a locked card: no way to use or load it.
  await lookUp(driver, CARD_LOCKED);
  const refused = await driver.findElement(byTestId('card-refused')).getText();
  assert.match(refused, /Karte gesperrt/);
  assert.equal((await driver.findElements(byTestId('use-card'))).length, 0);
  assert.equal((await driver.findElements(byTestId('load-cash'))).length, 0);
  await screenshot(driver, 'real-secucard-locked');

  // A card locked after it was attached to the sale: the till refuses it when paying.
  await driver.findElement(byTestId('nav-sale')).click();
  await driver.wait(until.elementLocated(byTestId('article-30037')), 10000).click();
  await waitForText(driver, 'basket-total', '3,49 €', 5000);
  await lookUp(driver, CARD_BONUS);
  await driver.findElement(byTestId('use-card')).click();
  await driver.wait(until.elementLocated(byTestId('attached-card')), 10000);
  const locked = await fetch(`${app.demoUrl}/_sandbox/cards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cardnumber: CARD_BONUS, lock_status: 'locked' }),
  });
  assert.ok(locked.ok, `locking the card in the simulator: HTTP ${locked.status}`);
  await driver.findElement(byTestId('pay-secucard')).click();

  const error = await driver.wait(until.elementLocated(byTestId('error')), 20000);
  assert.match(await error.getText(), /Kundenkarte ist gesperrt/);
  // Back on the sale, the basket still there.
  await driver.wait(until.elementLocated(byTestId('sale-screen')), 10000);
  assert.equal(await driver.findElement(byTestId('basket-total')).getText(), '3,49 €');

  // Nothing charged: both balances as before, no transaction paid, no sale booked.
  assert.equal((await fetchCard(app.demoUrl, CARD_LOCKED)).balance, 800);
  assert.equal((await fetchCard(app.demoUrl, CARD_BONUS)).balance, 1250);
  const transactions = await apiGet(app.demoUrl, 'Smart/Transactions?count=100');
  assert.deepEqual(transactions.data.filter((s) => s.status === 'ok'), []);
  const sales = queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind IN ('sale', 'intent')");
  assert.equal(sales[0].n, 0, 'no sale in the journal');
});

test('a card with a passcode is loaded in cash once the passcode is right', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;

  await lookUp(driver, CARD_PASSCODE);
  await driver.wait(until.elementLocated(byTestId('passcode-prompt')), 10000);
  assert.equal((await driver.findElements(byTestId('load-cash'))).length, 0, 'no load before the passcode');
  await driver.findElement(byTestId('passcode-input')).sendKeys('1111');
  await driver.findElement(byTestId('passcode-ok')).click();
  await driver.wait(until.elementLocated(byTestId('passcode-wrong')), 10000);
  await driver.findElement(byTestId('passcode-input')).sendKeys('1234');
  await driver.findElement(byTestId('passcode-ok')).click();

  await driver.wait(until.elementLocated(byTestId('load-1000')), 10000).click();
  await driver.findElement(byTestId('load-cash')).click();
  const receipt = await driver.wait(until.elementLocated(byTestId('receipt')), 20000);
  const text = await receipt.getText();
  assert.match(text, /Kartenaufladung/);
  assert.match(text, /SUMME EUR\s+10,00/);
  assert.match(text, /Aktuelles Guthaben:\s+30,00 EUR/);

  assert.equal((await fetchCard(app.demoUrl, CARD_PASSCODE)).balance, 3000);
  const sales = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'sale'");
  assert.equal(sales.length, 1, 'exactly one sale in the journal');
  const paid = JSON.parse(sales[0].body);
  assert.deepEqual(paid.payments.map((p) => [p.method, p.amount]), [['cash', 1000]]);
});

test('a card is loaded on the payment terminal', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await terminalDelay(app.demoUrl);

  await lookUp(driver, CARD_EMPTY);
  assert.equal(await driver.findElement(byTestId('card-balance')).getText(), '0,00 €');
  await driver.findElement(byTestId('load-amount')).sendKeys('25');
  await driver.findElement(byTestId('load-card')).click();
  const receipt = await driver.wait(until.elementLocated(byTestId('receipt')), 30000);
  assert.match(await receipt.getText(), /SUMME EUR\s+25,00/);

  assert.equal((await fetchCard(app.demoUrl, CARD_EMPTY)).balance, 2500);
  const sales = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'sale'");
  assert.equal(sales.length, 1, 'exactly one sale in the journal');
  assert.deepEqual(JSON.parse(sales[0].body).payments.map((p) => [p.method, p.amount]), [['card', 2500]]);
});
