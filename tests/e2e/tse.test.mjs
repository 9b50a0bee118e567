// The TSE in the real window: demo mode signs each sale with the built-in TSE
// simulator; the receipt shows the TSE block (§6 KassenSichV), the status bar
// the TSE's state; the receipt's PDF carries the DSFinV-K QR code, which a
// scanner (zbarimg) reads back as exactly the journal's `qr_code_data`, and
// whose signature verifies outside the project's code (Python `cryptography`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, repoRoot, screenshot, waitForText } from './harness.mjs';

test('a demo sale is signed by the TSE: the receipt shows the TSE block and its QR code scans back', async (t) => {
  const exportDir = mkdtempSync(join(tmpdir(), 'smart-till-tse-'));
  t.after(() => rmSync(exportDir, { recursive: true, force: true }));
  process.env.SMART_TILL_EXPORT_DIR = exportDir;
  const app = await launchApp(t);
  const { driver } = app;

  await driver.findElement(byTestId('article-51')).click();
  await waitForText(driver, 'basket-total', '0,99 €', 5000);
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  const text = await (await driver.wait(until.elementLocated(byTestId('receipt')), 20000)).getText();
  assert.match(text, /-+ TSE -+/);
  assert.match(text, /TSE-Seriennummer:\s*\n\s*[0-9a-f]{42}/);
  assert.match(text, /Kassen-Seriennr\.\s+SMART-TILL-DEMO-1/);
  assert.match(text, /Transaktion\s+1\b/);
  assert.match(text, /Start\s+\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d/);
  assert.match(text, /Ende\s+\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d/);
  assert.match(text, /Signaturzähler\s+\d+/);
  assert.match(text, /Signatur:/);
  await waitForText(driver, 'tse-state', 'TSE bereit', 10000);
  await driver.findElement(byTestId('receipt-qr'));
  await screenshot(driver, 'tse-receipt');
  // The QR code on screen, read by a scanner from the window's screenshot.
  const shot = join(repoRoot, process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'target/e2e-screenshots', 'tse-receipt.png');
  const onScreen = execFileSync('zbarimg', ['--quiet', '--raw', shot], { encoding: 'utf8' });

  const [sale] = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'sale'");
  const tse = JSON.parse(sale.body).tse;
  assert.equal(tse.status, 'signed');
  assert.ok(tse.qr_code_data.startsWith('V0;SMART-TILL-DEMO-1;Kassenbeleg-V1;Beleg^0.99_0.00_0.00_0.00_0.00^0.99:Bar;'));

  // The receipt as PDF; its QR code read by a scanner from a raster of the page.
  await driver.findElement(byTestId('export-pdf')).click();
  await waitForText(driver, 'receipt-done', new RegExp(exportDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 20000);
  await driver.wait(() => readdirSync(exportDir).some((f) => /^Beleg-1\.pdf$/.test(f)), 20000, 'the receipt PDF');
  const pdf = join(exportDir, 'Beleg-1.pdf');
  const prefix = join(exportDir, 'scan');
  execFileSync('pdftoppm', ['-r', '200', '-png', '-singlefile', pdf, prefix]);
  const scanned = execFileSync('zbarimg', ['--quiet', '--raw', `${prefix}.png`], { encoding: 'utf8' });
  assert.equal(scanned.replace(/\n$/, ''), tse.qr_code_data);
  assert.equal(onScreen.replace(/\n$/, ''), tse.qr_code_data);
  const verdict = execFileSync('python3', [join(repoRoot, 'crates/fiskaly-sandbox/tests/verify_qr.py'), scanned.trim()], { encoding: 'utf8' });
  assert.equal(verdict.trim(), 'valid');
});
