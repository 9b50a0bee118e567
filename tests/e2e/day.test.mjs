// A day at the till as a cashier and an owner meet it: the keypad's Enter, the
// Storno receipt of a cancellation, counts in words, the owner's settings on the
// receipt and at once in the window, a wrong field named, the till id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { By, until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, readFresh, screenshot, terminalDelay, waitForText } from './harness.mjs';

const WAIT = 20000;

/**
 * Waits for the element's text content: WebKitWebDriver reads the text of an element
 * cut with an ellipsis (the top bar's shop, the keypad's hint) as empty.
 */
async function waitForContent(driver, id, expected) {
  let seen;
  await driver
    .wait(async () => {
      seen = (await readFresh(driver, id, (el) => el.getAttribute('textContent')))?.trim();
      return seen === expected;
    }, WAIT)
    .catch(() => {
      throw new Error(`${id} holds ${JSON.stringify(seen)}, not ${JSON.stringify(expected)}`);
    });
}

async function typeOnKeypad(driver, digits) {
  for (const d of digits) await driver.findElement(byTestId(`key-${d}`)).click();
}

async function payExact(driver) {
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  const text = await (await driver.wait(until.elementLocated(byTestId('receipt')), WAIT)).getText();
  await driver.findElement(byTestId('new-sale')).click();
  return text;
}

async function switchLanguage(driver, expectedNav) {
  await driver.findElement(byTestId('lang-switch')).click();
  await waitForText(driver, 'nav-settings', expectedNav, WAIT);
}

