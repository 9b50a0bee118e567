// The shop's catalogue and cashiers in the real window: an article created on
// the articles screen and sold; a CSV imported and an imported article sold by
// a scanner's keystrokes; a price label; a cashier logs in, sells, and a
// cancellation asks for a manager's PIN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Key, until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, screenshot, waitForText } from './harness.mjs';

/** Types `code` and Enter as a keyboard-wedge scanner does: fast keystrokes, no field focused. */
async function scan(driver, code) {
  await driver.executeScript('document.activeElement && document.activeElement.blur()');
  await driver.actions().sendKeys(code, Key.ENTER).perform();
}

async function payExactly(driver) {
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  return driver.wait(until.elementLocated(byTestId('receipt')), 20000);
}

async function pressPin(driver, pad, pin) {
  for (const d of pin) await driver.findElement(byTestId(`${pad}-${d}`)).click();
  await driver.findElement(byTestId(`${pad}-ok`)).click();
}

test('an article created on the articles screen is sold at its price', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await driver.findElement(byTestId('nav-articles')).click();
  await driver.wait(until.elementLocated(byTestId('row-51')), 10000);
  await screenshot(driver, 'articles');
  await driver.findElement(byTestId('article-new')).click();
  await driver.findElement(byTestId('f-number')).sendKeys('777');
  await driver.findElement(byTestId('f-text')).sendKeys('Apfelsaft 1 l');
  await driver.findElement(byTestId('f-price')).sendKeys('1,89');
  await screenshot(driver, 'article-form');
  await driver.findElement(byTestId('article-save')).click();
  await driver.wait(until.elementLocated(byTestId('row-777')), 10000);
  await driver.findElement(byTestId('lang-switch')).click();
  await screenshot(driver, 'articles-en');
  await driver.findElement(byTestId('lang-switch')).click();

  await driver.findElement(byTestId('nav-sale')).click();
  // A new article may sit below the rows the screen shows: scrolled to, as a cashier would.
  const apfelsaft = await driver.wait(until.elementLocated(byTestId('article-777')), 10000);
  await driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", apfelsaft);
  await apfelsaft.click();
  await waitForText(driver, 'basket-total', '1,89 €', 5000);
  const receipt = await payExactly(driver);
  assert.match(await receipt.getText(), /Apfelsaft 1 l/);
  // The journal explains the price: the article's creation, by whom.
  const changes = queryJournal(app.dataDir, "SELECT body, cashier FROM entries WHERE kind = 'catalog_change'");
  const created = changes.map((r) => JSON.parse(r.body)).find((b) => b.label === '777');
  assert.ok(created, 'the new article is journaled');
  assert.equal(created.by.name, 'Demo Chefin');
  assert.ok(created.fields.some((f) => f.field === 'price' && f.new === 189), JSON.stringify(created.fields));
});

