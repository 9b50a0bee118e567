// The tax audit export (DSFinV-K) from the end-of-day screen of the real window: a sale, a
// closing, "Export für das Finanzamt"; the zip checked by the project's own validator
// (crates/dsfinvk/tests/validate.py, Python's csv and xml modules). Then the same from the
// command line on the app's data directory, with its exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, screenshot, sellWater, terminalDelay, waitForText } from './harness.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const validator = join(repoRoot, 'crates', 'dsfinvk', 'tests', 'validate.py');

/** Unzips `zip` with Python's zipfile and runs the validator on it; its stderr on failure. */
function validateZip(zip) {
  const dir = mkdtempSync(join(tmpdir(), 'smart-till-dsfinvk-'));
  try {
    execFileSync('python3', ['-m', 'zipfile', '-e', zip, dir]);
    const files = readdirSync(dir);
    const run = spawnSync('python3', [validator, dir], { encoding: 'utf8' });
    return { files, ok: run.status === 0, problems: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a closed day is exported for the tax office from the end-of-day screen, checked by the validator', async (t) => {
  const exportDir = mkdtempSync(join(tmpdir(), 'smart-till-dsfinvk-export-'));
  t.after(() => rmSync(exportDir, { recursive: true, force: true }));
  const app = await launchApp(t, { env: { SMART_TILL_EXPORT_DIR: exportDir } });
  const { driver } = app;
  await terminalDelay(app.demoUrl);

  await sellWater(driver);
  await driver.findElement(byTestId('nav-closing')).click();
  await waitForText(driver, 'day-total', '0,99 €', 20000);
  await driver.findElement(byTestId('count-50')).sendKeys('1');
  await driver.findElement(byTestId('count-20')).sendKeys('2');
  await driver.findElement(byTestId('count-5')).sendKeys('1');
  await driver.findElement(byTestId('count-2')).sendKeys('2');
  await waitForText(driver, 'cash-difference', /^0,00 €/, 10000);
  await driver.findElement(byTestId('close-day')).click();
  await driver.findElement(byTestId('close-day-yes')).click();
  await driver.wait(until.elementLocated(byTestId('z-result')), 30000);
  await driver.findElement(byTestId('closing-next')).click();

  // The export: the range defaults to this month up to today, which holds Z 1.
  await driver.findElement(byTestId('show-tax-export')).click();
  await driver.findElement(byTestId('tax-export-start')).click();
  await waitForText(driver, 'tax-export-result', /1 Tagesabschluss \(Z 1\), 1 Beleg/, 30000);
  const result = await driver.findElement(byTestId('tax-export-result')).getText();
  assert.match(result, /Export gespeichert: .*DSFinV-K_KASSE-1_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.zip/);
  // The export's progress reached the window through its channel, up to 100 %.
  assert.equal(await driver.findElement(byTestId('tax-export')).getAttribute('data-progress'), '100');
  await screenshot(driver, 'real-tax-export');

  const zips = readdirSync(exportDir).filter((f) => f.endsWith('.zip'));
  assert.equal(zips.length, 1, `one zip in ${readdirSync(exportDir)}`);
  const zip = join(exportDir, zips[0]);
  const checked = validateZip(zip);
  assert.equal(checked.files.length, 22, `20 tables, index.xml and the DTD: ${checked.files}`);
  assert.ok(checked.ok, checked.problems);

  // The same target again: refused in words, the zip untouched.
  await driver.findElement(byTestId('tax-export-start')).click();
  await waitForText(driver, 'tax-export-error', /Die Datei gibt es schon/, 20000);

  // In English, after the first zip was moved away.
  rmSync(zip);
  await driver.findElement(byTestId('lang-switch')).click();
  await waitForText(driver, 'show-tax-export', /Export for the tax office/, 10000).catch(() => {});
  await driver.findElement(byTestId('tax-export-start')).click();
  await waitForText(driver, 'tax-export-result', /Export saved: .*\n?.*1 closing \(Z 1\), 1 receipt/, 30000);
  await screenshot(driver, 'real-tax-export-en');
  assert.ok(validateZip(zip).ok);
  await driver.findElement(byTestId('lang-switch')).click();

  // The command line on the same data directory, while the till runs.
  const bin = process.env.SMART_TILL_BIN;
  const env = { ...process.env, SMART_TILL_DATA_DIR: app.dataDir };
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  const folder = join(exportDir, 'folder');
  const ok = spawnSync(bin, ['export-dsfinvk', '--from', day, '--to', day, folder], { env, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /1 closing\(s\) \(Z 1\), 1 receipts/);
  assert.equal(spawnSync('python3', [validator, folder]).status, 0);
  const again = spawnSync(bin, ['export-dsfinvk', '--from', day, '--to', day, folder], { env, encoding: 'utf8' });
  assert.equal(again.status, 5, 'a folder that is not empty');
  assert.match(again.stderr, /already exists and is not empty/);
  const none = spawnSync(bin, ['export-dsfinvk', '--from', '2020-01-01', '--to', '2020-01-31', join(exportDir, 'none.zip')], { env, encoding: 'utf8' });
  assert.equal(none.status, 4, 'no closing in the range');
  assert.match(none.stderr, /no closing/);
  assert.ok(!existsSync(join(exportDir, 'none.zip')));
  const usage = spawnSync(bin, ['export-dsfinvk', '--from', 'gestern', '--to', day, folder], { env, encoding: 'utf8' });
  assert.equal(usage.status, 2);
});
