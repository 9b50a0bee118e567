// The TSE in the real window: demo mode signs each sale with the built-in TSE
// simulator; the receipt shows the TSE block (§6 KassenSichV), the status bar
// the TSE's state; the receipt's PDF carries the DSFinV-K QR code, which a
// scanner (zbarimg) reads back as exactly the journal's `qr_code_data`, and
// whose signature verifies outside the project's code (Python `cryptography`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, queryJournal, repoRoot, screenshot, waitForText } from './harness.mjs';

const WAIT = 20000;

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

/** The embedded TSE simulator's test door (`/_sandbox/...`): `method` with `body`. */
async function tseSandbox(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
}

/**
 * A cash sale of 0,99 €: a water, or (`typed`: a till without articles) the
 * amount typed at 19 %; answers the receipt's text and leaves it on screen.
 */
async function sale(driver, { typed = false } = {}) {
  await driver.findElement(byTestId('nav-sale')).click();
  if (typed) {
    for (const key of ['9', '9']) await (await driver.wait(until.elementLocated(byTestId(`key-${key}`)), WAIT)).click();
    await driver.findElement(byTestId('amount-19')).click();
  } else {
    await (await driver.wait(until.elementLocated(byTestId('article-51')), WAIT)).click();
  }
  await waitForText(driver, 'basket-total', /0[.,]99/, 5000);
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  return (await driver.wait(until.elementLocated(byTestId('receipt')), WAIT)).getText();
}

async function language(driver, lang) {
  await driver.findElement(byTestId('nav-settings')).click();
  await driver.wait(until.elementLocated(byTestId('settings-screen')), WAIT);
  await driver.findElement(byTestId('tab-language')).click();
  await driver.findElement(byTestId(`lang-${lang}`)).click();
}

test('the TSE goes down: the sale completes, its receipt and the status bar say so; back up, the next sale is signed', async (t) => {
  const app = await launchApp(t);
  const { driver, tseUrl } = app;

  assert.match(await sale(driver), /Signatur:/);
  await waitForText(driver, 'tse-state', 'TSE bereit', 10000);
  await driver.findElement(byTestId('new-sale')).click();

  // Down: every call to the TSE gets a 503 (the simulator's fault injection).
  await tseSandbox(tseUrl, 'POST', '/_sandbox/faults', { route: '*', kind: 'error_5xx', status: 503, count: 1000 });
  const started = Date.now();
  const down = await sale(driver);
  assert.ok(Date.now() - started < 15000, 'the TSE never holds the sale for long');
  assert.match(down, /TSE ausgefallen/);
  assert.doesNotMatch(down, /Signatur:/);
  await waitForText(driver, 'tse-state', 'TSE ausgefallen', 10000);
  const pill = await driver.findElement(byTestId('tse-state'));
  assert.equal(await pill.getAttribute('data-state'), 'failed');
  assert.match(await pill.getAttribute('title'), /fault|TSE/);
  await screenshot(driver, 'tse-down-de');
  await driver.findElement(byTestId('new-sale')).click();
  await language(driver, 'en');
  await waitForText(driver, 'tse-state', 'TSE failed', 10000);
  await sale(driver);
  await screenshot(driver, 'tse-down-en');
  await driver.findElement(byTestId('new-sale')).click();

  const sales = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'sale' ORDER BY seq");
  assert.equal(sales.length, 3);
  const [first, second, third] = sales.map((s) => JSON.parse(s.body).tse);
  assert.equal(first.status, 'signed');
  assert.equal(second.status, 'failed');
  assert.equal(second.code, 'tse_server_error');
  assert.equal(third.status, 'failed');

  // Back up: the next sale is signed again, the pill says ready.
  await tseSandbox(tseUrl, 'DELETE', '/_sandbox/faults');
  const back = await sale(driver);
  assert.match(back, /Signature:|Signatur:/);
  await waitForText(driver, 'tse-state', 'TSE ready', 10000);
  const last = queryJournal(app.dataDir, "SELECT body FROM entries WHERE kind = 'sale' ORDER BY seq DESC LIMIT 1");
  assert.equal(JSON.parse(last[0].body).tse.status, 'signed');
});

