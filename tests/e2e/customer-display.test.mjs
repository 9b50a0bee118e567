// The customer display in the real app: opened from the settings (the test
// screen has one monitor), WebDriver switched to its window, following a cash
// sale line by line, then paid, change, "Vielen Dank" and idle again with the
// shop's name and the owner's message; in German and in English. It also
// measures how long after the cashier's tap the display shows the change,
// against the cashier's own window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { By, until } from 'selenium-webdriver';
import { byTestId, launchApp, openDisplay, screenshot, waitForShownWindows, waitForText } from './harness.mjs';

const WAIT = 20000;
const MESSAGE = 'Heute frische Brötchen!';

/**
 * In the display's window: notes the time of the frame after every change of
 * its page, with what it then shows (the lines and the total).
 */
async function watchPaints(driver) {
  await driver.executeScript(`
    window.__paints = [];
    const note = () => requestAnimationFrame(() => window.__paints.push({
      at: performance.timeOrigin + performance.now(),
      lines: document.querySelectorAll('[data-testid="customer-line"]').length,
      total: document.querySelector('[data-testid="customer-total"]')?.textContent ?? null,
    }));
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  `);
}

/** Taps `id` in the till's window; answers when, and the time of the till's next frame. */
async function tap(driver, id) {
  return driver.executeAsyncScript(
    `const done = arguments[arguments.length - 1];
     const at = performance.timeOrigin + performance.now();
     document.querySelector('[data-testid="${id}"]').click();
     requestAnimationFrame(() => done({ at, frame: performance.timeOrigin + performance.now() }));`,
  );
}

/** Taps an article in the till's window and follows it to the display: its lines and total there. */
async function addLine(driver, windows, id, lines, total, lags) {
  await driver.switchTo().window(windows.till);
  const t = await tap(driver, id);
  await driver.switchTo().window(windows.display);
  await waitForText(driver, 'customer-total', total, WAIT);
  assert.equal((await driver.findElements(byTestId('customer-line'))).length, lines);
  const paints = await driver.executeScript('return window.__paints');
  const shown = paints.find((p) => p.at >= t.at && p.lines === lines && p.total === total);
  assert.ok(shown, `a frame of the display shows ${lines} lines and ${total}: ${JSON.stringify(paints)}`);
  lags.push({ tap: shown.at - t.at, behindTill: shown.at - t.frame });
}

