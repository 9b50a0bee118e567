// Starts the real app through tauri-driver (WebKitWebDriver) and cleans up after it.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, By, until } from 'selenium-webdriver';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');

/** Whether `port` (0: any) can be bound on loopback now; answers the port bound, or null. */
function tryBind(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const bound = srv.address().port;
      srv.close(() => resolve(bound));
    });
  });
}

/** The first port of the range the system hands out for outgoing connections and port 0. */
function ephemeralLow() {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/**
 * A free port on loopback for a server that must be told its port, picked
 * below the ephemeral range: the system gives no outgoing connection (and no
 * port-0 server) one of those, so it stays free until that server binds it
 * unless someone else binds it on purpose.
 */
export async function freePort() {
  const low = ephemeralLow();
  for (let i = 0; low > 11000 && i < 20; i++) {
    const port = 10000 + Math.floor(Math.random() * (low - 10000));
    if ((await tryBind(port)) !== null) return port;
  }
  return tryBind(0);
}

/** The error when another process took one of tauri-driver's ports before it could bind it. */
class DriverPortTaken extends Error {}

/**
 * The inodes of the sockets listening on `port` (IPv4 and IPv6), from
 * /proc/net: who listens there, whoever answers on it.
 */
function listeners(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port, f[3] state (0A = LISTEN), f[9] inode.
      if (f.length > 9 && f[3] === '0A' && f[1].endsWith(`:${hex}`)) inodes.add(f[9]);
    }
  }
  return inodes;
}

/** The processes of process group `pgid`: pid, state (Z = ended, not yet reaped) and socket inodes. */
function group(pgid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) !== pgid) continue;
    // A process starting (between fork and exec) may not show its descriptors yet.
    const sockets = new Set();
    let fds = [];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {}
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m) sockets.add(m[1]);
      } catch {}
    }
    found.push({ pid: Number(entry), state, sockets });
  }
  return found;
}

/**
 * Waits until tauri-driver (`proc`, leader of its own process group) listens
 * on `driverPort` and its WebKitWebDriver on `nativePort`, checked by the
 * sockets' owners, not by what answers there. A port another process took
 * first ends it at once (DriverPortTaken): tauri-driver exits when it cannot
 * bind its port, WebKitWebDriver when it cannot bind the native one.
 */
async function waitForDriver(proc, driverPort, nativePort, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new DriverPortTaken(`tauri-driver ended at its start: port ${driverPort} was taken`);
    }
    // Who listens first, then the group: a port found held means its owner
    // had started before the group was looked at.
    const [onDriver, onNative] = [listeners(driverPort), listeners(nativePort)];
    const ours = group(proc.pid);
    const sockets = new Set(ours.flatMap((p) => [...p.sockets]));
    const holds = (inodes) => [...inodes].some((inode) => sockets.has(inode));
    if (holds(onDriver)) {
      if (holds(onNative)) return;
      // tauri-driver starts WebKitWebDriver before it binds its own port.
      if (!ours.some((p) => p.pid !== proc.pid && p.state !== 'Z')) {
        throw new DriverPortTaken(`WebKitWebDriver ended at its start: port ${nativePort} was taken`);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tauri-driver did not listen on ${driverPort} and ${nativePort} within ${timeoutMs} ms`);
}

/** How long a lookup waits for its element to be rendered (the UI renders after a click returns). */
const IMPLICIT_WAIT_MS = 3000;

/**
 * Launches the app with its own data directory.
 * Returns { driver, dataDir, demoUrl, tseUrl, attempts, stop }: the demo
 * simulators' URLs as the app reports them (its simulators bind ports the
 * system gives them; none in testing or live). With `options.dataDir` the app
 * runs on that directory and stop() leaves it in place, as switching the till
 * off would; `options.env` adds environment variables. tauri-driver needs its
 * two ports named: they are free when picked, but another process can take one
 * before tauri-driver binds it (a busy machine opens many loopback
 * connections): then it starts again on new ones, at once. `options.ports`
 * are taken first (tests of that).
 *
 * Given the test's context `t`, the app stops after the test, and a test that
 * failed first prints what the window showed and saves a screenshot of it, so
 * a failure on a CI machine can be read from its output.
 */
export async function launchApp(t, options = {}) {
  const started = Date.now();
  const preset = [...(options.ports ?? [])];
  const pickPort = async () => preset.shift() ?? (await freePort());
  for (let attempt = 1; ; attempt++) {
    try {
      const app = { ...(await launchOnce(options, pickPort)), attempts: attempt };
      t?.after(async () => {
        if (!t.passed) await describeWindow(app.driver, t.name, started);
        await app.stop();
      });
      return app;
    } catch (e) {
      if (!(e instanceof DriverPortTaken) || attempt === 5) throw e;
      console.log(`# ${e.message}; starting again on other ports`);
    }
  }
}

async function launchOnce({ dataDir: kept, env = {} }, pickPort) {
  const dataDir = kept ?? mkdtempSync(join(tmpdir(), 'smart-till-e2e-'));
  // Beside the data directory, so the app's own files stay as they are.
  const runDir = mkdtempSync(join(tmpdir(), 'smart-till-e2e-run-'));
  const urlsFile = join(runDir, 'demo-urls.json');
  const driverPort = await pickPort();
  const nativePort = await pickPort();
  const driverProc = spawn('tauri-driver', ['--port', String(driverPort), '--native-port', String(nativePort)], {
    env: { ...process.env, SMART_TILL_DATA_DIR: dataDir, SMART_TILL_DEMO_URLS_FILE: urlsFile, RUST_LOG: 'info', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  let driver;
  const stop = async () => {
    if (driver) await driver.quit().catch(() => {});
    // tauri-driver and everything it started run in their own process group.
    try { process.kill(-driverProc.pid, 'SIGTERM'); } catch {}
    rmSync(runDir, { recursive: true, force: true });
    if (kept) {
      // The next start on this directory finds the journal and the instance lock let go.
      await new Promise((r) => setTimeout(r, 500));
    } else {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  let urls = {};
  try {
    await waitForDriver(driverProc, driverPort, nativePort, 20000);
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${driverPort}/`)
      .withCapabilities({ browserName: 'wry', 'tauri:options': { application: process.env.SMART_TILL_BIN } })
      .build();
    await driver.manage().setTimeouts({ implicit: IMPLICIT_WAIT_MS });
    // The sale screen's buttons, or the lock screen (a fresh testing/live till asks for its owner).
    await driver.wait(until.elementLocated(By.css('[data-testid="articles"] button, [data-testid="lock-screen"]')), 30000);
    // Written before the window opens, in demo mode only.
    if (existsSync(urlsFile)) urls = JSON.parse(readFileSync(urlsFile, 'utf8'));
  } catch (e) {
    await stop();
    throw e;
  }
  return { driver, dataDir, demoUrl: urls.simulator, tseUrl: urls.tse, driverPort, nativePort, stop };
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

/**
 * The X windows titled `title` (a pattern) that are shown on the screen, by
 * xdotool: the app's windows open hidden and show when their page starts loading.
 */
export function shownWindows(title) {
  const out = execFileSync('xdotool', ['search', '--onlyvisible', '--name', title], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

/** Shown windows titled `title`, asked for up to `ms` (the X server maps a window a moment after it is shown). */
export async function waitForShownWindows(title, ms = 1000) {
  const until = Date.now() + ms;
  for (;;) {
    let found = [];
    try {
      found = shownWindows(title);
    } catch {
      // xdotool exits 1 when it finds none
    }
    if (found.length || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
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
