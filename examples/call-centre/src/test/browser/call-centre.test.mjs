// The call-centre example in headless Chromium, as agents and a supervisor use it: the built WAR
// on Payara Micro (started here with src/run/RunOnPayaraMicro.java, as mvn package -Prun does),
// or a running example at BASE_URL.
//
//   BASE_URL        a running example's root (default: start one from TARGET on a free port)
//   TARGET          the example's target/ folder with call-centre.war and payara-micro.jar
//                   (default: ../../../target; build it with mvn -f examples/call-centre/pom.xml package)
//   CHROMIUM        the browser binary (default /usr/bin/chromium)
//   SCREENSHOT_DIR  where call-centre.png goes (default: TARGET)
//
// Every wait is for something a page shows (no fixed sleeps). Names are unique per run, so the
// tests also pass against an example that already has agents.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLE = path.resolve(HERE, '..', '..', '..');
const TARGET = path.resolve(process.env.TARGET || path.join(EXAMPLE, 'target'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || TARGET);
const WAIT = 15_000;
const CHROME_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const RUN = randomBytes(3).toString('hex');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** The example on Payara Micro, started as a user starts it (the -Prun launcher). */
async function startExample() {
  for (const file of ['call-centre.war', 'payara-micro.jar']) {
    assert.ok(existsSync(path.join(TARGET, file)),
      `${file} is missing in ${TARGET}: build it with mvn -f examples/call-centre/pom.xml package`);
  }
  const port = await freePort();
  const started = Date.now();
  const child = spawn('java', [path.join(EXAMPLE, 'src', 'run', 'RunOnPayaraMicro.java'), TARGET, String(port), 'run-browser-test'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_JWT_SECRET: randomBytes(32).toString('base64url') } });
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start within 240 s:\n${output.slice(-4000)}`)), 240_000);
    const onData = (chunk) => {
      output += chunk;
      if (/^Call centre is running at /m.test(output)) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the example exited with ${code}:\n${output.slice(-4000)}`)); });
  });
  console.log(`# the example started on Payara Micro in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    url: `http://127.0.0.1:${port}/`,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Waits until the locator is visible; on timeout fails with what `page` shows. */
async function see(page, locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (e) {
    throw new Error(`${page.url()} does not show ${what} within ${timeout} ms\n${await pageState(page)}\n${e.message.split('\n')[0]}`);
  }
}

/** Waits until the locator is gone (detached or hidden). */
async function gone(page, locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout });
  } catch (e) {
    throw new Error(`${page.url()} still shows ${what} after ${timeout} ms\n${await pageState(page)}\n${e.message.split('\n')[0]}`);
  }
}

function pageState(page) {
  return page.evaluate(() => JSON.stringify({
    connection: document.getElementById('conn-state')?.textContent,
    status: document.getElementById('agent-status')?.textContent,
    notice: document.getElementById('notice')?.textContent,
    popup: document.getElementById('incoming-call') && !document.getElementById('incoming-call').hidden
      ? document.getElementById('incoming-call').textContent.replace(/\s+/g, ' ').trim() : null,
    queue: [...document.querySelectorAll('#queue > li')].map((li) => li.textContent.replace(/\s+/g, ' ').trim()),
    agents: [...document.querySelectorAll('#agents > tr, #team > li')].map((r) => r.textContent.replace(/\s+/g, ' ').trim()),
  }, null, 2)).catch((err) => `(page state unavailable: ${err.message})`);
}