test('a CSV file is previewed, imported and its article sold by scanning; price and weight labels sell', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  const dir = mkdtempSync(join(tmpdir(), 'smart-till-csv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'artikel.csv');
  writeFileSync(
    file,
    '\ufeffArtikelnummer;EAN;Bezeichnung;Preis;MwSt;Warengruppe\n' +
      '8001;4006381333931;Orangensaft 0,5 l;1,79;19;Kaltgetränke\n' +
      '8002;;Brause;zwei;19;Kaltgetränke\n' +
      '8003;;"Limo Zitrone; extra";2,10;19;Kaltgetränke\n',
  );
  await driver.findElement(byTestId('nav-articles')).click();
  await driver.findElement(byTestId('tab-import')).click();
  await driver.findElement(byTestId('import-file')).sendKeys(file);
  await waitForText(driver, 'import-counts', '2 neu, 0 geändert, 0 unverändert, 1 fehlerhafte Zeile', 10000);
  const bad = await driver.findElement(byTestId('import-bad')).getText();
  assert.match(bad, /Zeile 3 \(8002\): Preis „zwei“ ist keine Zahl wie 2,50/);
  await screenshot(driver, 'import-preview');
  await driver.findElement(byTestId('lang-switch')).click();
  await waitForText(driver, 'import-counts', '2 new, 0 changed, 0 unchanged, 1 bad line', 5000);
  await screenshot(driver, 'import-preview-en');
  await driver.findElement(byTestId('lang-switch')).click();
  // Nothing is saved by the preview.
  assert.equal(queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'catalog_change' AND body LIKE '%Orangensaft%'")[0].n, 0);
  await driver.findElement(byTestId('import-good-only')).click();
  await waitForText(driver, 'import-done', 'Importiert: 2 neu, 0 geändert.', 10000);
  await driver.findElement(byTestId('tab-cashiers')).click();
  await driver.wait(until.elementLocated(byTestId('cashier-admin')), 10000);
  await screenshot(driver, 'cashiers');
  await driver.findElement(byTestId('lang-switch')).click();
  await screenshot(driver, 'cashiers-en');
  await driver.findElement(byTestId('lang-switch')).click();

  await driver.findElement(byTestId('nav-sale')).click();
  await driver.wait(until.elementLocated(byTestId('sale-screen')), 5000);
  await scan(driver, '4006381333931');
  await waitForText(driver, 'basket-total', '1,79 €', 5000);
  // A price label of the demo's cake: 2,39 € in the code.
  await scan(driver, '2200024002396');
  await waitForText(driver, 'basket-total', '4,18 €', 5000);
  // A weight label: 250 g of pralines at 59,90 €/kg = 14,98 €.
  await scan(driver, '2800013002507');
  await waitForText(driver, 'basket-total', '19,16 €', 5000);
  await screenshot(driver, 'scanned');
  // An unknown code says so.
  await scan(driver, '4000000000006');
  const error = await driver.wait(until.elementLocated(byTestId('error')), 5000);
  assert.match(await error.getText(), /4000000000006/);
  await waitForText(driver, 'basket-total', '19,16 €', 5000);
  const receipt = await payExactly(driver);
  const text = await receipt.getText();
  assert.match(text, /Orangensaft 0,5 l/);
  assert.match(text, /Kuchen vom Blech/);
});

test('an open-price article asks for its price, one sold per kg for its weight; cancel adds nothing', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  // A tap on the demo's cake (open price) asks for the price.
  await driver.wait(until.elementLocated(byTestId('article-1010')), 10000).click();
  await driver.wait(until.elementLocated(byTestId('price-prompt')), 5000);
  await driver.findElement(byTestId('ask-value')).sendKeys('4,20');
  await waitForText(driver, 'ask-shown', '4,20 €', 5000);
  await screenshot(driver, 'price-prompt');
  // Cancel leaves the basket as it was.
  await driver.findElement(byTestId('ask-cancel')).click();
  await driver.wait(async () => (await driver.findElements(byTestId('price-prompt'))).length === 0, 5000);
  assert.equal((await driver.findElements(byTestId('basket-line'))).length, 0);
  await driver.findElement(byTestId('article-1010')).click();
  await driver.wait(until.elementLocated(byTestId('ask-value')), 5000).sendKeys('4,20');
  await driver.findElement(byTestId('ask-ok')).click();
  await waitForText(driver, 'basket-total', '4,20 €', 5000);
  await driver.findElement(byTestId('group-10')).click();
  await driver.wait(until.elementLocated(byTestId('article-1001')), 5000);
  await screenshot(driver, 'sale-groups');
  await driver.findElement(byTestId('group-all')).click();

  // The pralines' number typed as a scanner types it asks for the weight (in English too).
  await driver.findElement(byTestId('lang-switch')).click();
  await scan(driver, '5001');
  await driver.wait(until.elementLocated(byTestId('price-prompt')), 5000);
  await driver.findElement(byTestId('ask-value')).sendKeys('250');
  await waitForText(driver, 'ask-shown', '0,250 kg', 5000);
  await screenshot(driver, 'weight-prompt-en');
  await driver.findElement(byTestId('ask-value')).sendKeys(Key.ENTER);
  await waitForText(driver, 'basket-total', '€19.18', 5000);
  await screenshot(driver, 'sale-groups-en');
  await driver.findElement(byTestId('article-1010')).click();
  await driver.wait(until.elementLocated(byTestId('ask-value')), 5000).sendKeys('1,50');
  await screenshot(driver, 'price-prompt-en');
  await driver.findElement(byTestId('ask-cancel')).click();
  await driver.findElement(byTestId('lang-switch')).click();
  await driver.findElement(byTestId('article-5001')).click();
  await driver.wait(until.elementLocated(byTestId('ask-value')), 5000).sendKeys('0,25');
  await waitForText(driver, 'ask-shown', '0,250 kg', 5000);
  await screenshot(driver, 'weight-prompt');
  await driver.findElement(byTestId('ask-cancel')).click();
  await driver.findElement(byTestId('lang-switch')).click();
  // 250 g × 59,90 €/kg = 14,975 € → 14,98 €; the cancelled prompts added nothing.
  await waitForText(driver, 'basket-total', '€19.18', 5000);
  await driver.findElement(byTestId('lang-switch')).click();
  // "+" on the weighed line asks for the next weight: 100 g more is a line of its own.
  await driver.findElement(byTestId('line-plus-1')).click();
  await driver.wait(until.elementLocated(byTestId('ask-value')), 5000).sendKeys('100');
  await waitForText(driver, 'ask-shown', '0,100 kg', 5000);
  await driver.findElement(byTestId('ask-ok')).click();
  await waitForText(driver, 'basket-total', '25,17 €', 5000);
  // "+" on the open-price line asks for the price: the same price again is one more piece.
  await driver.findElement(byTestId('line-plus-0')).click();
  await driver.wait(until.elementLocated(byTestId('ask-value')), 5000).sendKeys('4,20');
  await driver.findElement(byTestId('ask-ok')).click();
  await waitForText(driver, 'basket-total', '29,37 €', 5000);
  assert.equal(await driver.findElement(byTestId('line-qty-0')).getText(), '2');
  assert.equal((await driver.findElements(byTestId('basket-line'))).length, 3);
  const receipt = await payExactly(driver);
  const text = await receipt.getText();
  assert.match(text, /Kuchen vom Blech/);
  assert.match(text, /8,40/);
  assert.match(text, /Pralinen lose 0,250 kg x 59,90 €\/kg\s+14,98/);
  assert.match(text, /Pralinen lose 0,100 kg x 59,90 €\/kg\s+5,99/);
  const sale = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'sale'");
  assert.equal(sale.length, 1);
});

test('a cashier logs in, sells, and a cancellation needs a manager’s PIN', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await driver.findElement(byTestId('nav-lock')).click();
  await driver.wait(until.elementLocated(byTestId('lock-screen')), 5000);
  await screenshot(driver, 'lock-screen');
  // A wrong PIN is refused in words.
  await pressPin(driver, 'login', '9182');
  await waitForText(driver, 'lock-error', 'Diese PIN ist nicht bekannt.', 10000);
  await pressPin(driver, 'login', '1357');
  await waitForText(driver, 'cashier-name', 'Demo Kasse', 10000);

  await driver.findElement(byTestId('article-51')).click();
  const receipt = await payExactly(driver);
  assert.match(await receipt.getText(), /Es bediente Sie: Demo Kasse/);
  await driver.findElement(byTestId('new-sale')).click();

  await driver.findElement(byTestId('nav-journal')).click();
  await driver.wait(async () => (await driver.findElements(byTestId('journal-row'))).length === 1, 10000);
  await driver.findElement(byTestId('journal-row')).findElement({ css: 'td' }).click();
  await driver.findElement(byTestId('cancel-sale')).click();
  await driver.findElement(byTestId('cancel-confirm-yes')).click();
  await driver.wait(until.elementLocated(byTestId('manager-pin')), 10000);
  await screenshot(driver, 'manager-pin');
  // The cashier's own PIN is not a manager's.
  await pressPin(driver, 'manager', '1357');
  await waitForText(driver, 'manager-error', 'Diese PIN gehört nicht zu einer Filialleitung.', 10000);
  await pressPin(driver, 'manager', '2468');
  await driver.wait(async () => (await driver.findElements(byTestId('journal-row'))).length === 2, 10000);

  const auth = queryJournal(app.dataDir, "SELECT body, cashier FROM entries WHERE kind = 'authorisation'");
  assert.equal(auth.length, 1);
  assert.equal(JSON.parse(auth[0].body).manager_name, 'Demo Chefin');
  assert.equal(JSON.parse(auth[0].cashier).name, 'Demo Kasse');
  const sales = queryJournal(app.dataDir, "SELECT cashier FROM entries WHERE kind IN ('sale', 'cancellation') ORDER BY seq");
  assert.deepEqual(sales.map((r) => JSON.parse(r.cashier).name), ['Demo Kasse', 'Demo Kasse']);
  await driver.findElement(byTestId('lang-switch')).click();
  await driver.findElement(byTestId('nav-lock')).click();
  await screenshot(driver, 'lock-screen-en');
});
