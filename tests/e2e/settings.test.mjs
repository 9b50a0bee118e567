// The settings screen in the real window: the shop header on the next receipt,
// the language, a damaged settings file, and pairing the till with a provider
// (a standalone simulator on loopback) without its secrets leaking anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from 'selenium-webdriver';
import { byTestId, launchApp, screenshot, waitForText } from './harness.mjs';

const WAIT = 30000;

/** Starts the app on `dataDir`, kept between starts and removed by the test. */
const start = (dataDir, env = {}) => launchApp(undefined, { dataDir, env });

function tempDataDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'smart-till-settings-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openSettings(driver, tab = 'shop') {
  await driver.findElement(byTestId('nav-settings')).click();
  await driver.wait(until.elementLocated(byTestId('settings-screen')), WAIT);
  await driver.findElement(byTestId(`tab-${tab}`)).click();
}

async function cashSale(driver) {
  await driver.findElement(byTestId('nav-sale')).click();
  const article = await driver.wait(until.elementLocated(byTestId('article-51')), WAIT);
  await article.click();
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  const text = await (await driver.wait(until.elementLocated(byTestId('receipt')), WAIT)).getText();
  await driver.findElement(byTestId('new-sale')).click();
  return text;
}

/** A sale of an amount typed on the keypad (a till without articles). */
async function amountSale(driver) {
  await driver.findElement(byTestId('nav-sale')).click();
  for (const key of ['9', '9']) await driver.findElement(byTestId(`key-${key}`)).click();
  await driver.findElement(byTestId('amount-19')).click();
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  const text = await (await driver.wait(until.elementLocated(byTestId('receipt')), WAIT)).getText();
  await driver.findElement(byTestId('new-sale')).click();
  return text;
}

async function replaceText(driver, testid, text) {
  const field = await driver.wait(until.elementLocated(byTestId(testid)), WAIT);
  // The form appears filled from the stored settings; wait for that before typing.
  await driver.wait(async () => (await field.getAttribute('value')) !== '', WAIT);
  await driver.executeScript(
    'arguments[0].value = ""; arguments[0].dispatchEvent(new Event("input", { bubbles: true }));',
    field,
  );
  await field.sendKeys(text);
}

test('a new shop name heads the next receipt and survives a restart; so does the language', async (t) => {
  const dataDir = tempDataDir(t);
  let app = await start(dataDir);
  t.after(() => app.stop());

  await openSettings(app.driver);
  assert.equal(await app.driver.findElement(byTestId('log-dir')).getText(), join(dataDir, 'logs'));
  await replaceText(app.driver, 'shop-name', 'Bäckerei Sonnenschein');
  await app.driver.findElement(byTestId('save-shop')).click();
  await app.driver.wait(until.elementLocated(byTestId('settings-done')), WAIT);
  await screenshot(app.driver, 'real-settings');

  const receipt = await cashSale(app.driver);
  assert.match(receipt, /Bäckerei Sonnenschein/);
  assert.doesNotMatch(receipt, /Demo-Café/);

  await openSettings(app.driver, 'language');
  await app.driver.findElement(byTestId('lang-en')).click();
  await waitForText(app.driver, 'tab-shop', 'Shop', WAIT);

  await app.stop();
  app = await start(dataDir);
  // English from the start, and the shop name kept.
  await waitForText(app.driver, 'nav-settings', /Settings/, WAIT);
  await openSettings(app.driver);
  const name = await app.driver.wait(until.elementLocated(byTestId('shop-name')), WAIT);
  await app.driver.wait(async () => (await name.getAttribute('value')) === 'Bäckerei Sonnenschein', WAIT);
  assert.match(await cashSale(app.driver), /Bäckerei Sonnenschein/);

  const stored = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8'));
  assert.equal(stored.shop.name, 'Bäckerei Sonnenschein');
  assert.equal(stored.language, 'en');
});

test('a hand-broken section of settings.json: the app starts, the screen names it, the rest is kept', async (t) => {
  const dataDir = tempDataDir(t);
  const broken = {
    shop: { name: 42, address_lines: 'not a list' },
    language: 'en',
  };
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(broken, null, 2));
  const app = await start(dataDir);
  t.after(() => app.stop());

  // The readable language applies; the shop falls back to its defaults.
  await waitForText(app.driver, 'nav-settings', /Settings/, WAIT);
  await openSettings(app.driver);
  const problems = await app.driver.wait(until.elementLocated(byTestId('settings-problems')), WAIT);
  const text = await problems.getText();
  assert.match(text, /"shop"/);
  assert.doesNotMatch(text, /"language"/);
  // A sale still works, with the default header; the file is left as it was.
  assert.match(await cashSale(app.driver), /Smart Till Demo-Café/);
  assert.deepEqual(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')), broken);
});