test('Enter books the amount the display shows; a cancellation shows and prints its own Storno receipt', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;

  // A fresh install shows what the till is and the three steps, in the basket's place.
  await waitForText(driver, 'first-steps', /Willkommen bei Smart Till/, WAIT);
  await screenshot(driver, 'day-first-steps-de');
  await switchLanguage(driver, /Settings/);
  await waitForText(driver, 'first-steps', /Welcome to Smart Till/, WAIT);
  await screenshot(driver, 'day-first-steps-en');
  await switchLanguage(driver, /Einstellungen/);
  // A step opens its settings tab; the settings show the steps again.
  await driver.findElement(byTestId('guide-connection')).click();
  await driver.wait(until.elementLocated(byTestId('env-demo')), WAIT);
  await driver.findElement(byTestId('tab-shop')).click();
  await driver.wait(until.elementLocated(byTestId('show-guide')), WAIT).click();
  await driver.wait(until.elementLocated(byTestId('first-steps')), WAIT);

  // The DEMO badge explains itself on a tap (a touch screen has no hover).
  await driver.findElement(byTestId('demo-marker')).click();
  await waitForText(driver, 'info', /^Demo-Modus: Ein eingebauter Simulator antwortet/, WAIT);

  // An error in the banner moves nothing below it.
  const where = async () => Promise.all(['article-51', 'key-7', 'pay-cash'].map(async (id) => {
    const { x, y } = await driver.findElement(byTestId(id)).getRect();
    return [id, Math.round(x), Math.round(y)];
  }));
  const before = await where();
  await typeOnKeypad(driver, '40000000000');
  await waitForContent(driver, 'keypad-hint', '↵ sucht Artikel-Nr. / EAN');
  await driver.findElement(byTestId('key-enter')).click();
  await waitForText(driver, 'error', /Kein Artikel mit der Nummer 40000000000/, WAIT);
  assert.deepEqual(await where(), before);
  await screenshot(driver, 'day-error-de');
  // The message on screen follows a switch of the language, both ways.
  await switchLanguage(driver, /Settings/);
  await waitForText(driver, 'error', /No article with number 40000000000/, WAIT);
  await screenshot(driver, 'day-error-en');
  await switchLanguage(driver, /Einstellungen/);
  await waitForText(driver, 'error', /Kein Artikel mit der Nummer 40000000000/, WAIT);

  // 2,50 € typed, then Enter: a line at 19 %, as the display says.
  await typeOnKeypad(driver, '250');
  assert.equal(await driver.findElement(byTestId('keypad-display')).getText(), '2,50 €');
  await waitForContent(driver, 'keypad-hint', '↵ bucht den Betrag (Betrag 19 %)');
  await driver.findElement(byTestId('key-enter')).click();
  await waitForText(driver, 'basket-total', '2,50 €', 5000);
  assert.equal((await driver.findElements(byTestId('first-steps'))).length, 0, 'the first line ends the first steps');
  // The 0 % key books at 0 %.
  await typeOnKeypad(driver, '100');
  await driver.findElement(byTestId('amount-0')).click();
  await waitForText(driver, 'basket-total', '3,50 €', 5000);
  await screenshot(driver, 'day-keypad-de');
  const receipt = await payExact(driver);
  assert.match(receipt, /Warengruppe 19 %\s+2,50 A/);
  assert.match(receipt, /Warengruppe 0 %\s+1,00 C/);
  // The demo shop's header is clearly demo data.
  assert.match(receipt, /Smart Till Demo-Café\s+Musterstraße 1\s+09123 Chemnitz\s+USt-IdNr\. DE000000000\s+\*\*\* DEMO – KEIN GÜLTIGER BELEG \*\*\*/);

  await driver.findElement(byTestId('nav-journal')).click();
  await waitForText(driver, 'journal-count', '1 Eintrag', WAIT);
  await driver.findElement(byTestId('journal-row')).findElement(By.css('td')).click();
  await driver.wait(until.elementLocated(byTestId('cancel-sale')), WAIT).click();
  await driver.findElement(byTestId('cancel-confirm-yes')).click();
  await driver.wait(until.elementLocated(byTestId('journal-done')), WAIT);
  await waitForText(driver, 'journal-count', '2 Einträge', WAIT);

  // After the cancellation the detail is the Storno receipt: its own number, negative amounts.
  const storno = await waitForText(driver, 'detail-customer-receipt', /STORNO zu Beleg 1/, WAIT);
  assert.match(storno, /Beleg 2/);
  assert.match(storno, /SUMME EUR\s+-3,50/);
  assert.match(await driver.findElement(byTestId('sale-detail')).getText(), /Bar · Storno/);
  await screenshot(driver, 'day-storno-de');

  // The Storno row opens the Storno receipt; the original's row still its own.
  const rows = await driver.findElements(byTestId('journal-row'));
  assert.equal(rows.length, 2);
  assert.match(await rows[0].getText(), /-3,50/);
  // The negative amount stays on one line in its column.
  const amountCell = await rows[0].findElement(By.css('td.num'));
  assert.equal(await amountCell.getText(), '-3,50 €');
  const lines = await driver.executeScript(
    'const r = document.createRange(); r.selectNodeContents(arguments[0]); return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size;',
    amountCell,
  );
  assert.equal(lines, 1, 'the amount is on one line');
  await rows[1].findElement(By.css('td')).click();
  await waitForText(driver, 'detail-customer-receipt', /SUMME EUR\s+3,50/, WAIT);
  assert.doesNotMatch(await driver.findElement(byTestId('detail-customer-receipt')).getText(), /STORNO/);
  await (await driver.findElements(byTestId('journal-row')))[0].findElement(By.css('td')).click();
  await waitForText(driver, 'detail-customer-receipt', /SUMME EUR\s+-3,50/, WAIT);

  await switchLanguage(driver, /Settings/);
  await waitForText(driver, 'journal-count', '2 entries', WAIT);
  await screenshot(driver, 'day-storno-en');
  // The journal's day field speaks the app's language, not the OS's.
  assert.equal(await driver.findElement(byTestId('search-date')).getAttribute('placeholder'), 'DD/MM/YYYY');
  await switchLanguage(driver, /Einstellungen/);
  assert.equal(await driver.findElement(byTestId('search-date')).getAttribute('placeholder'), 'TT.MM.JJJJ');

  const cancellations = queryJournal(app.dataDir, "SELECT receipt_number, body FROM entries WHERE kind = 'cancellation'");
  assert.equal(cancellations.length, 1);
  assert.equal(JSON.parse(cancellations[0].body).total, -350);
});

