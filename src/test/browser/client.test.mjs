// The JavaScript client (served at js/switchboard.js, source in clients/js) inside a real headless
// Chromium: imported by a page straight from the server, without a build step, as the README
// shows. The Node suites in clients/js/test cover its rules in depth; this proves the browser's
// own WebSocket and its fetch streaming (the SockJS fallback) work with it.
//
//   BASE_URL  the server's URL (context root); TOKEN  a JWT with sub "dev" and roles publisher + admin
//   CHROMIUM  the browser binary (default /usr/bin/chromium)

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080/').replace(/\/?$/, '/');
const TOKEN = process.env.TOKEN || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT = 15_000;

function rand() { return randomBytes(4).toString('hex'); }

async function publish(topic, data) {
  const res = await fetch(new URL(`api/v1/topics/${topic}/messages`, BASE_URL), {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ data }),
  });
  assert.equal(res.status, 202, await res.text());
}

describe('the JavaScript client in headless Chromium', () => {
  let browser;
  let userDataDir;
  let page;
  const pageErrors = [];

  before(async () => {
    assert.ok(TOKEN, 'set TOKEN to a JWT with sub "dev" and roles publisher + admin');
    userDataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // Any page of the server will do: the module is imported relative to it.
    const res = await page.goto(BASE_URL, { waitUntil: 'load' });
    assert.ok(res?.ok(), `GET ${BASE_URL}`);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  });

  /**
   * Connects a client in the page (refusing WebSocket if asked), subscribes to `topic` and keeps
   * what arrives in window.received[topic]. Returns the transport it connected with.
   */
  function connectInPage({ topic, refuseWebSocket }) {
    return page.evaluate(async ({ token, channelId, topic, refuseWebSocket, wait }) => {
      const { SwitchboardClient } = await import(new URL('js/switchboard.js', document.baseURI).href);
      /** What a page sees behind a proxy that strips Upgrade: a socket that closes with 1006. */
      class RefusedWebSocket {
        readyState = 0;
        constructor() { setTimeout(() => { this.readyState = 3; this.onclose?.({ code: 1006, reason: '' }); }, 0); }
        send() { throw new Error('not open'); }
        close() {}
      }
      // No url: the module knows the server it was loaded from.
      const client = new SwitchboardClient({ token, channelId, ...(refuseWebSocket ? { WebSocket: RefusedWebSocket } : {}) });
      window.clients = [...(window.clients ?? []), client];
      window.received ??= {};
      window.received[topic] = [];
      client.subscribe(topic, (m) => window.received[topic].push(m.data));
      await Promise.race([client.connect(), new Promise((_, reject) => setTimeout(() => reject(new Error('connect timed out')), wait))]);
      return client.transport;
    }, { token: TOKEN, channelId: `browser-client-${rand()}`, topic, refuseWebSocket: !!refuseWebSocket, wait: WAIT });
  }

  async function receivedInPage(topic, count) {
    await page.waitForFunction(([t, n]) => window.received[t].length >= n, [topic, count], { timeout: WAIT });
    return page.evaluate((t) => window.received[t], topic);
  }

  test('imported from the server without a build step, it connects over WebSocket and receives', async () => {
    const topic = `news-${rand()}`;
    assert.equal(await connectInPage({ topic }), 'websocket');
    await publish(topic, { headline: 'over WebSocket' });
    assert.deepEqual(await receivedInPage(topic, 1), [{ headline: 'over WebSocket' }]);
  });

  test('when WebSocket is refused it falls back to xhr-streaming over the browser\'s fetch', async () => {
    const topic = `news-${rand()}`;
    assert.equal(await connectInPage({ topic, refuseWebSocket: true }), 'xhr-streaming');
    await publish(topic, 'first');
    // And from the page: a publish goes out over xhr_send.
    await page.evaluate((t) => window.clients.at(-1).publish(t, 'second'), topic);
    assert.deepEqual(await receivedInPage(topic, 2), ['first', 'second']);
  });

  test('no script errors on the page', async () => {
    await page.evaluate(() => { for (const c of window.clients ?? []) c.close(); });
    assert.deepEqual(pageErrors, []);
  });
});
