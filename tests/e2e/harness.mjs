// Starts the real app through tauri-driver (WebKitWebDriver) and cleans up after it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, By, until } from 'selenium-webdriver';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');

/** A free port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Bounded: something else that took the port may accept and never answer.
    const ok = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tauri-driver did not listen on ${port}`);
}

/** The error when tauri-driver could not take its port (another process got it first). */
class DriverPortTaken extends Error {}

/** How long a lookup waits for its element to be rendered (the UI renders after a click returns). */
const IMPLICIT_WAIT_MS = 3000;

/**
 * Launches the app with its own data directory and demo simulator port.
 * Returns { driver, dataDir, demoUrl, stop }. With `options.dataDir` the app
 * runs on that directory and stop() leaves it in place, as switching the till
 * off would; `options.env` adds environment variables. The ports are free when picked
 * but another process can take one before tauri-driver binds it (a busy
 * machine opens many loopback connections): then it starts again on new ones.
 *
 * Given the test's context `t`, the app stops after the test, and a test that
 * failed first prints what the window showed and saves a screenshot of it, so
 * a failure on a CI machine can be read from its output.
 */
export async function launchApp(t, options = {}) {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const app = await launchOnce(options);
      t?.after(async () => {
        if (!t.passed) await describeWindow(app.driver, t.name, started);
        await app.stop();
      });
      return app;
    } catch (e) {
      if (!(e instanceof DriverPortTaken) || attempt === 3) throw e;
      console.log(`# ${e.message}; starting again on other ports`);
    }
  }
}