test('the owner’s shop data reaches the receipt and the window at once; a wrong field is named; the till id is set', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'smart-till-day-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  let app = await launchApp(t, { dataDir });
  let { driver } = app;

  await driver.findElement(byTestId('nav-settings')).click();
  const name = await driver.wait(until.elementLocated(byTestId('shop-name')), WAIT);
  await driver.wait(async () => (await name.getAttribute('value')) !== '', WAIT);
  await driver.executeScript('arguments[0].value = ""; arguments[0].dispatchEvent(new Event("input", { bubbles: true }));', name);
  await name.sendKeys('Bäckerei Sonne');
  await driver.findElement(byTestId('shop-tax-number')).sendKeys('201/123/45678');
  const tillId = driver.findElement(byTestId('shop-till-id'));
  await driver.executeScript('arguments[0].value = ""; arguments[0].dispatchEvent(new Event("input", { bubbles: true }));', tillId);
  await tillId.sendKeys('KASSE-7');
  await driver.findElement(byTestId('shop-footer')).sendKeys('Vielen Dank für Ihren Einkauf!');
  await driver.findElement(byTestId('save-shop')).click();
  await waitForText(driver, 'settings-done', 'Gespeichert.', WAIT);
  // The top bar names the new shop at once; the running till id changes at the next start.
  await waitForContent(driver, 'top-shop', 'Bäckerei Sonne · KASSE-1');
  // The notice belongs to the shop tab.
  await driver.findElement(byTestId('tab-connection')).click();
  assert.equal((await driver.findElements(byTestId('settings-done'))).length, 0);

  // A mistyped VAT id: the message names the field and what it expects.
  await driver.findElement(byTestId('tab-shop')).click();
  const vat = await driver.wait(until.elementLocated(byTestId('shop-vat-id')), WAIT);
  await driver.executeScript('arguments[0].value = ""; arguments[0].dispatchEvent(new Event("input", { bubbles: true }));', vat);
  await vat.sendKeys('DE12');
  await driver.findElement(byTestId('save-shop')).click();
  await waitForText(driver, 'settings-error', /^USt-IdNr\.: ungültig\. Erwartet wird DE und 9 Ziffern/, WAIT);
  await screenshot(driver, 'day-settings-error-de');
  // Switched to English, the message already shown reads in English.
  await switchLanguage(driver, /Settings/);
  await waitForText(driver, 'settings-error', /^VAT ID: invalid\. Expected DE and 9 digits/, WAIT);
  await screenshot(driver, 'day-settings-error-en');
  // The language tab shows the language the status bar switched to.
  await driver.findElement(byTestId('tab-language')).click();
  const en = await driver.wait(until.elementLocated(byTestId('lang-en')), WAIT);
  assert.match(await en.getAttribute('class'), /active/);
  assert.doesNotMatch(await driver.findElement(byTestId('lang-de')).getAttribute('class'), /active/);
  await driver.findElement(byTestId('lang-de')).click();
  await waitForText(driver, 'nav-settings', /Einstellungen/, WAIT);

  // Removing a printer asks first; only the yes removes it.
  await driver.findElement(byTestId('tab-printers')).click();
  await driver.wait(until.elementLocated(byTestId('add-printer')), WAIT).click();
  await driver.findElement(byTestId('printer-name')).sendKeys('Bon Theke');
  await driver.findElement(byTestId('printer-host')).sendKeys('127.0.0.1');
  await driver.findElement(byTestId('save-printer')).click();
  const list = await driver.wait(until.elementLocated(byTestId('printer-list')), WAIT);
  await driver.wait(async () => /Bon Theke/.test(await list.getText()), WAIT);
  await driver.findElement(By.css('[data-testid^="remove-printer-"]')).click();
  await waitForText(driver, 'remove-question', 'Drucker „Bon Theke“ entfernen?', WAIT);
  await screenshot(driver, 'day-remove-printer-de');
  await driver.findElement(By.css('[data-testid^="remove-no-"]')).click();
  assert.match(await driver.findElement(byTestId('printer-list')).getText(), /Bon Theke/);
  await driver.findElement(By.css('[data-testid^="remove-printer-"]')).click();
  await driver.findElement(By.css('[data-testid^="remove-yes-"]')).click();
  await driver.wait(async () => !/Bon Theke/.test(await driver.findElement(byTestId('printer-list')).getText()), WAIT);

  // The Steuernummer is on the receipt.
  await driver.findElement(byTestId('nav-sale')).click();
  await driver.wait(until.elementLocated(byTestId('article-51')), WAIT).click();
  const first = await payExact(driver);
  assert.match(first, /Bäckerei Sonne/);
  assert.match(first, /St\.-Nr\. 201\/123\/45678/);
  assert.match(first, /Kasse\s+KASSE-1/);
  // The footer closes the receipt.
  assert.equal(first.trim().split('\n').at(-1).trim(), 'Vielen Dank für Ihren Einkauf!');

  // After a restart the till id the owner set is on the receipt and in the journal.
  await app.stop();
  const exportDir = mkdtempSync(join(tmpdir(), 'smart-till-day-pdf-'));
  t.after(() => rmSync(exportDir, { recursive: true, force: true }));
  app = await launchApp(t, { dataDir, env: { SMART_TILL_EXPORT_DIR: exportDir } });
  ({ driver } = app);
  await waitForContent(driver, 'top-shop', 'Bäckerei Sonne · KASSE-7');
  await driver.wait(until.elementLocated(byTestId('article-51')), WAIT).click();
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  const second = await (await driver.wait(until.elementLocated(byTestId('receipt')), WAIT)).getText();
  assert.match(second, /Kasse\s+KASSE-7/);
  assert.match(second, /St\.-Nr\. 201\/123\/45678/);
  assert.match(second, /Vielen Dank für Ihren Einkauf!\s*$/);
  // The PDF of the receipt carries the tax number and ends with the footer.
  await driver.findElement(byTestId('export-pdf')).click();
  await waitForText(driver, 'receipt-done', /Beleg-2\.pdf/, WAIT);
  await screenshot(driver, 'day-receipt-footer-de');
  const pdf = execFileSync('pdftotext', ['-layout', join(exportDir, 'Beleg-2.pdf'), '-'], { encoding: 'utf8' });
  assert.match(pdf, /St\.-Nr\. 201\/123\/45678/);
  assert.equal(pdf.trim().split('\n').at(-1).trim(), 'Vielen Dank für Ihren Einkauf!');
  await driver.findElement(byTestId('new-sale')).click();
  const settings = queryJournal(dataDir, "SELECT body FROM entries WHERE kind = 'settings' ORDER BY seq").map((r) => JSON.parse(r.body));
  assert.equal(settings.at(-1).till_id, 'KASSE-7');
  assert.ok(settings.some((s) => s.till_id === 'KASSE-1'), 'the earlier till id stays journaled');
});

