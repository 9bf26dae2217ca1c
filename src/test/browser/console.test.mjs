// Browser test of the Switchboard console (src/main/webapp) against a running server,
// with a real headless Chromium driven by playwright-core.
//
//   BASE_URL        the console's URL, e.g. http://127.0.0.1:8080/ (or .../switchboard/)
//   TOKEN           a JWT with sub "dev" and roles publisher + admin
//   CHROMIUM        the browser binary (default /usr/bin/chromium)
//   SCREENSHOT_DIR  where console.png (after the incoming call of test a) goes (default: the project's target/ folder)
//
// Every wait is Playwright's auto-waiting (locator.waitFor with a timeout); no fixed sleeps.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BASE_URL = withSlash(process.env.BASE_URL || 'http://127.0.0.1:8080/');
const TOKEN = process.env.TOKEN || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || path.join(HERE, '..', '..', '..', 'target'));
const WAIT = 15_000;
const CHROME_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** The one time format of the page: HH:MM:SS.mmm. */
const CLOCK = /^\s*\d{2}:\d{2}:\d{2}\.\d{3}\s*$/;

function withSlash(u) { return u.endsWith('/') ? u : `${u}/`; }
function rand() { return randomBytes(4).toString('hex'); }
function exact(s) { return new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`); }

/** An HTTP API call from "the backend" (node), authenticated with TOKEN. */
async function api(method, relPath, body) {
  const res = await fetch(new URL(relPath, BASE_URL), {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, text, json };
}

/** What the page shows right now, for failure messages. */
async function pageState(page) {
  return page.evaluate(() => {
    const t = (id) => document.getElementById(id)?.textContent?.trim();
    const log = [...document.querySelectorAll('#log > li')].slice(0, 8)
      .map((li) => li.textContent.replace(/\s+/g, ' ').trim().slice(0, 200));
    return {
      state: t('conn-state'), detail: t('conn-detail'), refusal: t('refusal'),
      incoming: [...document.querySelectorAll('#incoming-list > li')].slice(0, 5)
        .map((li) => li.textContent.replace(/\s+/g, ' ').trim().slice(0, 200)), channels: t('channels-status'), nodes: t('nodes-status'), log,
    };
  }).catch((e) => `(page state unavailable: ${e.message})`);
}

/** Waits until the locator is visible; on timeout fails with what the page shows. */
async function see(page, locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (e) {
    const state = await pageState(page);
    throw new Error(`the page does not show ${what} within ${timeout} ms\n` +
      `page state: ${JSON.stringify(state, null, 2)}\n${e.message.split('\n')[0]}`);
  }
}

describe('Switchboard console in headless Chromium', () => {
  let context;
  let userDataDir;
  const pageErrors = [];
  let page1;
  let newsTopic; // subscribed in test b
  const channelId = `browser-${rand()}`;

  async function openConsole() {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const res = await page.goto(BASE_URL, { waitUntil: 'load' });
    assert.ok(res && res.ok(), `GET ${BASE_URL} -> ${res && res.status()}`);
    await see(page, page.locator('#conn-state', { hasText: 'not connected' }), 'the idle connection state');
    return page;
  }

  async function connect(page, token, channel) {
    await page.locator('#token').fill(token);
    await page.locator('#channel-id').fill(channel);
    await page.locator('#connect-btn').click();
  }

  async function subscribe(page, topic) {
    await page.locator('#sub-topic').fill(topic);
    await page.locator('#subscribe-btn').click();
    await see(page, page.locator(`#subs-body tr[data-state="subscribed"]`).filter({ hasText: topic }),
      `topic ${topic} as subscribed`);
  }

  before(async () => {
    assert.ok(TOKEN, 'set TOKEN to a JWT with sub "dev" and roles publisher + admin');
    userDataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROME_ARGS,
      viewport: { width: 1440, height: 1000 },
    });
  });

  after(async () => {
    await context?.close().catch(() => {});
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  });

  test('a. connect, see the welcome, and a backend push pops up in Incoming', { timeout: 60_000 }, async () => {
    page1 = await openConsole();
    await connect(page1, TOKEN, channelId);
    await see(page1, page1.locator('#conn-state', { hasText: exact('open') }), 'state "open"');
    await see(page1, page1.locator('#welcome-user', { hasText: exact('dev') }), 'the welcome user "dev"');
    await see(page1, page1.locator('#welcome-channel-id', { hasText: exact(channelId) }), 'the welcome channelId');
    const sessionId = (await page1.locator('#welcome-session-id').textContent()).trim();
    assert.ok(sessionId && sessionId !== '\u2013', 'the welcome sessionId is shown');

    const res = await api('POST', `api/v1/channels/${channelId}/messages`,
      { data: { caller: '+49 30 1234', queue: 'support' } });
    assert.equal(res.status, 202, `POST channel message: ${res.status} ${res.text}`);

    const item = page1.locator('#incoming-list > li.incoming-item').first();
    await see(page1, item.locator('.incoming-data', { hasText: '+49 30 1234' }), 'the caller in Incoming');
    await see(page1, item.locator('.incoming-data', { hasText: 'support' }), 'the queue in Incoming');
    await see(page1, item.locator('.incoming-source', { hasText: `channel ${channelId}` }), 'where it came from');
    await see(page1, item.locator('time.incoming-time', { hasText: CLOCK }), 'the arrival time as HH:MM:SS.mmm');
  });

  test('b. a topic message published by the backend shows in the log with topic and offset 1', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    const topic = `news-${rand()}`;
    newsTopic = topic;
    await subscribe(page1, topic);

    const res = await api('POST', `api/v1/topics/${topic}/messages`, { data: 'breaking' });
    assert.equal(res.status, 202, `POST topic message: ${res.status} ${res.text}`);

    const entry = page1.locator('#log li.frame-message.dir-in')
      .filter({ hasText: 'breaking' })
      .filter({ hasText: `"topic": "${topic}"` })
      .filter({ hasText: /"offset": 1(?![0-9])/ });
    await see(page1, entry, 'the message frame with "breaking", its topic and offset 1');
    await see(page1, page1.locator(`#subs-body tr[data-topic="${topic}"] .sub-offset`, { hasText: exact('1') }),
      'offset 1 in the subscriptions table');
  });

  test('c. send "hello" to the echo handler and see "reply: hello"', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    await subscribe(page1, 'echo');
    await page1.locator('#send-to').fill('echo');
    await page1.locator('#send-data').fill('hello');
    await page1.locator('#send-btn').click();
    await see(page1, page1.locator('#log li.dir-out.frame-send', { hasText: '"data": "hello"' }), 'the sent frame in the log');
    await see(page1, page1.locator('#incoming-list .incoming-data', { hasText: 'reply: hello' }), '"reply: hello" in Incoming');
    await see(page1, page1.locator('#log li.frame-message', { hasText: 'reply: hello' }), '"reply: hello" in the log');
  });

  test('d. the Open channels panel lists the connected channel', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    await page1.locator('#channels-refresh-btn').click();
    const row = page1.locator(`#channels-body tr[data-channel-id="${channelId}"]`);
    await see(page1, row, `a row for ${channelId}`);
    await see(page1, row.locator('.ch-user', { hasText: exact('dev') }), 'user "dev" in that row');
  });

  test('e. a second page on the same channel shows the 409 refusal and the server message', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    const page2 = await openConsole();
    try {
      await connect(page2, TOKEN, channelId);
      await see(page2, page2.locator('#refusal-status', { hasText: exact('409') }), 'status 409');
      await see(page2, page2.locator('#conn-state', { hasText: 'refused 409' }), 'state "refused 409"');
      const shown = (await page2.locator('#refusal-message').textContent()).trim();
      assert.ok(shown && shown !== 'handshake refused (see server log)', `the server's message is shown: "${shown}"`);

      // The same refusal as a backend sees it: the page must show the server's own message.
      const url = new URL('ws/channel', BASE_URL);
      url.search = `token=${encodeURIComponent(TOKEN)}&channelId=${encodeURIComponent(channelId)}`;
      const res = await fetch(url);
      const body = await res.json().catch(() => null);
      if (res.status === 409 && body && typeof body.message === 'string') {
        assert.equal(shown, body.message.trim());
      }
      // The first session is untouched (policy "reject").
      await see(page1, page1.locator('#conn-state', { hasText: exact('open') }), 'page 1 still open');
    } finally {
      await page2.close();
    }
  });

  test('f. a bad token shows 401', { timeout: 60_000 }, async () => {
    const page3 = await openConsole();
    try {
      const [header, payload, signature] = TOKEN.split('.');
      const forged = `${header}.${payload}.${'A'.repeat((signature || 'x').length)}`;
      await connect(page3, forged, `browser-${rand()}`);
      await see(page3, page3.locator('#refusal-status', { hasText: exact('401') }), 'status 401');
      await see(page3, page3.locator('#conn-state', { hasText: 'refused 401' }), 'state "refused 401"');
      const shown = (await page3.locator('#refusal-message').textContent()).trim();
      assert.ok(shown.length > 0, 'a message is shown');
    } finally {
      await page3.close();
    }
  });

  test('g. the Nodes panel lists the single dev node, with this page\'s session counted', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    await see(page1, page1.locator('#conn-state', { hasText: exact('open') }), 'page 1 still open');
    await page1.locator('#nodes-refresh-btn').click();
    // Wait for a row counting a session: a row loaded before the welcome could still show 0.
    const counted = page1.locator('#nodes-body tr[data-node-id] .node-sessions', { hasText: /^\s*[1-9][0-9]*\s*$/ });
    await see(page1, counted, 'a node with at least one session');
    await see(page1, page1.locator('#nodes-status', { hasText: /^1 node \u00b7 updated / }), 'the status "1 node"');
    const rows = await page1.locator('#nodes-body tr').evaluateAll((trs) => trs.map((tr) => ({
      node: tr.dataset.nodeId, sessions: tr.querySelector('.node-sessions')?.textContent.trim(),
    })));
    assert.equal(rows.length, 1, `exactly one node row: ${JSON.stringify(rows)}`);
    assert.ok(rows[0].node, `the row names its node: ${JSON.stringify(rows)}`);
    assert.ok(Number(rows[0].sessions) >= 1, `sessions >= 1: ${JSON.stringify(rows)}`);
  });

  test('h. an operator\'s disconnect (4000) shows the close, and the console does not reconnect', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    await see(page1, page1.locator('#conn-state', { hasText: exact('open') }), 'page 1 still open');
    const res = await api('DELETE', `api/v1/channels/${channelId}`);
    assert.ok(res.status >= 200 && res.status < 300, `DELETE channel: ${res.status} ${res.text}`);
    await see(page1, page1.locator('#conn-state[data-state="closed"]', { hasText: /^\s*closed 4000/ }), 'state "closed 4000"');
    await see(page1, page1.locator('#log li.dir-sys', { hasText: '(not reconnecting)' }), 'the close in the log, not reconnecting');
    assert.equal(await page1.locator('#log li.dir-sys', { hasText: 'reconnecting in' }).count(), 0, 'no reconnect scheduled');
  });

  test('i. Connect again: the subscriptions come back, resumed, with what was published meanwhile', { timeout: 60_000 }, async () => {
    assert.ok(page1 && newsTopic, 'needs the page from test a and the topic of test b');
    await see(page1, page1.locator(`#subs-body tr[data-topic="${newsTopic}"][data-state="inactive"]`), 'the topic as inactive');
    const res = await api('POST', `api/v1/topics/${newsTopic}/messages`, { data: 'while away' });
    assert.equal(res.status, 202, `POST topic message: ${res.status} ${res.text}`);

    await page1.locator('#connect-btn').click();
    await see(page1, page1.locator('#conn-state', { hasText: exact('open') }), 'state "open" again');
    await see(page1, page1.locator('#log li.dir-out.frame-subscribe', { hasText: '"since"' }).filter({ hasText: newsTopic }),
      'the subscribe with "since" in the log');
    await see(page1, page1.locator('#log li.frame-message.dir-in').filter({ hasText: 'while away' })
      .filter({ hasText: /"offset": 2(?![0-9])/ }), 'the message published while away, offset 2');
    await see(page1, page1.locator(`#subs-body tr[data-topic="${newsTopic}"][data-state="subscribed"] .sub-offset`, { hasText: exact('2') }),
      'the topic subscribed again at offset 2');
  });

  test('j. several pushes stay in Incoming as a list, newest first', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    await see(page1, page1.locator('#conn-state', { hasText: exact('open') }), 'state "open"');
    const words = [`first-${rand()}`, `second-${rand()}`, `third-${rand()}`];
    for (const w of words) {
      const res = await api('POST', `api/v1/channels/${channelId}/messages`, { data: w });
      assert.equal(res.status, 202, `POST channel message: ${res.status} ${res.text}`);
    }
    await see(page1, page1.locator('#incoming-list > li').first().filter({ hasText: words[2] }), 'the last push on top');
    const texts = await page1.locator('#incoming-list > li .incoming-data').allTextContents();
    const at = words.map((w) => texts.findIndex((t) => t.includes(w)));
    assert.deepEqual(at, [2, 1, 0], `all three shown, newest first: ${JSON.stringify(texts.slice(0, 4))}`);
    await see(page1, page1.locator('#incoming-count', { hasText: /^\s*\d+ items\s*$/ }), 'the item count');

    // Dismissing one item leaves the others.
    await page1.locator('#incoming-list > li').first().locator('.incoming-item-dismiss').click();
    await see(page1, page1.locator('#incoming-list > li').first().filter({ hasText: words[1] }), 'the second push on top after a dismiss');
    assert.equal(await page1.locator('#incoming-list > li', { hasText: words[2] }).count(), 0, 'the dismissed item is gone');
  });

  test('k. a nested payload is shown as nested lists, every level readable and nothing cut off', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    const data = {
      caller: { name: 'Ada Lovelace', phones: ['+44 20 7946 0001', '+44 20 7946 0002'] },
      history: [{ at: '09:00', note: 'asked about the invoice' }, { at: '09:30', note: 'called back' }],
      meta: { route: { queue: { name: 'billing', priority: 2 } } },
      vip: true,
    };
    const res = await api('POST', `api/v1/channels/${channelId}/messages`, { data });
    assert.equal(res.status, 202, `POST channel message: ${res.status} ${res.text}`);
    const item = page1.locator('#incoming-list > li').first();
    await see(page1, item.filter({ hasText: 'Ada Lovelace' }), 'the nested caller name');
    for (const text of ['+44 20 7946 0002', 'called back', 'billing', 'priority']) {
      await see(page1, item.locator('.incoming-data dd, .incoming-data li, .incoming-data dt').filter({ hasText: text }), `"${text}"`);
    }
    const keys = await item.locator('.incoming-data dl.v-object > dt').allTextContents();
    assert.ok(['caller', 'name', 'phones', 'history', 'meta', 'queue', 'vip'].every((k) => keys.includes(k)), `keys as labels: ${keys}`);
    assert.equal(await item.locator('.incoming-data pre').count(), 0, 'no raw JSON block');
    const clipped = await item.locator('.incoming-data').evaluate((e) => e.scrollHeight > e.clientHeight + 1);
    assert.equal(clipped, false, 'the payload is not cut off');

    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page1.screenshot({ path: path.join(SCREENSHOT_DIR, 'console.png'), fullPage: true, animations: 'disabled' });
  });

  test('l. the frame log is compact (one line per frame, opened with the keyboard) and the filter works', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    assert.ok(await page1.locator('#log-compact').isChecked(), 'compact by default');
    const message = page1.locator('#log > li.frame-message', { hasText: 'Ada Lovelace' }).first();
    await see(page1, message.locator('.entry-line', { hasText: 'Ada Lovelace' }), 'the message on one line');
    assert.equal(await message.locator('details').getAttribute('open'), null, 'closed to one line');
    const lineHeight = await message.evaluate((li) => li.getBoundingClientRect().height);
    assert.ok(lineHeight < 40, `one line high: ${lineHeight}px`);

    await message.locator('summary').focus();
    await page1.keyboard.press('Enter');
    await see(page1, message.locator('pre.entry-body', { hasText: '"name": "Ada Lovelace"' }), 'the frame opened by Enter');

    const total = await page1.locator('#log > li').count();
    await page1.locator('#log-filter').fill('lovelace');
    await see(page1, page1.locator('#log-count', { hasText: new RegExp(`^\\s*\\d+ of ${total} entries\\s*$`) }), 'the count of shown entries');
    const shown = await page1.locator('#log > li:not([hidden])').allTextContents();
    assert.ok(shown.length >= 1 && shown.length < total, `some entries shown: ${shown.length} of ${total}`);
    assert.ok(shown.every((t) => t.toLowerCase().includes('lovelace')), 'only matching entries are shown');

    await page1.locator('#log-filter').fill('');
    await see(page1, page1.locator('#log-count', { hasText: exact(`${total} entries`) }), 'every entry again');
  });

  test('m. one time format everywhere, and a favicon', { timeout: 60_000 }, async () => {
    assert.ok(page1, 'needs the page from test a');
    await page1.locator('#channels-refresh-btn').click();
    await see(page1, page1.locator('#channels-status', { hasText: /updated \d{2}:\d{2}:\d{2}\.\d{3}/ }), 'the update time as HH:MM:SS.mmm');
    const times = await page1.locator('time').allTextContents();
    assert.ok(times.length > 3, 'times are shown');
    const odd = times.filter((t) => !/^\s*(\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2}\.\d{3}\s*$/.test(t));
    assert.deepEqual(odd, [], 'every time is HH:MM:SS.mmm (with the date when not today)');

    const href = await page1.locator('link[rel="icon"]').getAttribute('href');
    const icon = await fetch(new URL(href, BASE_URL));
    assert.equal(icon.status, 200, `GET ${href}`);
    assert.match(icon.headers.get('content-type') || '', /^image\//);
  });

  test('no script errors on the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
