// The app's own speed and memory, through its real window; prints its figures.
// Run through scripts/bench-app.sh (release build, Xvfb). Settings (env):
//   BENCH_LAUNCHES  warm launches timed, each in a new data folder and again in one kept folder
//                   (default 5 each; one more, untimed, warms the caches)
//   BENCH_SALES     sales driven through the UI for the memory figure (default 1000)
//   BENCH_SOAK      sales of the soak, memory sampled every BENCH_EVERY (default 0: no soak)
//   BENCH_EVERY     sampling interval of the soak (default 1000)
//   BENCH_DRIVE     "webdriver" (default): each tap a WebDriver command, as the e2e tests;
//                   "page": the page taps its own buttons, 100 sales per WebDriver command,
//                   so the WebDriver session's own memory (element handles in the web
//                   process, the automation session in the app) stays out of the figures
//   BENCH_SETTLE_MS before each memory sample the till stands idle this long, as between two
//                   customers (default 6000: one turn of the web process's 5 s memory check)
//   BENCH_PROVIDER  "demo" (default): the built-in simulator runs inside the app;
//                   "standalone": the till is set to "testing" against the simulator
//                   binary (SECUCONNECT_SANDBOX_BIN) on loopback, as a shop's till
//                   talks to the provider: no simulator in the app's memory
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, until } from 'selenium-webdriver';
import { byTestId, freePort, queryJournal, waitForText } from './harness.mjs';

const env = (name, dflt) => Number(process.env[name] ?? dflt);
const LAUNCHES = env('BENCH_LAUNCHES', 5);
const SALES = env('BENCH_SALES', 1000);
const SOAK = env('BENCH_SOAK', 0);
const EVERY = env('BENCH_EVERY', 1000);
const SETTLE_MS = env('BENCH_SETTLE_MS', 6000);
const DRIVE = process.env.BENCH_DRIVE ?? 'webdriver';
if (!['webdriver', 'page'].includes(DRIVE)) throw new Error(`BENCH_DRIVE is "webdriver" or "page", not "${DRIVE}"`);
const PROVIDER = process.env.BENCH_PROVIDER ?? 'demo';
if (!['demo', 'standalone'].includes(PROVIDER)) throw new Error(`BENCH_PROVIDER is "demo" or "standalone", not "${PROVIDER}"`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    if (await fetch(`http://127.0.0.1:${port}/status`).then(() => true, () => false)) return;
    await sleep(100);
  }
  throw new Error(`tauri-driver did not listen on ${port}`);
}