test('a card sale closed with the terminal’s end of day says why it cannot be cancelled, in the language shown', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await terminalDelay(app.demoUrl);
  await driver.findElement(byTestId('article-51')).click();
  const pay = driver.findElement(byTestId('pay-card'));
  await driver.wait(until.elementIsEnabled(pay), WAIT);
  await pay.click();
  await driver.wait(until.elementLocated(byTestId('receipt')), 30000);
  await driver.findElement(byTestId('new-sale')).click();

  // The terminal's end of day runs; the card payment can no longer be reversed there.
  await driver.findElement(byTestId('nav-closing')).click();
  await driver.wait(until.elementLocated(byTestId('terminal-eod')), WAIT).click();
  await waitForText(driver, 'terminal-result', 'Terminal: 1 Zahlung, 0,99 €', WAIT);
  // The day is closed: the sale is in Z 1.
  await driver.findElement(byTestId('close-day')).click();
  await driver.findElement(byTestId('close-day-yes')).click();
  await driver.wait(until.elementLocated(byTestId('z-result')), 30000);
  await driver.findElement(byTestId('nav-journal')).click();
  await waitForText(driver, 'journal-count', '1 Eintrag', WAIT);
  await driver.findElement(byTestId('journal-row')).findElement(By.css('td')).click();
  await waitForText(driver, 'cancel-blocked', 'Der Tagesabschluss des Terminals ist gelaufen: Die Kartenzahlung kann am Terminal nicht mehr storniert werden.', WAIT);
  assert.equal((await driver.findElements(byTestId('cancel-sale'))).length, 1);
  assert.equal(await driver.findElement(byTestId('cancel-sale')).isEnabled(), false);
  await switchLanguage(driver, /Settings/);
  await waitForText(driver, 'cancel-blocked', /^The terminal's end of day has run/, WAIT);
  await screenshot(driver, 'day-cancel-blocked-en');
});
