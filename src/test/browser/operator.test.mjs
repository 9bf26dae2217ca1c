// The operator view (src/main/webapp/operator.html) and the client page's reconnect, in headless
// Chromium, against a standalone server of this suite's own (own-server.mjs): its secret mints
// tokens for any user, its inbox holds 2 messages per user (so a third push to an offline user
// makes a dead letter, "inbox full"), and it is restarted on the same port at the end.
//
//   JAR             the standalone jar (default: the project's target/switchboard-standalone.jar)
//   CHROMIUM        the browser binary (default /usr/bin/chromium)
//   SCREENSHOT_DIR  where operator.png goes (default: the project's target/ folder)
//
// Every wait is for something the page shows (Playwright's waits); no fixed sleeps.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { OwnServer } from './own-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || path.join(HERE, '..', '..', '..', 'target'));
const WAIT = 15_000;
const CHROME_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function rand() { return randomBytes(4).toString('hex'); }
function exact(s) { return new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`); }

/** Waits until the locator is visible; on timeout fails with what `page` shows. */
async function see(page, locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (e) {
    const state = await page.evaluate(() => ({
      title: document.title,
      status: [...document.querySelectorAll('[id$="-status"], #op-state, #conn-state, #conn-detail')]
        .map((x) => `${x.id}: ${x.textContent.trim()}`),
      incoming: [...document.querySelectorAll('#incoming-list > li')].slice(0, 5).map((li) => li.textContent.replace(/\s+/g, ' ').trim()),
      log: [...document.querySelectorAll('#log > li')].slice(0, 8).map((li) => li.textContent.replace(/\s+/g, ' ').trim().slice(0, 160)),
    })).catch((err) => `(page state unavailable: ${err.message})`);
    throw new Error(`the page does not show ${what} within ${timeout} ms\npage state: ${JSON.stringify(state, null, 2)}\n${e.message.split('\n')[0]}`);
  }
}

/** The number a chart shows as its latest total. */
function chartValue(page, key) {
  return page.locator(`#charts figure[data-chart="${key}"] .chart-value`).getAttribute('data-value').then(Number);
}

