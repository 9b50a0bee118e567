// One till, one journal: a second start hands over to the running app. Logs hold no secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { until } from 'selenium-webdriver';
import { byTestId, freePort, launchApp, simulator, waitForShownWindows, waitForText } from './harness.mjs';

/** Another process on a loopback port that answers any request, as a WebDriver would. */
async function squatter(t) {
  const srv = createServer((_req, res) => res.end('{"value":{"ready":true}}'));
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => srv.close());
  return srv.address().port;
}

test('ports taken between picking and binding: tauri-driver starts again on others; the simulators report theirs', async (t) => {
  // The first start's driver port and the second start's native port are
  // taken (by servers that answer, so an answer proves nothing).
  const [driverTaken, nativeTaken] = [await squatter(t), await squatter(t)];
  const ports = [driverTaken, await freePort(), await freePort(), nativeTaken];
  const started = Date.now();
  const app = await launchApp(t, { ports });
  console.log(`# started on the third attempt in ${Date.now() - started} ms`);
  assert.equal(app.attempts, 3);
  assert.ok(![driverTaken, nativeTaken].includes(app.driverPort) && ![driverTaken, nativeTaken].includes(app.nativePort));
  await app.driver.findElement(byTestId('article-51')).click();
  await waitForText(app.driver, 'basket-total', '0,99 €', 5000);
  // The demo simulators listen where the app says.
  assert.match(app.demoUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok((await simulator(app.demoUrl, '/_sandbox/state')) !== null);
  const tss = await fetch(`${app.tseUrl}/_sandbox/state`);
  assert.ok(tss.ok, `the TSE simulator answers at ${app.tseUrl}`);
});

test('a second start of the app exits and leaves the running till in charge', async (t) => {
  const app = await launchApp(t);
  // The window opened hidden and showed when its page started loading: it is on
  // the screen by the time the sale screen answers (the fallback shows it only after 5 s).
  assert.equal((await waitForShownWindows('^Smart Till$')).length, 1, 'the till\'s window is shown');

  const second = spawn(process.env.SMART_TILL_BIN, [], {
    env: { ...process.env, SMART_TILL_DATA_DIR: app.dataDir, SMART_TILL_DEMO_PORT: '0' },
    stdio: 'ignore',
  });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      second.kill('SIGKILL');
      reject(new Error('the second instance kept running'));
    }, 30000);
    second.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0);

  // The first instance still sells, in its one window on the screen.
  assert.equal((await waitForShownWindows('^Smart Till$')).length, 1);
  await app.driver.findElement(byTestId('article-51')).click();
  await waitForText(app.driver, 'basket-total', '0,99 €', 5000);
});

test('the log file is written and holds no secret', async (t) => {
  const app = await launchApp(t);
  const { driver } = app;
  await driver.findElement(byTestId('article-2001')).click();
  await driver.findElement(byTestId('pay-cash')).click();
  await driver.findElement(byTestId('pay-exact')).click();
  await driver.wait(until.elementLocated(byTestId('receipt')), 20000);

  const logDir = join(app.dataDir, 'logs');
  let text = '';
  // The file writer flushes in the background: poll until the sale is logged.
  for (let i = 0; i < 50 && !/sale paid and journaled/.test(text); i++) {
    await new Promise((r) => setTimeout(r, 200));
    text = readdirSync(logDir)
      .filter((f) => f.startsWith('smart-till'))
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('');
  }
  assert.match(text, /Smart Till starting/);
  assert.match(text, /sale paid and journaled/);
  assert.doesNotMatch(text, /demo-secret/);
  assert.doesNotMatch(text, /Bearer /i);
});