test('the customer display follows a cash sale line by line, thanks and goes idle, in German and English', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  const windows = await openDisplay(driver, MESSAGE);
  await screenshot(driver, 'customer-display-settings');

  await driver.switchTo().window(windows.display);
  assert.equal(await waitForText(driver, 'customer-shop', 'Smart Till Demo-Café', WAIT), 'Smart Till Demo-Café');
  // It opened hidden and showed when its page started loading, beside the till's window.
  assert.equal((await waitForShownWindows('Kundenanzeige$')).length, 1, 'the display\'s window is shown');
  assert.equal((await waitForShownWindows('^Smart Till$')).length, 1, 'the till\'s window is still shown');
  assert.equal(await driver.findElement(byTestId('customer-message')).getText(), MESSAGE);
  assert.equal((await driver.findElements(By.css('button, input, a'))).length, 0, 'no controls on the display');
  // Its window may ask for its view and nothing else of the till.
  const denied = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke('settings').then(() => done('allowed'), (e) => done(String(e)));
  `);
  assert.match(denied, /not allowed/i, denied);
  await screenshot(driver, 'customer-display-idle');
  await watchPaints(driver);

  await driver.switchTo().window(windows.till);
  await driver.findElement(byTestId('nav-sale')).click();
  await driver.wait(until.elementLocated(byTestId('article-51')), WAIT);

  const lags = [];
  await addLine(driver, windows, 'article-51', 1, '0,99 €', lags);
  await addLine(driver, windows, 'article-51', 1, '1,98 €', lags);
  await addLine(driver, windows, 'article-30037', 2, '5,47 €', lags);
  const lines = await Promise.all((await driver.findElements(byTestId('customer-line'))).map((l) => l.getText()));
  assert.match(lines[0], /2 ×\s+Wasser.*\s+1,98 €/);
  assert.match(lines[1], /1 ×\s+.*\s+3,49 €/);
  await screenshot(driver, 'customer-display-basket');

  await driver.switchTo().window(windows.till);
  await screenshot(driver, 'customer-display-till');
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.switchTo().window(windows.display);
  await waitForText(driver, 'customer-total', '5,47 €', WAIT);
  assert.equal(await driver.findElement(byTestId('customer-display')).getAttribute('data-phase'), 'paying');

  await driver.switchTo().window(windows.till);
  await driver.findElement(byTestId('tendered')).sendKeys('10');
  await driver.findElement(byTestId('confirm-cash')).click();
  await driver.wait(until.elementLocated(byTestId('receipt')), WAIT);

  await driver.switchTo().window(windows.display);
  assert.equal(await waitForText(driver, 'customer-thanks', 'Vielen Dank!', WAIT), 'Vielen Dank!');
  assert.equal(await driver.findElement(byTestId('customer-total')).getText(), '5,47 €');
  assert.equal(await driver.findElement(byTestId('customer-paid')).getText(), '10,00 €');
  assert.equal(await driver.findElement(byTestId('customer-change')).getText(), '4,53 €');
  await screenshot(driver, 'customer-display-paid');

  // The cashier starts the next sale; the thanks stay a few seconds, then idle.
  await driver.switchTo().window(windows.till);
  await driver.findElement(byTestId('new-sale')).click();
  await driver.switchTo().window(windows.display);
  await waitForText(driver, 'customer-shop', 'Smart Till Demo-Café', WAIT);
  assert.equal(await driver.findElement(byTestId('customer-message')).getText(), MESSAGE);

  for (const [i, lag] of lags.entries()) {
    console.log(`# customer display, line ${i + 1}: shown ${lag.tap.toFixed(1)} ms after the tap, ${lag.behindTill.toFixed(1)} ms after the till's own next frame`);
  }
  const worst = Math.max(...lags.map((l) => l.behindTill));
  console.log(`# customer display: at most ${worst.toFixed(1)} ms behind the till's window (one frame at 60 Hz: 16.7 ms)`);

  // English: the till's language reaches the display.
  await driver.switchTo().window(windows.till);
  await driver.findElement(byTestId('nav-settings')).click();
  await driver.wait(until.elementLocated(byTestId('tab-language')), WAIT).click();
  await driver.wait(until.elementLocated(byTestId('lang-en')), WAIT).click();
  await driver.findElement(byTestId('tab-display')).click();
  await waitForText(driver, 'display-state', /is open/, WAIT);
  await screenshot(driver, 'customer-display-settings-en');
  await driver.switchTo().window(windows.display);
  await driver.wait(async () => (await driver.findElement(byTestId('customer-idle')).getText()).includes('Welcome'), WAIT);
  await screenshot(driver, 'customer-display-idle-en');

  await driver.switchTo().window(windows.till);
  await driver.findElement(byTestId('nav-sale')).click();
  await driver.wait(until.elementLocated(byTestId('article-30037')), WAIT).click();
  await driver.switchTo().window(windows.display);
  await waitForText(driver, 'customer-total', '€3.49', WAIT);
  await screenshot(driver, 'customer-display-basket-en');
  await driver.switchTo().window(windows.till);
  await screenshot(driver, 'customer-display-till-en');
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  await driver.wait(until.elementLocated(byTestId('receipt')), WAIT);
  await driver.switchTo().window(windows.display);
  assert.equal(await waitForText(driver, 'customer-thanks', 'Thank you!', WAIT), 'Thank you!');
  assert.equal(await driver.findElement(byTestId('customer-total')).getText(), '€3.49');
  await screenshot(driver, 'customer-display-paid-en');

  // Closed from the settings: the window goes, and the next start leaves it closed.
  await driver.switchTo().window(windows.till);
  await driver.findElement(byTestId('nav-settings')).click();
  await driver.wait(until.elementLocated(byTestId('tab-display')), WAIT).click();
  await driver.wait(until.elementLocated(byTestId('close-display')), WAIT).click();
  await waitForText(driver, 'display-state', /is closed/, WAIT);
  await driver.wait(async () => (await driver.getAllWindowHandles()).length === 1, WAIT, 'the display window closes');
});