async function launchOnce({ dataDir: kept, env = {} }) {
  const dataDir = kept ?? mkdtempSync(join(tmpdir(), 'smart-till-e2e-'));
  const demoPort = await freePort();
  const driverPort = await freePort();
  const nativePort = await freePort();
  const driverProc = spawn('tauri-driver', ['--port', String(driverPort), '--native-port', String(nativePort)], {
    env: { ...process.env, SMART_TILL_DATA_DIR: dataDir, SMART_TILL_DEMO_PORT: String(demoPort), RUST_LOG: 'info', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  let driver;
  const stop = async () => {
    if (driver) await driver.quit().catch(() => {});
    // tauri-driver and everything it started run in their own process group.
    try { process.kill(-driverProc.pid, 'SIGTERM'); } catch {}
    if (kept) {
      // The next start on this directory finds the journal and the instance lock let go.
      await new Promise((r) => setTimeout(r, 500));
    } else {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    await waitForPort(driverPort, 20000).catch((e) => {
      throw new DriverPortTaken(e.message);
    });
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${driverPort}/`)
      .withCapabilities({ browserName: 'wry', 'tauri:options': { application: process.env.SMART_TILL_BIN } })
      .build();
    await driver.manage().setTimeouts({ implicit: IMPLICIT_WAIT_MS });
    // The sale screen's buttons, or the lock screen (a fresh testing/live till asks for its owner).
    await driver.wait(until.elementLocated(By.css('[data-testid="articles"] button, [data-testid="lock-screen"]')), 30000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { driver, dataDir, demoUrl: `http://127.0.0.1:${demoPort}`, stop };
}

export const byTestId = (id) => By.css(`[data-testid="${id}"]`);

/** For a failed test: the window's text and a screenshot (target/e2e-screenshots/failed-*.png). */
async function describeWindow(driver, testName, started) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  try {
    const text = await driver.executeScript('return document.body.innerText');
    const lines = String(text).split('\n').map((l) => l.trim()).filter(Boolean).join(' | ');
    console.log(`# the window ${seconds} s after the start, when "${testName}" failed: ${lines.slice(0, 2000)}`);
    await screenshot(driver, `failed-${testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
  } catch (e) {
    console.log(`# the window could not be read after "${testName}" failed (${seconds} s): ${e.message}`);
  }
}

/**
 * What `read(element)` answers for the element `id`, looked up afresh; undefined
 * while it is not rendered, or when it was rendered anew between the lookup and
 * the read. For polls: an element found before may be gone by the next one.
 */
export async function readFresh(driver, id, read) {
  const [el] = await driver.findElements(byTestId(id));
  if (!el) return undefined;
  try {
    return await read(el);
  } catch {
    return undefined;
  }
}

/**
 * Waits until the element `id` shows text that is `expected` (a string) or
 * matches it (a RegExp), and returns the text.
 */
export async function waitForText(driver, id, expected, timeoutMs = 10000) {
  const matches = (text) => (typeof expected === 'string' ? text === expected : expected.test(text));
  let seen;
  await driver
    .wait(async () => {
      seen = await readFresh(driver, id, (el) => el.getText());
      return seen !== undefined && matches(seen);
    }, timeoutMs)
    .catch(() => {
      throw new Error(`${id} shows ${seen === undefined ? '(not shown)' : JSON.stringify(seen)}, not ${expected} (waited ${timeoutMs} ms)`);
    });
  return seen;
}

/**
 * Saves a screenshot of the window under target/e2e-screenshots/, or straight
 * into the README's docs/screenshots/ with UPDATE_SCREENSHOTS=1, so a test run
 * leaves the repository as it was.
 */
export async function screenshot(driver, name) {
  const dir = process.env.UPDATE_SCREENSHOTS === '1'
    ? join(repoRoot, 'docs', 'screenshots')
    : join(repoRoot, 'target', 'e2e-screenshots');
  mkdirSync(dir, { recursive: true });
  const png = await takeScreenshot(driver);
  writeFileSync(join(dir, `${name}.png`), Buffer.from(png, 'base64'));
}

/**
 * WebKitWebDriver's screenshot waits for the window's next paint, and a still
 * screen paints again only when its clock turns (up to a minute). So the page
 * is asked to paint shortly after: a pixel that is all but transparent comes
 * and goes in a corner.
 */
async function takeScreenshot(driver) {
  await driver.executeScript(`
    const dot = document.createElement('div');
    dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;background:rgba(0,0,0,0.01);pointer-events:none';
    const nudge = (n) => setTimeout(() => {
      if (dot.isConnected) dot.remove(); else document.body.append(dot);
      if (n > 0) nudge(n - 1); else dot.remove();
    }, 150);
    nudge(40);
  `);
  return driver.takeScreenshot();
}

/** Reads the journal file with the sqlite3 tool, independent of the app's own code. */
export function queryJournal(dataDir, sql, file = 'journal.sqlite3') {
  const out = execFileSync('sqlite3', ['-json', join(dataDir, file), sql], { encoding: 'utf8' });
  return out.trim() === '' ? [] : JSON.parse(out);
}

/** Reads a smart transaction from the simulator through its public API, as any client would. */
export async function fetchTransaction(demoUrl, id) {
  const tokenRes = await fetch(`${demoUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo-till', client_secret: 'demo-secret' }),
  });
  const { access_token } = await tokenRes.json();
  const res = await fetch(`${demoUrl}/api/v2/Smart/Transactions/${id}`, {
    headers: { authorization: `Bearer ${access_token}`, accept: 'application/json' },
  });
  if (!res.ok) throw new Error(`GET transaction ${id}: HTTP ${res.status}`);
  return res.json();
}

/** One cash sale of a water through the window, back to an empty basket. */
export async function sellWater(driver) {
  await driver.findElement(byTestId('article-51')).click();
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  await driver.wait(until.elementLocated(byTestId('receipt')), 20000);
  await driver.findElement(byTestId('new-sale')).click();
  await waitForText(driver, 'basket-total', '0,00 €', 10000);
}

/** Talks to the demo simulator's test door (`/_sandbox/...`): POSTs `body` when given, else GETs. */
export async function simulator(demoUrl, path, body) {
  const res = await fetch(`${demoUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

/** How long the simulated customer takes at the terminal (ms); short keeps the tests quick. */
export function terminalDelay(demoUrl, ms = 300) {
  return simulator(demoUrl, '/_sandbox/config', { terminal_delay_ms: ms });
}

/**
 * Opens the customer display from the settings, with the owner's `message`,
 * and answers the two windows' handles (the till's, the display's).
 */
export async function openDisplay(driver, message = '') {
  const till = await driver.getWindowHandle();
  await driver.findElement(byTestId('nav-settings')).click();
  await driver.wait(until.elementLocated(byTestId('tab-display')), 20000).click();
  const field = await driver.wait(until.elementLocated(byTestId('display-message')), 20000);
  await field.clear();
  if (message) await field.sendKeys(message);
  await driver.findElement(byTestId('save-display')).click();
  await driver.wait(until.elementLocated(byTestId('settings-done')), 20000);
  await driver.findElement(byTestId('open-display')).click();
  await waitForText(driver, 'display-state', /geöffnet/, 20000);
  let display;
  await driver.wait(async () => {
    display = (await driver.getAllWindowHandles()).find((h) => h !== till);
    return display !== undefined;
  }, 20000, 'the display window appears to WebDriver');
  return { till, display };
}
