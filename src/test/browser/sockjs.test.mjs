// The SockJS endpoints (/sockjs/channel, /sockjs/stomp) driven by the real sockjs-client 1.6.1,
// the copy the server serves from its webjar, in a real headless Chromium: every transport
// sockjs-client has for a browser, each forced with `transports: [name]`, from a page on the
// server's own origin and from a page on a second origin (the application's web server).
//
// What is checked for each transport is what a user sees: sock.transport is the forced one; the
// native session's welcome arrives; a message the backend pushes through the HTTP API arrives
// with its text intact, including characters SockJS escapes (U+2028, combining marks, an emoji
// as a surrogate pair, quotes, backslash, "</script>", control characters); text the page sends
// comes back intact through the echo handler; a burst of 2,000 topic messages arrives complete
// and in order; and STOMP through @stomp/stompjs works: /app/echo "hello" answers
// "reply: hello" on /topic/echo.
//
// Settings: see support.mjs (BASE_URL, SECRET, API_KEY, APP_PORT, CHROMIUM).
//
// Two origins, because sockjs-client picks its machinery by origin:
// - same origin: the only way to reach `htmlfile`, which sockjs-client enables only for a page
//   on the server's origin (HtmlFileTransport.enabled needs info.sameOrigin). The page is a
//   document the server really served (its GET /sockjs/stomp greeting) whose content the test
//   then replaces: a document made up by Playwright (page.route) has no IP address space, and
//   Chromium's Local Network Access checks then block its WebSocket to 127.0.0.1.
// - second origin (http://127.0.0.1:APP_PORT, allowed by the server): the cross-origin paths,
//   CORS with credentials for xhr-*, eventsource, and the iframe transports doing what they
//   exist for (the iframe page comes from the server's origin and runs the transport inside).
//
// Every wait is a wait for a page state with a timeout; no fixed sleeps.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  APP_ORIGIN, BASE_URL, SOCKJS_CLIENT_URL, STOMPJS_BUNDLE,
  apiAccepted, launchChromium, mintToken, requireSettings, startAppServer, unique, waitInPage,
} from './support.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROBE_SCRIPT = path.join(HERE, 'pages', 'sockjs-probe.js');

/** sockjs-client 1.6.1's browser transports, in its own order of preference. */
const TRANSPORTS = [
  'websocket', 'xhr-streaming', 'eventsource', 'iframe-eventsource', 'htmlfile', 'iframe-htmlfile',
  'xhr-polling', 'iframe-xhr-polling', 'jsonp-polling',
];
/** sockjs-client enables htmlfile for same-origin pages only; all others work cross-origin. */
const SAME_ORIGIN_ONLY = new Set(['htmlfile']);
const BURST = 2000;

/**
 * Text that every transport must carry unchanged, both ways: characters that SockJS escapes as
 * \uXXXX (control characters, U+2028/U+2029, U+200C-U+200F, U+2060-U+206F, U+FFF0-U+FFFF,
 * surrogates; sockjs-client also escapes combining marks such as U+0301 on the way in), JSON's
 * own escapes, and what ends an htmlfile <script> or an HTML comment.
 */
const TRICKY = [
  'quotes " \' backslash \\ \\u0041 slash /',
  '</script><script>window.injected = 1</script> <!-- --> ]]>',
  'accents \u00e9 e\u0301 \u00fc \u00df \u4e2d\u6587 emoji \ud83d\ude00 \ud83d\udc4d\ud83c\udffd',
  'separators \u2028 \u2029 zero-width \u200b\u200c\u200d\u200e bidi \u202e wj \u2060 bom \ufeff \ufff0 \ufffd',
  'controls \u0001 \u0007 \b \f \t \n \r \u001f del \u007f c1 \u0085',
].join(' | ');

/** Compares texts and, when they differ, names the first differing code unit. */
function assertSameText(actual, expected, what) {
  if (actual === expected) return;
  if (typeof actual !== 'string') assert.fail(`${what}: expected a string, got ${JSON.stringify(actual)}`);
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const hex = (s) => (i < s.length ? `U+${s.charCodeAt(i).toString(16).padStart(4, '0')}` : 'end of text');
  assert.fail(`${what}: text differs at index ${i} (got ${hex(actual)}, expected ${hex(expected)})\n` +
    `got:      ${JSON.stringify(actual)}\nexpected: ${JSON.stringify(expected)}`);
}