describe('the operator view and the client page in headless Chromium, on a server of their own', () => {
  let server;
  let context;
  let userDataDir;
  let operator;
  let client;
  const pageErrors = [];
  const user = `agent-${rand()}`;
  const channelId = `desk-${rand()}`;
  const topic = `news-${rand()}`;

  async function openPage(relPath) {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${relPath}: ${err.message}`));
    const res = await page.goto(new URL(relPath, server.url).href, { waitUntil: 'load' });
    assert.ok(res?.ok(), `GET ${relPath} -> ${res?.status()}`);
    return page;
  }

  before(async () => {
    server = await OwnServer.start('browser-operator', { 'inbox.size': 2 });
    userDataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: CHROME_ARGS, viewport: { width: 1440, height: 1000 },
    });
  });

  after(async () => {
    await context?.close().catch(() => {});
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    await server?.stop();
  });

  test('a. a wrong key is refused; the API key, typed and submitted with Enter, signs in', { timeout: 60_000 }, async () => {
    operator = await openPage('operator.html');
    await see(operator, operator.locator('#op-state', { hasText: exact('signed out') }), 'signed out');
    assert.equal(await operator.evaluate(() => document.activeElement?.id), 'api-key', 'the key field has the focus');

    await operator.keyboard.type('not-the-key');
    await operator.keyboard.press('Enter');
    await see(operator, operator.locator('#signin-status', { hasText: /401/ }), 'the 401 refusal');
    assert.equal(await operator.locator('#dashboard').isVisible(), false, 'no dashboard without a valid key');

    await operator.locator('#api-key').fill(server.apiKey);
    await operator.locator('#api-key').press('Enter');
    await see(operator, operator.locator('#op-state', { hasText: exact('signed in') }), 'signed in');
    await see(operator, operator.locator('#stats-body tr[data-node-id] .node-sessions', { hasText: exact('0') }), 'the node with 0 sessions');
    await see(operator, operator.locator('#live-status', { hasText: /updated \d{2}:\d{2}:\d{2}\.\d{3}/ }), 'the live update time');
  });

  test('b. the sessions chart and the lists show a client page that connects', { timeout: 60_000 }, async () => {
    assert.ok(operator, 'needs the operator page of test a');
    const before = await chartValue(operator, 'sessions');
    client = await openPage('./');
    await client.locator('#token').fill(server.token(user));
    await client.locator('#channel-id').fill(channelId);
    await client.locator('#channel-id').press('Enter'); // Enter submits the connect form
    await see(client, client.locator('#conn-state', { hasText: exact('open') }), 'the client page open');
    await client.locator('#sub-topic').fill(topic);
    await client.locator('#sub-topic').press('Enter');
    await see(client, client.locator(`#subs-body tr[data-topic="${topic}"][data-state="subscribed"]`), 'the topic subscribed');

    await operator.waitForFunction((b) => Number(document.querySelector('#charts figure[data-chart="sessions"] .chart-value')?.dataset.value) > b,
      before, { timeout: WAIT, polling: 100 });
    assert.ok(await operator.locator('#charts figure[data-chart="sessions"] svg polyline').count() >= 1, 'a line is drawn');
    await see(operator, operator.locator(`#op-channels-body tr[data-channel-id="${channelId}"] .ch-user`, { hasText: exact(user) }), 'the channel with its user');
    await see(operator, operator.locator(`#users-body tr[data-user="${user}"] .user-count`, { hasText: exact('1') }), 'the user online with 1 channel');

    // Listed by the server (GET api/v1/topics) before anyone watches it; watching names its users.
    await see(operator, operator.locator(`#topics-body tr[data-topic="${topic}"] .topic-subscribers`, { hasText: exact('1') }), 'the followed topic listed with 1 subscriber');
    await operator.locator('#topic-watch').fill(topic);
    await operator.locator('#topic-watch').press('Enter');
    await see(operator, operator.locator(`#topics-body tr[data-topic="${topic}"] .topic-subscribers`, { hasText: exact('1') }), 'the topic with 1 subscriber');
    await see(operator, operator.locator(`#topics-body tr[data-topic="${topic}"] .topic-users`, { hasText: user }), 'the subscriber named');
  });

  test('c. a push to the user from the operator view pops up on the client page', { timeout: 60_000 }, async () => {
    assert.ok(operator && client, 'needs the pages of tests a and b');
    await operator.locator(`#users-body tr[data-user="${user}"] .user-push`).click();
    assert.equal(await operator.locator('#push-kind-user').isChecked(), true, 'the user is chosen as target');
    assert.equal(await operator.locator('#push-target').inputValue(), user);
    assert.equal(await operator.evaluate(() => document.activeElement?.id), 'push-data', 'the focus is on the data');
    await operator.keyboard.type('{"caller": {"name": "Grace Hopper", "queue": "support"}}');
    await operator.keyboard.press('Control+Enter');
    await see(operator, operator.locator('#push-status', { hasText: /accepted .* 1 session/ }), 'the push accepted for 1 session');
    await see(client, client.locator('#incoming-list > li .incoming-data', { hasText: 'Grace Hopper' }), 'the push in the client page\'s Incoming');
    await see(client, client.locator('#incoming-list > li .incoming-source', { hasText: `user ${user}` }), 'the push marked as for the user');

    // A topic, a channel and everyone, from the same form.
    for (const [kind, target, text] of [['topic', topic, 'to the topic'], ['channel', channelId, 'to the channel'], ['everyone', '', 'to everyone']]) {
      await operator.locator(`#push-kind-${kind}`).check();
      if (target) await operator.locator('#push-target').fill(target);
      await operator.locator('#push-data').fill(text);
      await operator.locator('#push-btn').click();
      await see(client, client.locator('#incoming-list > li .incoming-data', { hasText: text }), `the push ${text} on the client page`);
    }
    const items = await client.locator('#incoming-list > li').count();
    assert.ok(items >= 4, `the four pushes are all listed: ${items}`);
  });

  test('d. the live charts draw messages in and out per second', { timeout: 60_000 }, async () => {
    assert.ok(operator && client, 'needs the pages of tests a and b');
    // Traffic until the "out" chart has drawn a rate above zero over several polls.
    let publishing = true;
    const publisher = async (p) => {
      for (let i = 0; publishing; i += 1) {
        const res = await server.api('POST', `api/v1/topics/${topic}/messages`, { data: { publisher: p, tick: i } });
        assert.equal(res.status, 202, res.text);
      }
    };
    const traffic = Promise.all([1, 2, 3, 4].map(publisher));
    try {
      await operator.waitForFunction(() => {
        const chart = (key) => document.querySelector(`#charts figure[data-chart="${key}"]`);
        const line = chart('out').querySelector('svg polyline');
        const value = (key) => Number(chart(key).querySelector('.chart-value')?.dataset.value);
        return line && line.points.length >= 10 && value('out') > 0 && value('in') > 0;
      }, null, { timeout: 30_000, polling: 200 });
      // While the traffic runs: the screenshot shows the rates as they are.
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await operator.evaluate(() => window.scrollTo(0, 0));
      await operator.screenshot({ path: path.join(SCREENSHOT_DIR, 'operator.png'), fullPage: true, animations: 'disabled' });
    } finally {
      publishing = false;
      await traffic;
    }
    await see(client, client.locator('#incoming-list > li .incoming-source', { hasText: `topic ${topic}` }), 'the topic traffic on the client page');
  });

  test('e. a user\'s inbox lists pending messages and dead letters', { timeout: 60_000 }, async () => {
    assert.ok(operator, 'needs the operator page of test a');
    const offline = `away-${rand()}`;
    for (const n of [1, 2, 3]) {
      const res = await server.api('POST', `api/v1/users/${offline}/messages`, { data: { call: n }, ack: true, destination: 'calls' });
      assert.equal(res.status, 202, res.text);
    }
    await operator.locator('#inbox-kind').selectOption('user');
    await operator.locator('#inbox-name').fill(offline);
    await operator.locator('#inbox-name').press('Enter');
    await see(operator, operator.locator('#inbox-status', { hasText: `user ${offline}: 2 pending, 1 dead letter` }), 'the inbox counts');
    const pending = operator.locator('#inbox-pending-body tr[data-id]');
    assert.equal(await pending.count(), 2);
    await see(operator, pending.locator('.inbox-second', { hasText: exact('calls') }), 'the destination of a pending message');
    await see(operator, pending.locator('.inbox-data', { hasText: '3' }), 'the newest message pending');
    const dead = operator.locator('#inbox-dead-body tr[data-id]');
    assert.equal(await dead.count(), 1);
    await see(operator, dead.locator('.inbox-second', { hasText: 'inbox full' }), 'the dead letter\'s reason');
    await see(operator, dead.locator('.inbox-data', { hasText: '1' }), 'the oldest message as the dead letter');
  });

  test('f. disconnecting a channel closes the client page with 4000', { timeout: 60_000 }, async () => {
    assert.ok(operator && client, 'needs the pages of tests a and b');
    const button = operator.locator(`#op-channels-body tr[data-channel-id="${channelId}"] .ch-disconnect`);
    await see(operator, button, 'the Disconnect button of the channel');
    await button.focus();
    await operator.keyboard.press('Enter');
    await see(operator, operator.locator('#op-channels-action', { hasText: `Disconnected channel ${channelId}` }), 'the disconnect confirmed');
    await see(client, client.locator('#conn-state[data-state="closed"]', { hasText: /^\s*closed 4000/ }), 'the client page closed with 4000');
    await operator.waitForFunction((id) => !document.querySelector(`#op-channels-body tr[data-channel-id="${id}"]`), channelId, { timeout: WAIT });
  });

  test('g. the client page reconnects by itself after a server restart and misses no message pushed meanwhile', { timeout: 120_000 }, async () => {
    assert.ok(client, 'needs the client page of test b');
    await client.locator('#connect-btn').click();
    await see(client, client.locator('#conn-state', { hasText: exact('open') }), 'the client page open again');
    await see(client, client.locator(`#subs-body tr[data-topic="${topic}"][data-state="subscribed"]`), 'the topic subscribed again');
    const marker = `before the restart ${rand()}`;
    assert.equal((await server.api('POST', `api/v1/channels/${channelId}/messages`, { data: marker })).status, 202);
    await see(client, client.locator('#incoming-list > li .incoming-data', { hasText: marker }), 'the push before the restart');

    server = await server.restart();
    // The server is back; the page is closed (1001) and reconnecting after its backoff. A push
    // with ack waits in the user's inbox until a session of the user takes it.
    const pushed = await server.api('POST', `api/v1/users/${user}/messages`, { data: 'while reconnecting', ack: true });
    assert.equal(pushed.status, 202, pushed.text);

    await see(client, client.locator('#log > li.dir-sys', { hasText: /closed 1001/ }), 'the 1001 close in the log', 30_000);
    await see(client, client.locator('#conn-state', { hasText: exact('open') }), 'the page open again by itself', 60_000);
    await see(client, client.locator('#incoming-list > li .incoming-data', { hasText: 'while reconnecting' }), 'the push made while it reconnected');
    // The subscription came back with "since"; the restarted server's history is new, which the page says.
    await see(client, client.locator('#log > li.dir-out.frame-subscribe', { hasText: '"since"' }).filter({ hasText: topic }), 'the resubscribe with "since"');
    await see(client, client.locator(`#subs-body tr[data-topic="${topic}"][data-state="subscribed"]`, { hasText: 'not recovered' }), 'the topic marked as not recovered');
    const published = await server.api('POST', `api/v1/topics/${topic}/messages`, { data: 'after the restart' });
    assert.equal(published.status, 202, published.text);
    await see(client, client.locator('#incoming-list > li .incoming-data', { hasText: 'after the restart' }), 'a topic message after the restart');
    await see(client, client.locator('#incoming-list > li .incoming-data', { hasText: marker }), 'the item from before the restart, still listed');

    // The operator view carries on by itself too.
    await see(operator, operator.locator(`#op-channels-body tr[data-channel-id="${channelId}"]`), 'the channel listed again', 30_000);
  });

  test('h. after a dev-mode server restarts, the client page is open again: by itself if the server kept its secret, else once the new DEV_TOKEN is pasted, as it says', { timeout: 240_000 }, async () => {
    // dev.secret.file: where a dev-mode server keeps its secret when it keeps one; a file of this
    // test's own, never the user's ~/.switchboard.
    const secretDir = await mkdtemp(path.join(tmpdir(), 'switchboard-dev-secret-'));
    let dev = await OwnServer.start('browser-dev-mode', { 'dev.secret.file': path.join(secretDir, 'dev-secret') }, { devMode: true });
    try {
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`dev mode: ${err.message}`));
      const desk = `desk-${rand()}`;
      await page.goto(`${dev.url}?token=${encodeURIComponent(dev.devToken)}&channelId=${desk}&connect=1`, { waitUntil: 'load' });
      await see(page, page.locator('#conn-state', { hasText: exact('open') }), 'the page open with the printed console URL');
      const firstSession = (await page.locator('#welcome-session-id').textContent()).trim();

      const oldToken = dev.devToken;
      dev = await dev.restart();
      // Whether the restarted server still accepts the old token depends on where dev mode keeps
      // its secret (a file kept across runs, or a new one per run); the page must handle both.
      const stillValid = (await fetch(new URL('api/v1/stats', dev.url), { headers: { Authorization: `Bearer ${oldToken}` } })).status === 200;
      if (stillValid) {
        await see(page, page.locator('#welcome-session-id').filter({ hasNotText: firstSession }), 'a new session, by itself', 60_000);
        await see(page, page.locator('#conn-state', { hasText: exact('open') }), 'the page open again');
      } else {
        await see(page, page.locator('#refusal-status', { hasText: exact('401') }), 'the 401 after the restart', 60_000);
        await see(page, page.locator('#refusal-explain', { hasText: 'DEV_TOKEN' }), 'the hint to paste the new DEV_TOKEN');
        await page.locator('#token').fill(dev.devToken);
        await page.locator('#token').press('Enter');
        await see(page, page.locator('#conn-state', { hasText: exact('open') }), 'the page open with the new token');
      }
      await page.close();
    } finally {
      await dev.stop();
      await rm(secretDir, { recursive: true, force: true });
    }
  });

  test('no script errors on the pages', () => {
    assert.deepEqual(pageErrors, []);
  });
});