/** Every process and its parent, from /proc. */
function processTable() {
  const table = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.push({ pid: Number(name), ppid, comm });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

function descendants(table, root) {
  const out = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.shift();
    for (const c of table.filter((t) => t.ppid === p)) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** The app (smart-till) and every process it started (the web view's included). */
function appProcesses(driverPid) {
  const table = processTable();
  const app = descendants(table, driverPid).find((p) => p.comm === 'smart-till');
  if (!app) throw new Error('the app process was not found');
  return [app, ...descendants(table, app.pid)];
}

/**
 * Proportional set size in kB of one process (shared pages split between
 * their users), and the part of it that is anonymous (heap, not mapped files).
 */
function pssKb(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { kb: field('Pss'), anonKb: field('Pss_Anon') };
  } catch {
    return { kb: 0, anonKb: 0 };
  }
}

function memory(driverPid) {
  return memoryOf(appProcesses(driverPid));
}

function memoryOf(procs) {
  const parts = procs.map((p) => ({ comm: p.comm, ...pssKb(p.pid) }));
  const totalKb = parts.reduce((s, p) => s + p.kb, 0);
  const anonKb = parts.reduce((s, p) => s + p.anonKb, 0);
  return { totalMb: totalKb / 1024, anonMb: anonKb / 1024, parts, pids: procs.map((p) => p.pid) };
}

/**
 * Where the memory of `pids` lies (PSS in MB): the system libraries' code and
 * read-only data, the pages their loading wrote (relocations, private to each
 * process), the app's binary, and heap, stacks and buffers.
 */
function breakdown(pids) {
  const parts = { libraries: 0, relocations: 0, binary: 0, heap: 0, files: 0 };
  for (const pid of pids) {
    let text;
    try {
      text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    } catch {
      continue;
    }
    for (const block of text.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
      const path = block.split('\n')[0].split(/\s+/).slice(5).join(' ');
      const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(block)?.[1] ?? 0);
      const pss = kb('Pss');
      const anon = Math.min(kb('Anonymous'), pss);
      if (path.includes('smart-till')) parts.binary += pss;
      else if (path.startsWith('/') && path.includes('.so')) {
        parts.relocations += anon;
        parts.libraries += pss - anon;
      } else if (path.startsWith('/')) parts.files += pss;
      else parts.heap += pss;
    }
  }
  const mb = (kb) => (kb / 1024).toFixed(1);
  return (
    `system libraries ${mb(parts.libraries)} MB (code, read-only data) + ${mb(parts.relocations)} MB ` +
    `(pages their loading wrote); the app's binary ${mb(parts.binary)} MB; heap, stacks and buffers ` +
    `${mb(parts.heap)} MB; other mapped files ${mb(parts.files)} MB`
  );
}

/** What the page holds: its elements (a UI that keeps something per sale shows it here). */
const domNodes = (driver) => driver.executeScript("return document.getElementsByTagName('*').length");

const fmtMem = (m) =>
  `${m.totalMb.toFixed(1)} MB, ${m.anonMb.toFixed(1)} MB of it anonymous ` +
  `(${m.parts.filter((p) => p.kb > 0).map((p) => `${p.comm} ${(p.kb / 1024).toFixed(1)} [${(p.anonKb / 1024).toFixed(1)} anon]`).join(', ')})`;

/**
 * Starts tauri-driver and the app; `launchMs` runs from the session request
 * (WebKitWebDriver starts the app) until an article tapped shows in the basket.
 * In a new data folder unless `keptDir` names one (which `stop` leaves).
 */
async function launch(keptDir = null) {
  const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'smart-till-bench-'));
  const [driverPort, nativePort] = [await freePort(), await freePort()];
  const provider = PROVIDER === 'standalone' ? await standaloneProvider(dataDir) : null;
  const proc = spawn('tauri-driver', ['--port', String(driverPort), '--native-port', String(nativePort)], {
    env: {
      ...process.env,
      SMART_TILL_DATA_DIR: dataDir,
      RUST_LOG: 'warn',
      ...(provider ? provider.env : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  let driver;
  const stop = async () => {
    if (driver) await driver.quit().catch(() => {});
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {}
    provider?.proc.kill('SIGTERM');
    if (!keptDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPort(driverPort);
    const t0 = performance.now();
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${driverPort}/`)
      .withCapabilities({ browserName: 'wry', 'tauri:options': { application: process.env.SMART_TILL_BIN } })
      .build();
    const water = await driver.wait(until.elementLocated(byTestId('article-51')), 60000);
    await water.click();
    await waitForText(driver, 'basket-total', '0,99 €', 30000);
    const launchMs = performance.now() - t0;
    return { driver, dataDir, pid: proc.pid, launchMs, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The simulator binary on a free loopback port standing in for the provider's
 * testing system, and the till's data directory set to it with the demo
 * credentials (the client secret in the 0600 file a till without a keychain uses).
 */
async function standaloneProvider(dataDir) {
  const bin = process.env.SECUCONNECT_SANDBOX_BIN;
  if (!bin) throw new Error('BENCH_PROVIDER=standalone needs SECUCONNECT_SANDBOX_BIN (scripts/bench-app.sh sets it)');
  const port = await freePort();
  const proc = spawn(bin, ['--port', String(port)], {
    env: { ...process.env, RUST_LOG: 'warn' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`the simulator exited with ${c}`)));
  });
  proc.stdout.resume();
  writeFileSync(
    join(dataDir, 'settings.json'),
    JSON.stringify({ connection: { environment: 'testing', auth_mode: 'client_credentials', client_id: 'demo-till' } }),
  );
  const secrets = join(dataDir, 'secrets.json');
  writeFileSync(secrets, JSON.stringify({ 'testing/client_secret': 'demo-secret' }));
  chmodSync(secrets, 0o600);
  return {
    proc,
    env: { SMART_TILL_PROVIDER_URL: `http://127.0.0.1:${port}`, SMART_TILL_SECRET_STORE: 'file' },
  };
}

/**
 * One cash sale through the window; the basket holds a water already when
 * `primed`. Returns null, or what the window said instead of the receipt.
 */
async function sale(driver, primed) {
  if (!primed) await driver.findElement(byTestId('article-51')).click();
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  const outcome = await driver.wait(async () => {
    if ((await driver.findElements(byTestId('receipt'))).length) return 'receipt';
    const banner = await driver.findElements(byTestId('error'));
    return banner.length ? `error: ${await banner[0].getText()}` : false;
  }, 30000, 'neither a receipt nor an error within 30 s');
  if (outcome !== 'receipt') return outcome;
  await driver.findElement(byTestId('new-sale')).click();
  await waitForText(driver, 'basket-total', '0,00 €', 30000);
  return null;
}

/**
 * `count` cash sales tapped by the page itself (a pointerdown and a click on
 * each button, as a finger gives), in one WebDriver command. Returns null, or
 * what the window said instead of the receipt.
 */
async function pageSales(driver, count, primed) {
  return driver.executeAsyncScript(
    `const [count, primed, done] = arguments;
    const q = (id) => document.querySelector('[data-testid="' + id + '"]');
    const until = async (f) => {
      for (const t0 = Date.now(); !f(); await new Promise((r) => setTimeout(r, 5)))
        if (Date.now() - t0 > 30000) throw new Error('waited 30 s for ' + f);
      return f();
    };
    const tap = async (id) => {
      const el = await until(() => { const e = q(id); return e && !e.disabled && e; });
      el.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
      el.click();
    };
    (async () => {
      for (let i = 0; i < count; i++) {
        if (i > 0 || !primed) await tap('article-51');
        await until(() => q('basket-total')?.textContent === '0,99 €');
        await tap('pay-cash');
        await tap('pay-exact');
        await until(() => q('receipt') || q('error'));
        if (!q('receipt')) return done('error: ' + q('error').textContent);
        await tap('new-sale');
        await until(() => q('basket-total')?.textContent === '0,00 €');
      }
      done(null);
    })().catch((e) => done(String(e)));`,
    count,
    primed,
  );
}

/**
 * The floor of any app on this web view: Debian's MiniBrowser (WebKitGTK's
 * own test browser, package libwebkit2gtk-4.1-0) showing a page of two
 * buttons, with the settings the app sets for itself (src-tauri/src/footprint.rs),
 * measured like the app once it has stood idle (BENCH_SETTLE_MS). Null where it is missing.
 */
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
async function bareWindow() {
  if (!existsSync(MINIBROWSER)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'smart-till-bare-'));
  const page = join(dir, 'page.html');
  writeFileSync(page, '<!doctype html><meta charset="utf-8"><title>bare</title><button>Bar</button><button>Karte</button>');
  const proc = spawn(MINIBROWSER, [`file://${page}`], {
    env: {
      ...process.env,
      WEBKIT_DISABLE_COMPOSITING_MODE: '1',
      WEBKIT_DISABLE_DMABUF_RENDERER: '1',
      GDK_GL: 'disable',
      JSC_useJIT: 'false',
      MALLOC_ARENA_MAX: '2',
    },
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
  try {
    // Its web and network processes start with the page.
    for (let i = 0; i < 100 && descendants(processTable(), proc.pid).length < 2; i++) await sleep(100);
    await sleep(Math.max(3000, SETTLE_MS));
    const table = processTable();
    const self = table.find((p) => p.pid === proc.pid);
    if (!self) return null;
    // Read while it runs: `where` walks its mappings.
    const m = memoryOf([self, ...descendants(table, proc.pid)]);
    return { ...m, where: breakdown(m.pids) };
  } finally {
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`sales driven by: ${DRIVE === 'page' ? 'the page itself, 100 per WebDriver command' : 'WebDriver, one command per tap'}`);
console.log(`memory sampled after the till stood idle ${SETTLE_MS} ms (BENCH_SETTLE_MS)`);
console.log(`provider: ${PROVIDER === 'standalone' ? 'the simulator binary on loopback (till set to "testing")' : 'the built-in simulator (demo mode)'}`);

// 1. Launch to an interactive sale screen, warm: a first start (a new data
// folder: the demo shop is set up, with its two cashiers' PIN hashes) and a
// day's start (the same folder again, as a till starts every morning).
const launchTimes = async (keptDir) => {
  const times = [];
  for (let i = 0; i <= LAUNCHES; i++) {
    const app = await launch(keptDir);
    if (i > 0) times.push(app.launchMs);
    await app.stop();
  }
  return times;
};
const fmtLaunch = (times) =>
  `median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`;
if (LAUNCHES > 0) {
  const first = await launchTimes(null);
  const kept = mkdtempSync(join(tmpdir(), 'smart-till-bench-kept-'));
  try {
    const daily = await launchTimes(kept);
    console.log(
      `launch to interactive sale screen (warm, ${LAUNCHES} launches each; target < 1000 ms): ` +
        `first start in a new data folder ${fmtLaunch(first)}; a day's start in the same folder ${fmtLaunch(daily)}`,
    );
  } finally {
    rmSync(kept, { recursive: true, force: true });
  }
}

// 2. The bare window in the same run; memory after start and after SALES sales; 3. the soak.
const bare = await bareWindow();
if (bare) {
  console.log(`bare WebKitGTK window (MiniBrowser, a page of two buttons, the app's settings): ${fmtMem(bare)}`);
  console.log(`  where it lies: ${bare.where}`);
} else {
  console.log(`bare WebKitGTK window: ${MINIBROWSER} not found, not measured`);
}
const beyond = (m) => (bare ? `; ${(m.totalMb - bare.totalMb).toFixed(1)} MB beyond the bare window (target <= 40 MB)` : '');
const app = await launch();
try {
  await sleep(Math.max(2000, SETTLE_MS));
  const atStart = memory(app.pid);
  console.log(`memory after start: ${fmtMem(atStart)}${beyond(atStart)}; ${await domNodes(app.driver)} elements in the page`);
  console.log(`  where it lies: ${breakdown(atStart.pids)}`);
  const total = Math.max(SALES, SOAK);
  const t0 = performance.now();
  let peak = atStart.totalMb;
  const failures = [];
  const samples = [];
  let idleMs = 0;
  if (DRIVE === 'page') await app.driver.manage().setTimeouts({ script: 600000 });
  // The sales between two samples: one at a time through WebDriver, or up to 100 by the page.
  const isSample = (n) => (SOAK > 0 && n % EVERY === 0) || n === SALES;
  for (let n = 0; n < total; ) {
    let k = 1;
    if (DRIVE === 'page') while (k < 100 && n + k < total && !isSample(n + k)) k++;
    const failed = DRIVE === 'page' ? await pageSales(app.driver, k, n === 0) : await sale(app.driver, n === 0);
    n += k;
    if (failed) {
      // Counted and shown; the soak goes on from a reloaded window.
      failures.push(n);
      console.log(`sale ${n} failed: ${failed}`);
      await app.driver.navigate().refresh();
      await app.driver.wait(until.elementLocated(byTestId('article-51')), 30000);
    }
    if (!isSample(n)) continue;
    // Measured between two customers, not in the middle of a burst of sales.
    const settled = performance.now();
    await sleep(SETTLE_MS);
    idleMs += performance.now() - settled;
    const m = memory(app.pid);
    peak = Math.max(peak, m.totalMb);
    samples.push({ n, m });
    const rate = (performance.now() - t0 - idleMs) / n;
    console.log(
      `memory after ${n} sales: ${fmtMem(m)}${beyond(m)}; ${rate.toFixed(0)} ms per sale through the UI; ` +
        `${await domNodes(app.driver)} elements in the page`,
    );
    if (n === SALES) console.log(`  where it lies: ${breakdown(m.pids)}`);
  }
  if (samples.length >= 2) {
    // The growth per 1,000 sales from the first sample on (the simulators fill up to 1,000 transactions first).
    const [a, b] = [samples[0], samples[samples.length - 1]];
    const per = (f) => ((f(b.m) - f(a.m)) * 1000) / (b.n - a.n);
    const appAnon = (m) => (m.parts.find((p) => p.comm === 'smart-till')?.anonKb ?? 0) / 1024;
    console.log(
      `growth from ${a.n} to ${b.n} sales, per 1,000 sales: the app process ${per(appAnon).toFixed(2)} MB anonymous ` +
        `(target < 0.2); the whole app ${per((m) => m.totalMb).toFixed(2)} MB, ${per((m) => m.anonMb).toFixed(2)} MB of it anonymous`,
    );
  }
  const journal = PROVIDER === 'standalone' ? 'journal-testing.sqlite3' : 'journal.sqlite3';
  const [{ n: sold, signed }] = queryJournal(
    app.dataDir,
    "SELECT count(*) AS n, coalesce(sum(json_extract(body, '$.tse.status') = 'signed'), 0) AS signed FROM entries WHERE kind = 'sale'",
    journal,
  );
  console.log(
    `journal: ${sold} sales of ${total} attempted, ${signed} of them signed by the TSE; ${failures.length} failed in the window` +
      `${failures.length ? ` (sales ${failures.join(', ')})` : ''}; peak memory ${peak.toFixed(1)} MB (target < 200 MB)`,
  );
} finally {
  await app.stop();
}
