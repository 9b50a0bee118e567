// The drawer's whole day through the real window: the opening float, two
// sales (one with a discount), a cash out to the bank, a partial return, the
// X report, then a closing whose expected cash is what went into the drawer
// and the cash kept for tomorrow suggested as the next float.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, screenshot, waitForText } from './harness.mjs';

const WAIT = 20000;

async function type(driver, id, text) {
  const el = await driver.wait(until.elementLocated(byTestId(id)), WAIT);
  await el.clear();
  await el.sendKeys(text);
}

async function choose(driver, id, value) {
  const el = await driver.findElement(byTestId(id));
  await driver.executeScript(
    'arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event("change", { bubbles: true }));',
    el,
    value,
  );
}

async function payExact(driver) {
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.wait(until.elementLocated(byTestId('pay-exact')), WAIT).click();
  await driver.wait(until.elementLocated(byTestId('receipt-screen')), WAIT);
}

async function switchLanguage(driver, expectedNav) {
  await driver.findElement(byTestId('lang-switch')).click();
  await waitForText(driver, 'nav-settings', expectedNav, WAIT);
}

test('a day with a float, a discount, a cash out, a partial return and an X report closes to the cent', async (t) => {
  const exportDir = mkdtempSync(join(tmpdir(), 'smart-till-x-'));
  const app = await launchApp(t, { env: { SMART_TILL_EXPORT_DIR: exportDir } });
  const { driver } = app;

  // Sale 1: a cappuccino and two rolls; the float is asked with the first line.
  await driver.wait(until.elementLocated(byTestId('article-2002')), WAIT).click();
  await driver.wait(until.elementLocated(byTestId('float-prompt')), WAIT);
  await type(driver, 'float-amount', '100,00');
  await driver.findElement(byTestId('float-confirm')).click();
  await driver.wait(async () => (await driver.findElements(byTestId('float-prompt'))).length === 0, WAIT);
  await driver.findElement(byTestId('article-1001')).click();
  await driver.findElement(byTestId('article-1001')).click();
  // 10 % off the rolls (the last line): 0,90 − 0,09.
  await type(driver, 'discount-value', '10');
  await driver.findElement(byTestId('discount-apply')).click();
  await waitForText(driver, 'basket-total', '3,71 €', WAIT);
  assert.match(await driver.findElement(byTestId('line-discount-1')).getText(), /Rabatt 10 %/);
  await screenshot(driver, 'cashday-discount-de');
  await switchLanguage(driver, /Settings/);
  await waitForText(driver, 'line-discount-1', /Discount 10 %/, WAIT);
  await screenshot(driver, 'cashday-discount-en');
  await switchLanguage(driver, /Einstellungen/);
  await payExact(driver);
  assert.match(await driver.findElement(byTestId('receipt-screen')).getText(), /Rabatt 10 %\s+-0,09/);
  await driver.findElement(byTestId('new-sale')).click();

  // Sale 2: a water.
  await driver.wait(until.elementLocated(byTestId('article-51')), WAIT).click();
  await payExact(driver);
  await driver.findElement(byTestId('new-sale')).click();

  // 50 € to the bank: a receipt of its own (no. 3).
  await driver.findElement(byTestId('nav-drawer')).click();
  await driver.wait(until.elementLocated(byTestId('movement-reason')), WAIT);
  await choose(driver, 'movement-reason', 'to_bank');
  await type(driver, 'movement-amount', '50,00');
  await driver.findElement(byTestId('movement-book')).click();
  await waitForText(driver, 'drawer-done', /Beleg 3 gebucht: -50,00 €/, WAIT);
  assert.match(await driver.findElement(byTestId('drawer-receipt')).getText(), /Geldtransit zur Bank/);

  // One roll of two back from receipt 1: half of 0,81, rounded up, 0,41 (no. 4).
  await type(driver, 'return-receipt', '1');
  await driver.findElement(byTestId('return-load')).click();
  await type(driver, 'return-qty-1', '1');
  await screenshot(driver, 'cashday-return-de');
  await driver.findElement(byTestId('return-book')).click();
  await waitForText(driver, 'drawer-done', /Beleg 4 gebucht: -0,41 €/, WAIT);
  assert.match(await driver.findElement(byTestId('drawer-receipt')).getText(), /RÜCKGABE zu Beleg 1/);
  await screenshot(driver, 'cashday-drawer-de');
  await switchLanguage(driver, /Settings/);
  await waitForText(driver, 'drawer-done', /Receipt 4 booked/, WAIT);
  await screenshot(driver, 'cashday-drawer-en');
  await switchLanguage(driver, /Einstellungen/);
  // The same roll cannot go back twice.
  await type(driver, 'return-receipt', '1');
  await driver.findElement(byTestId('return-load')).click();
  await type(driver, 'return-qty-1', '2');
  await driver.findElement(byTestId('return-book')).click();
  await waitForText(driver, 'drawer-error', /zurückgenommen/, WAIT);

  // The journal lists the return and the cash out beside the sales, each with
  // its number and amount; found by amount as sales are; saved again as a PDF.
  await driver.findElement(byTestId('nav-journal')).click();
  await driver.wait(async () => (await driver.findElements(byTestId('journal-row'))).length === 4, WAIT);
  const journalRows = await Promise.all((await driver.findElements(byTestId('journal-row'))).map((r) => r.getText()));
  // A row's text runs its cells together: number, time, what, amount, tag.
  assert.match(journalRows[0], /^4\d\d:\d\dRückgabe zu Beleg 1\s*-0,41 €\s*Rückgabe$/);
  assert.match(journalRows[1], /^3\d\d:\d\dGeldtransit zur Bank\s*-50,00 €\s*Entnahme$/);
  await driver.findElement(byTestId('journal-row')).findElement({ css: 'td' }).click();
  await waitForText(driver, 'detail-customer-receipt', /RÜCKGABE zu Beleg 1/, WAIT);
  await screenshot(driver, 'journal-drawer-de');
  await switchLanguage(driver, /Settings/);
  await waitForText(driver, 'sale-detail', /Return of receipt 1/, WAIT);
  await screenshot(driver, 'journal-drawer-en');
  await switchLanguage(driver, /Einstellungen/);
  await type(driver, 'search-amount', '50,00');
  await driver.findElement(byTestId('search')).click();
  await driver.wait(async () => (await driver.findElements(byTestId('journal-row'))).length === 1, WAIT);
  await driver.findElement(byTestId('journal-row')).findElement({ css: 'td' }).click();
  await waitForText(driver, 'detail-customer-receipt', /Geldtransit zur Bank/, WAIT);
  assert.equal((await driver.findElements(byTestId('cancel-sale'))).length, 0);
  await driver.findElement(byTestId('journal-pdf')).click();
  await waitForText(driver, 'journal-done', /Beleg-3\.pdf/, WAIT);
  assert.ok(readdirSync(exportDir).includes('Beleg-3.pdf'), 'the cash receipt is saved as a PDF');

  // The X report: the running figures, nothing closed; as a PDF too.
  const expected = 10000 + 371 + 99 - 5000 - 41; // 54,29 €
  await driver.findElement(byTestId('nav-closing')).click();
  await waitForText(driver, 'cash-expected', '54,29 €', WAIT);
  assert.equal(await driver.findElement(byTestId('cash-start')).getText(), '100,00 €');
  assert.equal(await driver.findElement(byTestId('reason-to_bank')).getText(), '-50,00 €');
  assert.equal(await driver.findElement(byTestId('returns-total')).getText(), '-0,41 €');
  assert.equal(await driver.findElement(byTestId('discounts-total')).getText(), '-0,09 €');
  await driver.findElement(byTestId('x-report')).click();
  const x = await driver.wait(until.elementLocated(byTestId('x-report-text')), WAIT);
  const xText = await x.getText();
  assert.match(xText, /X-Bericht/);
  assert.match(xText, /Geldtransit \(1x\)\s+-50,00/);
  assert.match(xText, /Rückgaben \(1x\)\s+-0,41/);
  assert.match(xText, /Soll\s+54,29/);
  // The TSE's part of the running period, as the Z report prints it.
  assert.match(xText, /Signaturzähler/);
  assert.match(xText, /Transaktionen/);
  // The float is signed by the (demo) TSE as an AVTransfer.
  const [float] = queryJournal(
    app.dataDir,
    "SELECT json_extract(body, '$.tse.status') AS status, json_extract(body, '$.tse.qr_code_data') AS qr FROM entries WHERE kind = 'cash_movement'",
  );
  assert.equal(float.status, 'signed');
  assert.match(float.qr, /;AVTransfer\^0\.00_0\.00_0\.00_0\.00_100\.00\^100\.00:Bar;/);
  await screenshot(driver, 'cashday-x-report-de');
  // Its end: the TSE's part.
  const scrollReport = (toEnd) =>
    driver.executeScript(
      `for (let p = document.querySelector('[data-testid="x-report-text"]'); p && p !== document.body; p = p.parentElement)
         p.scrollTop = arguments[0] ? p.scrollHeight : 0;`,
      toEnd,
    );
  const scrollToEnd = () => scrollReport(true);
  await scrollToEnd();
  await screenshot(driver, 'cashday-x-report-tse-de');
  await scrollReport(false);
  await switchLanguage(driver, /Settings/);
  await screenshot(driver, 'cashday-x-report-en');
  await scrollToEnd();
  await screenshot(driver, 'cashday-x-report-tse-en');
  await scrollReport(false);
  await switchLanguage(driver, /Einstellungen/);
  await driver.findElement(byTestId('x-pdf')).click();
  await waitForText(driver, 'closing-done', /X-Bericht/, WAIT);
  assert.ok(readdirSync(exportDir).some((f) => f.startsWith('X-Bericht')), 'the X report PDF is saved');
  assert.equal(queryJournal(app.dataDir, "SELECT seq FROM entries WHERE kind = 'closing'").length, 0);

  // Counted exactly what the test put in: 50 € + 2 × 2 € + 0,20 + 0,05 + 2 × 0,02.
  await driver.findElement(byTestId('x-result')).findElement({ css: 'button.small-btn' }).click();
  await type(driver, 'count-5000', '1');
  await type(driver, 'count-200', '2');
  await type(driver, 'count-20', '1');
  await type(driver, 'count-5', '1');
  await type(driver, 'count-2', '2');
  await waitForText(driver, 'cash-counted', '54,29 €', WAIT);
  await waitForText(driver, 'cash-difference', /^0,00 €/, WAIT);
  await type(driver, 'close-retained', '50,00');
  await driver.findElement(byTestId('close-day')).click();
  await driver.findElement(byTestId('close-day-yes')).click();
  await driver.wait(until.elementLocated(byTestId('z-result')), 30000);
  assert.equal(await driver.findElement(byTestId('z-retained')).getText(), '50,00 €');
  const report = await driver.findElement(byTestId('z-report')).getText();
  assert.match(report, /Verbleibt in der Kasse\s+50,00/);
  await screenshot(driver, 'cashday-closing-de');
  await switchLanguage(driver, /Settings/);
  await screenshot(driver, 'cashday-closing-en');
  await switchLanguage(driver, /Einstellungen/);

  const [closing] = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'closing'");
  const body = JSON.parse(closing.body);
  assert.equal(body.figures.cash_expected, expected);
  assert.equal(body.cash_counted, expected);
  assert.equal(body.difference, 0);
  assert.equal(body.retained, 5000);
  assert.equal(body.drawer.returns_total, -41);
  assert.equal(body.drawer.discounts, 9);
  const kinds = queryJournal(app.dataDir, "SELECT kind, receipt_number FROM entries WHERE kind IN ('cash_movement', 'cash_receipt', 'return') ORDER BY seq");
  assert.deepEqual(kinds.map((k) => [k.kind, k.receipt_number]), [['cash_movement', null], ['cash_receipt', 3], ['return', 4]]);

  // The next day's float suggests what was kept.
  await driver.findElement(byTestId('nav-sale')).click();
  await driver.wait(until.elementLocated(byTestId('article-51')), WAIT).click();
  const prompt = await driver.wait(until.elementLocated(byTestId('float-amount')), WAIT);
  assert.equal(await prompt.getAttribute('placeholder'), '50,00 €');
});