/** A standalone simulator binary on a port the system gives it; answers its base URL, as it reports it. */
async function standalone(t, name, args = []) {
  const bin = join(process.env.SMART_TILL_BIN, '..', name);
  assert.ok(existsSync(bin), `no simulator binary at ${bin}: cargo build -p ${name}`);
  const proc = spawn(bin, ['--port', '0', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => proc.kill('SIGTERM'));
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`${name} exited with ${c}`)));
  });
  proc.stdout.resume();
  const [url] = first.match(/http:\/\/127\.0\.0\.1:\d+/) ?? [];
  assert.ok(url, `${name} says where it listens: ${first}`);
  return url;
}

test('a testing till sets up its TSE in Settings → TSE, shows the PUK once, then signs; the data sheet as PDF', async (t) => {
  const provider = await standalone(t, 'secuconnect-sandbox');
  const tseUrl = await standalone(t, 'fiskaly-sandbox', ['--no-demo-tss']);
  const dataDir = mkdtempSync(join(tmpdir(), 'smart-till-tse-setup-'));
  const exportDir = mkdtempSync(join(tmpdir(), 'smart-till-tse-sheet-'));
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({ connection: { environment: 'testing', auth_mode: 'client_credentials', client_id: 'demo-till', device_uuid: null } }),
  );
  writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify({ 'testing/client_secret': 'demo-secret' }), { mode: 0o600 });
  const app = await launchApp(t, {
    dataDir,
    env: {
      SMART_TILL_PROVIDER_URL: provider,
      SMART_TILL_TSE_URL: tseUrl,
      SMART_TILL_SECRET_STORE: 'file',
      SMART_TILL_EXPORT_DIR: exportDir,
    },
  });
  // After the app has stopped (hooks run in the order they were added).
  t.after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(exportDir, { recursive: true, force: true });
  });
  const { driver } = app;
  // A fresh testing till asks for its owner first (a manager: the TSE's settings are theirs).
  await driver.wait(until.elementLocated(byTestId('owner-name')), WAIT).sendKeys('Inhaberin');
  await driver.findElement(byTestId('owner-pin')).sendKeys('2580');
  await driver.findElement(byTestId('owner-save')).click();
  await driver.wait(until.elementLocated(byTestId('cashier-name')), WAIT);

  // Before: no TSE, the sale is not signed and the bar shows no TSE pill.
  const unsigned = await sale(driver, { typed: true });
  assert.doesNotMatch(unsigned, /Signatur:|TSE ausgefallen/);
  assert.equal((await driver.findElements(byTestId('tse-state'))).length, 0);
  await driver.findElement(byTestId('new-sale')).click();

  await driver.findElement(byTestId('nav-settings')).click();
  await driver.wait(until.elementLocated(byTestId('settings-screen')), WAIT);
  await driver.findElement(byTestId('tab-tse')).click();
  await driver.wait(until.elementLocated(byTestId('tse-api-key')), WAIT);
  // A wrong secret: refused in words.
  await driver.findElement(byTestId('tse-api-key')).sendKeys('test_demo_api_key_smart_till');
  await driver.findElement(byTestId('tse-api-secret')).sendKeys('wrong-secret');
  await driver.findElement(byTestId('tse-save-key')).click();
  await waitForText(driver, 'settings-error', /API-Key oder das Secret abgelehnt/, WAIT);
  await driver.findElement(byTestId('tse-api-key')).clear();
  await driver.findElement(byTestId('tse-api-key')).sendKeys('test_demo_api_key_smart_till');
  await driver.findElement(byTestId('tse-api-secret')).clear();
  await driver.findElement(byTestId('tse-api-secret')).sendKeys('demo-api-secret-smart-till');
  await driver.findElement(byTestId('tse-save-key')).click();
  await waitForText(driver, 'settings-done', /geprüft und gespeichert/, WAIT);
  await driver.findElement(byTestId('tse-admin-pin')).sendKeys('246810');
  await screenshot(driver, 'tse-setup-de');
  await driver.findElement(byTestId('tse-run')).click();
  const puk = await (await driver.wait(until.elementLocated(byTestId('tse-puk')), 60000)).getText();
  assert.match(puk, /^[A-Z0-9]{10}$/);
  await waitForText(driver, 'tse-state-value', /INITIALIZED/, WAIT);
  const serial = await driver.findElement(byTestId('tse-serial')).getText();
  assert.match(serial, /^[0-9a-f]{64}$/);
  const clientSerial = await driver.findElement(byTestId('tse-client-serial')).getText();
  assert.match(clientSerial, /^KASSE-1-[0-9A-F]{8}$/);
  await screenshot(driver, 'tse-puk-de');
  await language(driver, 'en');
  await driver.findElement(byTestId('tab-tse')).click();
  await driver.wait(until.elementLocated(byTestId('tse-puk')), WAIT);
  await screenshot(driver, 'tse-puk-en');
  await driver.findElement(byTestId('tse-puk-noted')).click();
  await driver.wait(async () => (await driver.findElements(byTestId('tse-puk'))).length === 0, WAIT);
  await screenshot(driver, 'tse-done-en');

  // No secret in the settings file; the PUK nowhere in the data directory.
  const settings = readFileSync(join(dataDir, 'settings.json'), 'utf8');
  assert.doesNotMatch(settings, /demo-api-secret-smart-till|test_demo_api_key_smart_till|246810/);
  for (const f of readdirSync(dataDir, { recursive: true })) {
    const path = join(dataDir, String(f));
    try {
      assert.ok(!readFileSync(path).toString('latin1').includes(puk), `the PUK is in ${f}`);
    } catch (e) {
      if (e.code !== 'EISDIR') throw e;
    }
  }

  // The data sheet as PDF.
  await driver.findElement(byTestId('tse-pdf-sheet')).click();
  await waitForText(driver, 'settings-done', /TSE-Datenblatt-KASSE-1\.pdf/, WAIT);
  const sheet = execFileSync('pdftotext', ['-layout', join(exportDir, 'TSE-Datenblatt-KASSE-1.pdf'), '-'], { encoding: 'utf8' });
  assert.match(sheet, /146a Abs\. 4 AO/);
  assert.ok(sheet.includes(clientSerial), sheet);
  assert.ok(sheet.includes(serial.slice(0, 30)), sheet);

  // The next sale is signed by this TSE, naming this till.
  const signed = await sale(driver, { typed: true });
  assert.match(signed, /Signature:|Signatur:/);
  assert.ok(signed.includes(clientSerial), signed);
  await waitForText(driver, 'tse-state', 'TSE ready', WAIT);
  await screenshot(driver, 'tse-signed-en');
  const [last] = queryJournal(dataDir, "SELECT body, receipt_number FROM entries WHERE kind = 'sale' ORDER BY seq DESC LIMIT 1", 'journal-testing.sqlite3');
  assert.equal(JSON.parse(last.body).tse.tss_serial, serial);

  // The command line writes that receipt from the journal while the till runs.
  const cli = (...args) =>
    spawnSync(process.env.SMART_TILL_BIN, args, { env: { ...process.env, SMART_TILL_DATA_DIR: dataDir }, encoding: 'utf8' });
  const out = join(exportDir, 'cli.pdf');
  const written = cli('receipt-pdf', String(last.receipt_number), out);
  assert.equal(written.status, 0, written.stderr);
  const receiptText = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
  assert.match(receiptText, new RegExp(`Beleg ${last.receipt_number}\\b`));
  assert.ok(receiptText.includes(clientSerial), receiptText);
  const unknown = cli('receipt-pdf', '999', join(exportDir, 'none.pdf'));
  assert.equal(unknown.status, 4);
  assert.match(unknown.stderr, /receipt 999 is not in the journal \(its receipts are 1 to 2\)/);
  assert.ok(!existsSync(join(exportDir, 'none.pdf')));
});