describe('the call-centre example in headless Chromium', () => {
  let example;
  let baseUrl;
  let browser;
  const pageErrors = [];
  // Plain names on an example of the suite's own (they are in the screenshot); unique ones on a
  // shared one.
  const suffix = process.env.BASE_URL ? `-${RUN}` : '';
  const alice = `alice${suffix}`;
  const bob = `bob${suffix}`;
  const carol = `carol${suffix}`;
  const pages = {};

  async function open(relPath) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 640 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${relPath}: ${err.message}`));
    const res = await page.goto(new URL(relPath, baseUrl).href, { waitUntil: 'load' });
    assert.ok(res?.ok(), `GET ${relPath} -> ${res?.status()}`);
    return page;
  }

  /** An agent's desk, once the board counts the agent in (available, or ringing at once). */
  async function openDesk(name) {
    const page = await open(`agent.html?name=${name}`);
    await see(page, page.locator('#agent-status:not([data-status="OFFLINE"])'), `${name} signed in`);
    return page;
  }

  /** The telephony system rings: POST centre/calls. */
  async function ring(body) {
    const res = await fetch(new URL('centre/calls', baseUrl), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      signal: AbortSignal.timeout(WAIT),
    });
    const answer = await res.json();
    assert.equal(res.status, 201, `POST centre/calls answered ${res.status}: ${JSON.stringify(answer)}`);
    return answer;
  }

  function agentRow(name) { return pages.board.locator(`#agents > tr[data-agent="${name}"]`); }

  before(async () => {
    if (process.env.BASE_URL) {
      baseUrl = process.env.BASE_URL.endsWith('/') ? process.env.BASE_URL : `${process.env.BASE_URL}/`;
    } else {
      example = await startExample();
      baseUrl = example.url;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROME_ARGS });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await example?.stop();
  });

  test('a. a call pushed to an agent pops up at once; Accept connects it and a second agent sees it leave the queue',
    { timeout: 90_000 }, async () => {
      pages.board = await open(`board.html?name=sam${suffix}`);
      await see(pages.board, pages.board.locator('#conn-state[data-state="open"]'), 'the board connected');
      pages.alice = await openDesk(alice);
      pages.bob = await openDesk(bob);
      await see(pages.board, agentRow(alice).locator('.agent-status[data-status="AVAILABLE"]'), `${alice} available on the board`);

      const pushedAt = Date.now();
      const call = await ring({ caller: '+44 20 7946 0321', agent: alice });
      assert.equal(call.state, 'RINGING');
      assert.equal(call.agent, alice);
      const popup = pages.alice.locator(`#incoming-call[data-call-id="${call.id}"]`);
      await see(pages.alice, popup, 'the incoming call pop-up');
      console.log(`# ring to pop-up: ${Date.now() - pushedAt} ms (POST centre/calls, push, pop-up)`);
      assert.match(await popup.locator('#incoming-caller').textContent(), /\+44 20 7946 0321/);
      await see(pages.alice, pages.alice.locator('#agent-status[data-status="RINGING"]'), 'alice ringing');
      await see(pages.bob, pages.bob.locator(`#queue > li[data-call-id="${call.id}"][data-state="RINGING"]`), 'the call in bob\'s queue');
      await pages.alice.screenshot({ path: path.join(SCREENSHOT_DIR, 'call-centre.png') });

      await pages.alice.locator('#accept-btn').click();
      await gone(pages.alice, popup, 'the pop-up');
      await see(pages.alice, pages.alice.locator(`#current-call[data-call-id="${call.id}"]`), 'the call alice is on');
      await see(pages.alice, pages.alice.locator('#agent-status[data-status="ON_CALL"]'), 'alice on call');
      await gone(pages.bob, pages.bob.locator(`#queue > li[data-call-id="${call.id}"]`), 'the accepted call in bob\'s queue');
      await see(pages.board, agentRow(alice).locator('.agent-status[data-status="ON_CALL"]'), 'alice on call on the board');
    });

  test('b. Reject sends the call to the next free agent; one ringing for a tab that closes goes to the next agent who comes',
    { timeout: 90_000 }, async () => {
      assert.ok(pages.bob, 'needs the pages of test a');
      // alice is on a call: the first free agent is bob.
      const call = await ring({ caller: '+1 555 0100' });
      assert.equal(call.agent, bob);
      await see(pages.bob, pages.bob.locator(`#incoming-call[data-call-id="${call.id}"]`), 'the pop-up on bob\'s desk');
      await pages.bob.locator('#reject-btn').click();
      // Nobody else is free: it waits, and bob is never offered it again.
      await see(pages.bob, pages.bob.locator(`#queue > li[data-call-id="${call.id}"][data-state="WAITING"]`), 'the rejected call waiting');
      await gone(pages.bob, pages.bob.locator('#incoming-call'), 'the pop-up');

      pages.carol = await openDesk(carol);
      await see(pages.carol, pages.carol.locator(`#incoming-call[data-call-id="${call.id}"]`), 'the waiting call popping up for carol');

      // carol closes her tab while it rings: the call goes back to the queue, and to bob? No: he
      // rejected it. It waits until alice is free again.
      await pages.carol.context().close();
      await see(pages.board, agentRow(carol).locator('.agent-status[data-status="OFFLINE"]'), 'carol offline on the board');
      await see(pages.board, pages.board.locator(`#queue > li[data-call-id="${call.id}"][data-state="WAITING"]`), 'the call waiting again');
      await pages.alice.locator('#hangup-btn').click();
      await see(pages.alice, pages.alice.locator(`#incoming-call[data-call-id="${call.id}"]`), 'the call popping up for alice once she hung up');
      await pages.alice.locator('#accept-btn').click();
      await see(pages.alice, pages.alice.locator(`#current-call[data-call-id="${call.id}"]`), 'alice on that call');
      await pages.alice.locator('#hangup-btn').click();
      await see(pages.board, pages.board.locator('#queue > li.empty'), 'an empty queue once every call was answered');
    });

  test('c. the supervisor board shows an agent going offline when the tab closes, and back when it opens again',
    { timeout: 60_000 }, async () => {
      assert.ok(pages.bob, 'needs the pages of test a');
      await see(pages.board, agentRow(bob).locator('.agent-status[data-status="AVAILABLE"]'), 'bob available');
      const onlineBefore = await pages.board.locator('#online-count').textContent();
      await pages.bob.context().close();
      await see(pages.board, agentRow(bob).locator('.agent-status[data-status="OFFLINE"]'), 'bob offline');
      assert.notEqual(await pages.board.locator('#online-count').textContent(), onlineBefore);
      pages.bob = await openDesk(bob);
      await see(pages.board, agentRow(bob).locator('.agent-status[data-status="AVAILABLE"]'), 'bob available again');
      assert.deepEqual(pageErrors, [], 'no page threw');
    });
});
