// A Spring-style page on Switchboard, in a real headless Chromium: the page of a Spring STOMP
// seed app (pages/spring-walkthrough/), served by "the application" from its own origin
// (http://127.0.0.1:APP_PORT), written as such pages are: `new SockJS(url)` as the
// @stomp/stompjs Client's webSocketFactory, and the signed-in user's JWT in CONNECT's
// `Authorization: Bearer` header (the application's backend hands it out at /token).
//
// The walk-through, three times: over WebSocket; in a browser without WebSocket, where SockJS
// falls back to xhr-streaming; and with `transports: ['xhr-polling']` forced. Each time the user
// sends "hello" and sees "reply: hello" (the echo handler, /app/echo -> /topic/echo), then the
// backend pushes an incoming call to that user (POST /api/v1/users/{user}/messages with
// destination "notifications", received on /user/queue/notifications) and the call pops up.
// Screenshots of the pop-up: popup.png (WebSocket) and popup-<transport>.png in SCREENSHOT_DIR.
//
// Settings: see support.mjs (BASE_URL, SECRET, API_KEY, APP_PORT, CHROMIUM, SCREENSHOT_DIR).
// Every wait is Playwright's auto-waiting on what the page shows, with a timeout.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  APP_ORIGIN, BASE_URL, SCREENSHOT_DIR, STOMPJS_BUNDLE, WAIT,
  apiAccepted, launchChromium, mintToken, requireSettings, startAppServer, unique,
} from './support.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = path.join(HERE, 'pages', 'spring-walkthrough');

const VARIANTS = [
  { name: 'over WebSocket', expected: 'websocket', screenshots: ['popup.png', 'popup-websocket.png'] },
  {
    name: 'in a browser without WebSocket, SockJS falls back to xhr-streaming', expected: 'xhr-streaming',
    withoutWebSocket: true, screenshots: ['popup-xhr-streaming.png'],
  },
  {
    name: "with transports: ['xhr-polling'] forced", expected: 'xhr-polling', transports: 'xhr-polling',
    screenshots: ['popup-xhr-polling.png'],
  },
];

function exact(s) { return new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`); }

/** What the page shows right now, for failure messages. */
async function pageState(page) {
  return page.evaluate(() => {
    const t = (id) => document.getElementById(id)?.textContent?.trim();
    return {
      status: t('status'), transport: t('transport'), greetings: t('greetings'),
      popupHidden: document.getElementById('call-popup')?.hidden, caller: t('caller-number'),
    };
  }).catch((e) => `(page state unavailable: ${e.message})`);
}

async function see(page, locator, what, consoleLog, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (e) {
    throw new Error(`the page does not show ${what} within ${timeout} ms\n` +
      `page state: ${JSON.stringify(await pageState(page), null, 2)}\n` +
      `console: ${JSON.stringify(consoleLog.slice(-10), null, 2)}\n${e.message.split('\n')[0]}`);
  }
}

describe('Spring-style STOMP page over SockJS in headless Chromium', () => {
  let browser;
  let app;

  before(async () => {
    requireSettings();
    const read = (name) => readFileSync(path.join(PAGE_DIR, name), 'utf8');
    app = await startAppServer({
      '/': { type: 'text/html; charset=utf-8', body: read('index.html').replaceAll('{{SWITCHBOARD_URL}}', BASE_URL) },
      '/app.js': { type: 'text/javascript; charset=utf-8', body: read('app.js') },
      '/main.css': { type: 'text/css; charset=utf-8', body: read('main.css') },
      '/stomp.umd.min.js': { type: 'text/javascript; charset=utf-8', body: STOMPJS_BUNDLE },
      // The application's backend: the signed-in user's token (here the user is named in the query).
      '/token': (url) => ({
        type: 'application/json',
        body: JSON.stringify({ token: mintToken(url.searchParams.get('user')) }),
      }),
      '/favicon.ico': { type: 'image/x-icon', body: '' },
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await app?.close();
  });

  for (const variant of VARIANTS) {
    test(`echo walk-through and call pop-up ${variant.name}`, { timeout: 90_000 }, async () => {
      const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
      const page = await context.newPage();
      const problems = [];
      const consoleLog = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (m) => {
        consoleLog.push(`${m.type()}: ${m.text()}`);
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
      try {
        if (variant.withoutWebSocket) {
          await page.addInitScript(() => { delete window.WebSocket; });
        }
        const agent = unique('agent');
        const query = new URLSearchParams({ user: agent });
        if (variant.transports) query.set('transports', variant.transports);
        const res = await page.goto(`${APP_ORIGIN}/?${query}`);
        assert.equal(res?.status(), 200, 'the application serves its page');
        if (variant.withoutWebSocket) {
          assert.equal(await page.evaluate(() => typeof window.WebSocket), 'undefined', 'no WebSocket in this browser');
        }

        // Connect, as the user does.
        await page.locator('#connect').click();
        await see(page, page.locator('#status', { hasText: exact('Connected') }), 'status "Connected"', consoleLog);
        await see(page, page.locator('#transport', { hasText: exact(variant.expected) }),
          `transport "${variant.expected}"`, consoleLog);

        // The echo walk-through.
        await page.locator('#name').fill('hello');
        await page.locator('#send').click();
        await see(page, page.locator('#greetings td', { hasText: exact('reply: hello') }), 'the greeting "reply: hello"', consoleLog);

        // The backend pushes an incoming call to this user; the pop-up shows the caller. The page
        // subscribed to /user/queue/notifications before it sent "hello", and a session's frames
        // are handled in order, so the reply above means that subscription is in place.
        const call = { caller: '+49 30 1234 5678', name: 'Zo\u00eb M\u00fcller', queue: 'Billing', since: new Date().toISOString() };
        const pushed = await apiAccepted('POST', `api/v1/users/${agent}/messages`, { data: call, destination: 'notifications' });
        assert.equal(pushed.sessions, 1, `the push reached the user's one session: ${JSON.stringify(pushed)}`);
        const popup = page.locator('#call-popup');
        await see(page, popup, 'the call pop-up', consoleLog);
        await see(page, popup.locator('#caller-number', { hasText: exact(call.caller) }), `the caller ${call.caller}`, consoleLog);
        await see(page, popup.locator('#caller-name', { hasText: exact(call.name) }), `the name ${call.name}`, consoleLog);
        await see(page, popup.locator('#call-queue', { hasText: exact(call.queue) }), `the queue ${call.queue}`, consoleLog);

        await mkdir(SCREENSHOT_DIR, { recursive: true });
        for (const name of variant.screenshots) {
          await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), animations: 'disabled' });
        }

        // Answering closes the pop-up; disconnecting shows "Disconnected".
        await page.locator('#answer').click();
        await popup.waitFor({ state: 'hidden', timeout: WAIT });
        await page.locator('#disconnect').click();
        await see(page, page.locator('#status', { hasText: exact('Disconnected') }), 'status "Disconnected"', consoleLog);
        assert.deepEqual(problems, [], 'no script or console errors');
      } finally {
        await context.close();
      }
    });
  }
});