/** The standalone simulator on a loopback port the system gives it, as the provider stands in for "testing". */
async function standaloneSimulator(t) {
  const bin = process.env.SECUCONNECT_SANDBOX_BIN ?? join(process.env.SMART_TILL_BIN, '..', 'secuconnect-sandbox');
  assert.ok(existsSync(bin), `no simulator binary at ${bin}: cargo build -p secuconnect-sandbox`);
  const proc = spawn(bin, ['--port', '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => proc.kill('SIGTERM'));
  const first = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    lines.once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`simulator exited with ${c}`)));
  });
  proc.stdout.resume();
  const [url] = first.match(/http:\/\/127\.0\.0\.1:\d+/) ?? [];
  assert.ok(url, `the simulator says where it listens: ${first}`);
  return url;
}

/** Pids of the app processes started on `dataDir` (found by their environment). */
function tillProcesses(dataDir) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (cmd.includes('smart-till') && environ.includes(`SMART_TILL_DATA_DIR=${dataDir}`)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return pids;
}

/** Every file under `dir` (recursively) with its text. */
function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path).toString('latin1') });
  }
  return out;
}

test('pairing with the provider: the code is shown, confirmed in the back office, the till is paired; no secret leaks', async (t) => {
  const provider = await standaloneSimulator(t);
  const dataDir = tempDataDir(t);
  const env = { SMART_TILL_PROVIDER_URL: provider };
  let app = await start(dataDir, env);
  t.after(() => app.stop());
  const { driver } = app;

  await openSettings(driver, 'connection');
  await driver.findElement(byTestId('env-testing')).click();

  // A wrong secret: refused in words, nothing saved.
  await driver.findElement(byTestId('auth-credentials')).click();
  await driver.findElement(byTestId('client-id')).sendKeys('demo-till');
  await driver.findElement(byTestId('client-secret')).sendKeys('wrong-secret');
  await driver.findElement(byTestId('save-connection')).click();
  const refused = await driver.wait(until.elementLocated(byTestId('settings-error')), WAIT);
  assert.match(await refused.getText(), /Zugangsdaten|credentials/);
  const before = existsSync(join(dataDir, 'settings.json')) ? JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) : {};
  assert.equal(before.connection, undefined, 'nothing saved after a refused secret');

  // Device pairing with the right secret.
  await driver.findElement(byTestId('auth-device')).click();
  await driver.findElement(byTestId('client-secret')).sendKeys('demo-secret');
  await driver.findElement(byTestId('pairing-start')).click();
  const code = await (await driver.wait(until.elementLocated(byTestId('pairing-code')), WAIT)).getText();
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  assert.ok((await driver.findElement(byTestId('pairing-url')).getText()).length > 0);
  await driver.findElement(byTestId('pairing-progress'));
  await screenshot(driver, 'real-pairing');

  const confirmed = await fetch(`${provider}/_sandbox/device/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_code: code }),
  });
  assert.equal(confirmed.status, 200);
  await driver.wait(until.elementLocated(byTestId('pairing-done')), WAIT);
  await driver.wait(until.elementLocated(byTestId('restart-needed')), WAIT);
  await driver.wait(until.elementLocated(byTestId('auth-device')), WAIT).catch(() => {});

  const stored = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8'));
  assert.equal(stored.connection.environment, 'testing');
  assert.equal(stored.connection.auth_mode, 'device');
  assert.equal(stored.connection.client_id, 'demo-till');

  // The secrets are in the keychain, or (no Secret Service here) in a file only the user reads.
  const secretsFile = join(dataDir, 'secrets.json');
  const secrets = ['demo-secret'];
  if (existsSync(secretsFile)) {
    assert.equal(statSync(secretsFile).mode & 0o777, 0o600);
    const kept = JSON.parse(readFileSync(secretsFile, 'utf8'));
    assert.equal(kept['testing/client_secret'], 'demo-secret');
    assert.ok(kept['testing/refresh_token'], 'the refresh token is kept');
    secrets.push(kept['testing/refresh_token']);
  }
  const page = await driver.getPageSource();
  const webviewState = await driver.executeScript('return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.documentElement.outerHTML');

  // "Restart now": the app starts again by itself, on the testing journal.
  // The window goes away with the click, so its answer may never come.
  await driver.findElement(byTestId('restart-app')).click().catch(() => {});
  const logs = join(dataDir, 'logs');
  const deadline = Date.now() + WAIT;
  while (!filesUnder(logs).some(({ text }) => text.includes('journal-testing.sqlite3'))) {
    assert.ok(Date.now() < deadline, 'the restarted app opened the testing journal');
    await new Promise((r) => setTimeout(r, 250));
  }
  // That new process runs outside the driver's session: end it (by its pid) before the next start.
  for (const pid of tillProcesses(dataDir)) {
    try { process.kill(pid, 'SIGTERM'); } catch {}
  }
  const gone = Date.now() + WAIT;
  while (tillProcesses(dataDir).length > 0) {
    assert.ok(Date.now() < gone, 'the restarted app ended');
    await new Promise((r) => setTimeout(r, 250));
  }
  await app.stop();

  // Next start: connected to "testing" as the paired till, with the testing journal.
  app = await start(dataDir, env);
  await app.driver.wait(until.elementLocated(byTestId('demo-marker')), 3000).then(
    () => assert.fail('the till still runs the demo after the switch'),
    () => {},
  );
  // A fresh testing till has no cashier yet: it asks for the owner first, and has no articles.
  await app.driver.wait(until.elementLocated(byTestId('owner-name')), WAIT).sendKeys('Inhaberin');
  await app.driver.findElement(byTestId('owner-pin')).sendKeys('2580');
  await app.driver.findElement(byTestId('owner-save')).click();
  await app.driver.wait(until.elementLocated(byTestId('cashier-name')), WAIT);
  await app.driver.wait(until.elementLocated(byTestId('no-articles')), WAIT);
  await openSettings(app.driver, 'connection');
  await app.driver.wait(until.elementLocated(byTestId('env-running')), WAIT);
  await app.driver.wait(until.elementLocated(byTestId('auth-device')), WAIT);
  await app.driver.findElement(byTestId('auth-device')).click();
  await app.driver.wait(until.elementLocated({ css: '.tag.ok' }), WAIT);
  const receipt = await amountSale(app.driver);
  assert.match(receipt, /Es bediente Sie: Inhaberin/);
  const stx = /TA (STX_[A-Z0-9]+)/.exec(receipt)?.[1];
  assert.ok(stx, receipt);
  assert.ok(existsSync(join(dataDir, 'journal-testing.sqlite3')), 'the testing journal is its own file');
  const page2 = await app.driver.getPageSource();
  await app.stop();

  // No secret in settings.json, the logs, the journals or anything the web view held.
  const leaks = [];
  for (const { path, text } of filesUnder(dataDir)) {
    if (path === secretsFile) continue;
    for (const s of secrets) if (text.includes(s)) leaks.push(`${path} contains a secret`);
  }
  for (const s of secrets) {
    for (const [what, text] of [['page', page], ['webview', webviewState], ['page after restart', page2]]) {
      if (text.includes(s)) leaks.push(`${what} contains a secret`);
    }
  }
  assert.deepEqual(leaks, []);
  assert.ok(filesUnder(join(dataDir, 'logs')).length > 0, 'the logs were checked');
});

test('no switch to another environment while sales paid offline wait in the outbox', async (t) => {
  const dataDir = tempDataDir(t);
  const app = await start(dataDir);
  t.after(() => app.stop());
  const { driver } = app;

  // The demo provider goes offline: a cash sale is paid and queued.
  const off = await fetch(`${app.demoUrl}/_sandbox/offline`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ offline: true }),
  });
  assert.equal(off.status, 200);
  await cashSale(driver);

  await openSettings(driver, 'connection');
  await driver.findElement(byTestId('env-live')).click();
  await driver.findElement(byTestId('auth-credentials')).click();
  await driver.findElement(byTestId('client-id')).sendKeys('demo-till');
  await driver.findElement(byTestId('client-secret')).sendKeys('demo-secret');
  await driver.findElement(byTestId('save-connection')).click();
  const refused = await driver.wait(until.elementLocated(byTestId('settings-error')), WAIT);
  const text = await refused.getText();
  // In the cashier's language, from the code the refusal carries.
  assert.match(text, /^Offline bezahlte Verkäufe sind noch nicht beim Zahlungsdienst registriert/);
  assert.match(text, /dann umschalten\.$/);
  assert.equal((await driver.findElements(byTestId('restart-needed'))).length, 0);
  const stored = existsSync(join(dataDir, 'settings.json')) ? JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) : {};
  assert.equal(stored.connection, undefined, 'nothing saved');
  assert.ok(!existsSync(join(dataDir, 'secrets.json')), 'no secret kept');
});
