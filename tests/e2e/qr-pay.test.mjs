// Pay by QR code in the real window, with a real browser as the customer's phone:
// the QR code is read from a screenshot of the cashier's screen (zbarimg, as a
// phone's camera would), its link opened in headless Debian Chromium, and the
// customer pays or cancels on the simulator's Smart Checkout page there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder, until } from 'selenium-webdriver';
import chrome from 'selenium-webdriver/chrome.js';
import { byTestId, fetchTransaction, launchApp, openDisplay, queryJournal, repoRoot, screenshot, waitForText } from './harness.mjs';

const shots = join(repoRoot, process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'target/e2e-screenshots');

/** Headless Chromium through chromedriver, both from Debian; a phone-sized window. */
async function phone(t) {
  const options = new chrome.Options()
    .setChromeBinaryPath('/usr/bin/chromium')
    .addArguments(
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--window-size=412,860',
    );
  const driver = await new Builder()
    .forBrowser('chrome')
    .setChromeOptions(options)
    .setChromeService(new chrome.ServiceBuilder('/usr/bin/chromedriver'))
    .build();
  t.after(() => driver.quit().catch(() => {}));
  return driver;
}

/** The cashier starts a QR payment of a water (0,99 €) and the QR code is read off the window. */
async function startQr(app, name) {
  const { driver } = app;
  await driver.findElement(byTestId('article-51')).click();
  await waitForText(driver, 'basket-total', /^(0,99 €|€0\.99)$/, 5000);
  const pay = driver.findElement(byTestId('pay-qr'));
  await driver.wait(until.elementIsEnabled(pay), 10000);
  await screenshot(driver, `${name}-sale`);
  await pay.click();
  await driver.wait(until.elementLocated(byTestId('qr-code')), 15000);
  await waitForText(driver, 'qr-amount', /^(0,99 €|€0.99)$/, 5000);
  await waitForText(driver, 'qr-countdown', /^(Noch \d:\d\d|\d:\d\d left)$/, 5000);
  await screenshot(driver, name);
  const link = readQr(name);
  assert.ok(link.startsWith(`${app.demoUrl}/checkout?`), `the QR code carries the checkout link: ${link}`);
  return link;
}

/** The QR code in the screenshot `name`, read as a phone's camera would. */
function readQr(name) {
  return execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', join(shots, `${name}.png`)], { encoding: 'utf8' }).trim();
}

async function phoneShot(browser, name) {
  mkdirSync(shots, { recursive: true });
  writeFileSync(join(shots, `${name}.png`), Buffer.from(await browser.takeScreenshot(), 'base64'));
}

const stxOf = (link) => new URL(link).searchParams.get('stx');

test('the customer scans the code and pays by PayPal: "Bezahlt", the receipt and the journal say so', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  const windows = await openDisplay(driver);
  await driver.findElement(byTestId('nav-sale')).click();
  await driver.wait(until.elementLocated(byTestId('article-51')), 10000);
  const onTill = await startQr(app, 'qr-pay-de');

  // The customer scans the large code on the customer display.
  await driver.switchTo().window(windows.display);
  await driver.wait(until.elementLocated(byTestId('customer-qr')), 10000);
  await waitForText(driver, 'customer-qr-amount', '0,99 €', 5000);
  await screenshot(driver, 'qr-customer-display-de');
  const link = readQr('qr-customer-display-de');
  assert.equal(link, onTill, 'the customer display shows the same link as the till');

  const browser = await phone(t);
  await browser.get(link);
  assert.equal(await browser.findElement({ id: 'amount' }).getText(), '0,99 €');
  await phoneShot(browser, 'qr-checkout-phone');
  await browser.findElement({ id: 'pay-paypal' }).click();
  assert.match(await browser.findElement({ id: 'result' }).getText(), /Bezahlt/);

  // The display thanks the customer; the till shows the receipt.
  assert.equal(await waitForText(driver, 'customer-thanks', 'Vielen Dank!', 15000), 'Vielen Dank!');
  assert.equal(await driver.findElement(byTestId('customer-total')).getText(), '0,99 €');
  await driver.switchTo().window(windows.till);
  const receipt = await driver.wait(until.elementLocated(byTestId('receipt')), 15000);
  assert.match(await receipt.getText(), /QR-Code \(PayPal\)\s+0,99/);
  assert.match(await driver.findElement({ css: 'body' }).getText(), /Bezahlt/);
  await screenshot(driver, 'qr-paid-de');

  const stx = await fetchTransaction(app.demoUrl, stxOf(link));
  assert.equal(stx.status, 'ok');
  assert.equal(stx.payment_method, 'paypal');
  const sales = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'sale'");
  assert.equal(sales.length, 1);
  const paid = JSON.parse(sales[0].body);
  assert.deepEqual(paid.payments.map((p) => [p.method, p.amount, p.provider_method]), [['qr', 99, 'paypal']]);
});

test('the customer cancels on the page: the till says so, in English too, and sells nothing', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await driver.findElement(byTestId('lang-switch')).click();
  const link = await startQr(app, 'qr-pay-en');

  const browser = await phone(t);
  await browser.get(link);
  await browser.findElement({ id: 'cancel' }).click();
  await browser.wait(until.elementLocated({ id: 'result' }), 5000);

  await driver.wait(until.elementLocated(byTestId('qr-state-cancelled')), 15000);
  assert.match(await driver.findElement(byTestId('qr-outcome')).getText(), /Cancelled by the customer/);
  await screenshot(driver, 'qr-cancelled-en');
  assert.equal((await fetchTransaction(app.demoUrl, stxOf(link))).status, 'aborted');
  assert.equal(queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'sale'")[0].n, 0);
  assert.equal(queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'failed'")[0].n, 1);
});

test('the cashier aborts first: the transaction is aborted at the provider and the phone can no longer pay', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  const link = await startQr(app, 'qr-abort-de');

  await driver.findElement(byTestId('abort-qr')).click();
  await driver.wait(until.elementLocated(byTestId('qr-state-aborted')), 15000);
  assert.match(await driver.findElement(byTestId('qr-outcome')).getText(), /Zahlung abgebrochen/);
  await screenshot(driver, 'qr-aborted-de');
  assert.equal((await fetchTransaction(app.demoUrl, stxOf(link))).status, 'cancelled');

  const browser = await phone(t);
  await browser.get(link);
  assert.equal((await browser.findElements({ id: 'pay-paypal' })).length, 0, 'the page offers no payment');
  assert.match(await browser.findElement({ css: 'body' }).getText(), /abgebrochen/);
  assert.equal(queryJournal(app.dataDir, "SELECT count(*) AS n FROM entries WHERE kind = 'sale'")[0].n, 0);

  // The basket is still there for another way to pay.
  await driver.findElement(byTestId('qr-back')).click();
  await waitForText(driver, 'basket-total', '0,99 €', 5000);

  // The settings of pay by QR code: a template that is no template is refused in words.
  await driver.findElement(byTestId('nav-settings')).click();
  await driver.findElement(byTestId('tab-connection')).click();
  const template = await driver.findElement(byTestId('qr-template'));
  await template.sendKeys('COT_nope');
  await driver.findElement(byTestId('save-qr-settings')).click();
  await waitForText(driver, 'settings-error', /^Die Vorlage der Bezahlseite ist keine Vorlagen-ID: Sie beginnt mit COT_/, 10000);
  await driver.executeScript("document.querySelector('[data-testid=\"qr-settings\"]').scrollIntoView()");
  await screenshot(driver, 'qr-settings-de');
});