/** Publishes `count` messages to a topic, `inFlight` at a time; returns [offset, seq] sorted by offset. */
async function publishBurst(topic, count, inFlight = 16) {
  const accepted = [];
  let next = 0;
  async function worker() {
    while (next < count) {
      const seq = next++;
      const res = await apiAccepted('POST', `api/v1/topics/${topic}/messages`,
        { data: { seq, text: `burst message ${seq} \u00e9\u2028` } });
      accepted.push([res.offset, seq]);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
  return accepted.sort((a, b) => a[0] - b[0]);
}

/** What the page's native session shows, for failure messages. */
function channelState() {
  const c = window.ch;
  if (!c) return 'no session';
  return {
    transport: c.transport, opened: c.opened, closes: c.closes, unparsable: c.unparsable,
    frames: c.frames.slice(-5).map((f) => JSON.stringify(f).slice(0, 300)),
    topics: Object.fromEntries(Object.entries(c.byTopic).map(([t, l]) =>
      [t, { count: l.length, last: JSON.stringify(l.at(-1)).slice(0, 200) }])),
  };
}

/** What the page's STOMP session shows, for failure messages. */
function stompState() {
  const s = window.st;
  if (!s) return 'no session';
  return {
    transport: s.transport, connected: s.connected, receipts: s.receipts, stompErrors: s.stompErrors,
    closes: s.closes, messages: s.messages.slice(-5).map((m) => JSON.stringify(m).slice(0, 300)),
  };
}

describe('SockJS endpoints through the real sockjs-client in headless Chromium', () => {
  let browser;
  let app;
  const pageErrors = [];
  const pageHtml = `<!doctype html>
<html><head><meta charset="utf-8"><title>SockJS probe</title>
<script src="${SOCKJS_CLIENT_URL}"></script>
</head><body><h1>SockJS probe</h1></body></html>`;

  before(async () => {
    requireSettings();
    app = await startAppServer({ '/sockjs-probe.html': { type: 'text/html; charset=utf-8', body: pageHtml } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await app?.close();
  });

  /** A fresh page with sockjs-client, stompjs and the probe, on the given origin. */
  async function openPage(sameOrigin) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    if (sameOrigin) {
      const greeting = new URL('sockjs/stomp', BASE_URL).href;
      const res = await page.goto(greeting);
      assert.equal(res?.status(), 200, `GET ${greeting}`);
      await page.setContent(pageHtml, { waitUntil: 'load' });
    } else {
      const res = await page.goto(`${APP_ORIGIN}/sockjs-probe.html`);
      assert.equal(res?.status(), 200, 'the application serves the probe page');
    }
    assert.equal(await page.evaluate(() => typeof SockJS), 'function', `sockjs-client loaded from ${SOCKJS_CLIENT_URL}`);
    await page.addScriptTag({ content: STOMPJS_BUNDLE });
    await page.addScriptTag({ path: PROBE_SCRIPT });
    return page;
  }

  for (const sameOrigin of [true, false]) {
    const where = sameOrigin ? 'same-origin page' : 'page on a second origin';
    for (const transport of TRANSPORTS) {
      if (!sameOrigin && SAME_ORIGIN_ONLY.has(transport)) continue;

      test(`${transport}, ${where}: /sockjs/channel welcome, intact pushes and echo, ${BURST} messages in order`,
        { timeout: 120_000 }, async () => {
          const page = await openPage(sameOrigin);
          try {
            const user = unique('sockjs-user');
            const channelId = unique(`sockjs-${transport}`);
            const url = new URL('sockjs/channel', BASE_URL);
            url.search = new URLSearchParams({ token: mintToken(user), channelId }).toString();
            await page.evaluate(([u, t]) => { window.ch = window.probe.openChannel(u, t); }, [url.href, transport]);
            const see = (predicate, arg, what, timeout) => waitInPage(page, predicate, arg, what,
              { describe: channelState, timeout });

            // Open, with the forced transport, and the welcome.
            await see(() => window.ch.frames.some((f) => f.type === 'welcome') || window.ch.closes.length > 0,
              null, 'the welcome');
            const opened = await page.evaluate(() => ({
              transport: window.ch.transport, closes: window.ch.closes,
              welcome: window.ch.frames.find((f) => f.type === 'welcome'),
            }));
            assert.deepEqual(opened.closes, [], 'the session is not closed');
            assert.equal(opened.transport, transport, 'sock.transport');
            assert.equal(opened.welcome.channelId, channelId, 'welcome.channelId');
            assert.equal(opened.welcome.user, user, 'welcome.user');
            assert.ok(opened.welcome.sessionId, 'welcome.sessionId');

            // A push from the backend to this channel, with text SockJS must escape.
            await apiAccepted('POST', `api/v1/channels/${channelId}/messages`, { data: { caller: 'Zo\u00eb', text: TRICKY } });
            await see(() => window.ch.frames.some((f) => f.type === 'message' && f.channel !== undefined),
              null, 'the channel push');
            const pushed = await page.evaluate(() => window.ch.frames.find((f) => f.type === 'message'));
            assert.equal(pushed.channel, channelId, 'message.channel');
            assert.equal(pushed.data.caller, 'Zo\u00eb');
            assertSameText(pushed.data.text, TRICKY, 'the pushed text');
            assert.equal(await page.evaluate(() => window.injected), undefined, 'no script from the message ran');

            // Text from the page (sockjs-client's own escaping on the way in) and back.
            await page.evaluate(() => window.ch.send({ type: 'subscribe', topic: 'echo' }));
            await see(() => window.ch.frames.some((f) => f.type === 'subscribed' && f.topic === 'echo'),
              null, 'subscribed to echo');
            const marker = unique('echo');
            await page.evaluate((text) => window.ch.send({ type: 'send', to: 'echo', data: text }), `${marker} ${TRICKY}`);
            await see((m) => (window.ch.byTopic.echo || []).some((f) => String(f.data).startsWith(`reply: ${m}`)),
              marker, 'the echo reply');
            const echoed = await page.evaluate((m) => window.ch.byTopic.echo
              .find((f) => String(f.data).startsWith(`reply: ${m}`)).data, marker);
            assertSameText(echoed, `reply: ${marker} ${TRICKY}`, 'the echo reply');

            // A burst published by the backend: complete and in the order the server accepted it.
            const topic = unique('burst');
            await page.evaluate((t) => window.ch.send({ type: 'subscribe', topic: t }), topic);
            await see((t) => window.ch.frames.some((f) => f.type === 'subscribed' && f.topic === t), topic,
              `subscribed to ${topic}`);
            const accepted = await publishBurst(topic, BURST);
            await see(([t, n]) => (window.ch.byTopic[t] || []).length >= n || window.ch.closes.length > 0,
              [topic, BURST], `${BURST} messages on ${topic}`, 90_000);
            const received = await page.evaluate((t) => window.ch.byTopic[t].map((f) => [f.offset, f.data.seq]), topic);
            assert.equal(received.length, BURST, `${BURST} messages, no more`);
            assert.deepEqual(received, accepted, 'every message, in offset order, each with its own data');
            assert.deepEqual(await page.evaluate(() => window.ch.closes), [], 'still open after the burst');
            assert.deepEqual(await page.evaluate(() => window.ch.unparsable), [], 'every message is JSON');
            await page.evaluate(() => window.ch.close());
          } finally {
            await page.context().close();
          }
        });

      test(`${transport}, ${where}: STOMP over /sockjs/stomp with @stomp/stompjs`, { timeout: 60_000 }, async () => {
        const page = await openPage(sameOrigin);
        try {
          const url = new URL('sockjs/stomp', BASE_URL).href;
          const token = mintToken(unique('stomp-user'), { roles: ['publisher'] });
          await page.evaluate(([u, t, tok]) => { window.st = window.probe.openStomp(u, t, tok); }, [url, transport, token]);
          const see = (predicate, arg, what) => waitInPage(page, predicate, arg, what, { describe: stompState });

          await see(() => window.st.connected || window.st.closes.length > 0 || window.st.stompErrors.length > 0,
            null, 'CONNECTED');
          const connected = await page.evaluate(() => ({
            connected: window.st.connected, transport: window.st.transport, errors: window.st.stompErrors,
          }));
          assert.deepEqual(connected.errors, [], 'no ERROR frame');
          assert.equal(connected.connected, true, 'CONNECTED');
          assert.equal(connected.transport, transport, 'sock.transport');

          // The walk-through's echo.
          const echoReceipt = await page.evaluate(() => window.st.subscribe('/topic/echo'));
          await see((r) => window.st.receipts.includes(r), echoReceipt, 'the RECEIPT of SUBSCRIBE /topic/echo');
          await page.evaluate(() => window.st.publish('/app/echo', 'hello'));
          await see(() => window.st.messages.some((m) => m.destination === '/topic/echo' && m.body === 'reply: hello'),
            null, '"reply: hello" on /topic/echo');

          // Topic messages from the backend, intact: a JSON string arrives as its text (text/plain),
          // any other JSON value as its JSON text (application/json), as docs/stomp.md says.
          const topic = unique('stomp-news');
          const receipt = await page.evaluate((t) => window.st.subscribe(`/topic/${t}`), topic);
          await see((r) => window.st.receipts.includes(r), receipt, `the RECEIPT of SUBSCRIBE /topic/${topic}`);
          await apiAccepted('POST', `api/v1/topics/${topic}/messages`, { data: TRICKY });
          await apiAccepted('POST', `api/v1/topics/${topic}/messages`, { data: { caller: 'Zo\u00eb', text: TRICKY } });
          await see((t) => window.st.messages.filter((m) => m.destination === `/topic/${t}`).length >= 2, topic,
            `two MESSAGEs on /topic/${topic}`);
          const [text, json] = await page.evaluate((t) => window.st.messages.filter((m) => m.destination === `/topic/${t}`), topic);
          assert.match(text.contentType || '', /^text\/plain/, 'content-type of a JSON string');
          assertSameText(text.body, TRICKY, 'the text message');
          assert.match(json.contentType || '', /^application\/json/, 'content-type of a JSON object');
          assertSameText(JSON.parse(json.body).text, TRICKY, 'the JSON message');

          // Text the page sends in a STOMP frame, back through the echo handler.
          const marker = unique('stomp-echo');
          await page.evaluate((b) => window.st.publish('/app/echo', b), `${marker} ${TRICKY}`);
          await see((m) => window.st.messages.some((x) => x.body.startsWith(`reply: ${m}`)), marker, 'the echo of the tricky text');
          const echoed = await page.evaluate((m) => window.st.messages.find((x) => x.body.startsWith(`reply: ${m}`)).body, marker);
          assertSameText(echoed, `reply: ${marker} ${TRICKY}`, 'the STOMP echo');
          assert.deepEqual(await page.evaluate(() => window.st.stompErrors), [], 'no ERROR frame');
          await page.evaluate(() => window.st.close());
        } finally {
          await page.context().close();
        }
      });
    }
  }

  test('a page on an origin the server does not allow cannot open a session', { timeout: 60_000 }, async () => {
    // The same probe page, but from "localhost" instead of 127.0.0.1: another origin, not listed.
    const page = await (await browser.newContext()).newPage();
    try {
      const other = new URL(`${APP_ORIGIN}/sockjs-probe.html`);
      other.hostname = 'localhost';
      const res = await page.goto(other.href);
      assert.equal(res?.status(), 200);
      await page.addScriptTag({ path: PROBE_SCRIPT });
      const url = new URL('sockjs/channel', BASE_URL);
      url.search = new URLSearchParams({ token: mintToken(unique('stranger')), channelId: unique('stranger') }).toString();
      // Every transport sockjs-client offers a cross-origin page: jsonp-polling loads a script and the
      // iframe ones run in a frame of ours, so their requests name no Origin or ours; the server
      // checks the page's origin from Referer and Sec-Fetch-Site, and who may frame its pages.
      for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource', 'iframe-eventsource',
        'iframe-htmlfile', 'iframe-xhr-polling', 'jsonp-polling']) {
        await page.evaluate(([u, t]) => { window.ch = window.probe.openChannel(u, t); }, [url.href, transport]);
        await waitInPage(page, () => window.ch.closes.length > 0 || window.ch.frames.length > 0, null,
          `the ${transport} session refused`, { describe: channelState, timeout: 30_000 });
        const state = await page.evaluate(() => ({ frames: window.ch.frames, closes: window.ch.closes }));
        assert.deepEqual(state.frames, [], `${transport}: no welcome for a disallowed origin`);
        assert.equal(state.closes.length, 1, `${transport}: closed once`);
      }
    } finally {
      await page.context().close();
    }
    // What the server answered, as a backend sees it.
    const info = await fetch(new URL('sockjs/channel/info', BASE_URL), { headers: { Origin: 'http://localhost:1' } });
    assert.equal(info.headers.get('access-control-allow-origin'), null, 'no CORS permission for a disallowed origin');
  });

  test('no script errors on any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
