// Shared by the SockJS browser suites (sockjs.test.mjs, spring-walkthrough.test.mjs): settings,
// tokens, the HTTP API as a backend calls it, Chromium, and "the application's" web server.
//
//   BASE_URL        the Switchboard server, e.g. http://127.0.0.1:8080/ (its context root)
//   SECRET          the server's HS256 JWT secret (tokens for any user are minted here)
//   API_KEY         the server's HTTP API key
//   APP_PORT        port of the application's own web server that these suites start on 127.0.0.1:
//                   the second origin. The server must list http://127.0.0.1:<APP_PORT> in
//                   SWITCHBOARD_ALLOWED_ORIGINS (-Dswitchboard.allowed.origins=...)
//   CHROMIUM        the browser binary (default /usr/bin/chromium)
//   SCREENSHOT_DIR  where screenshots go (default: the project's target/ folder)

import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const BASE_URL = withSlash(process.env.BASE_URL || 'http://127.0.0.1:8080/');
export const SECRET = process.env.SECRET || '';
export const API_KEY = process.env.API_KEY || '';
export const APP_PORT = Number(process.env.APP_PORT || 0);
export const APP_ORIGIN = `http://127.0.0.1:${APP_PORT}`;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || path.join(HERE, '..', '..', '..', 'target'));
/** The sockjs-client the server serves from its webjar: the client under test. */
export const SOCKJS_CLIENT_URL = new URL('webjars/sockjs-client/1.6.1/dist/sockjs.min.js', BASE_URL).href;
/** @stomp/stompjs's browser bundle (global StompJs), from this folder's node_modules. */
export const STOMPJS_BUNDLE = readFileSync(
  path.join(HERE, 'node_modules', '@stomp', 'stompjs', 'bundles', 'stomp.umd.min.js'), 'utf8');
/** One wait for something a user would see. */
export const WAIT = 15_000;
/** As in console.test.mjs. */
export const CHROME_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Unique per run, so users, channels and topics never meet those of another run. */
export const RUN = randomBytes(3).toString('hex');

export function requireSettings() {
  assert.ok(SECRET && API_KEY && APP_PORT,
    'set BASE_URL, SECRET (the server\'s HS256 secret), API_KEY and APP_PORT (see README.md)');
}

function withSlash(u) { return u.endsWith('/') ? u : `${u}/`; }

export function unique(prefix) { return `${prefix}-${RUN}-${randomBytes(3).toString('hex')}`; }

/** An HS256 JWT (sub, iat, exp, roles), as an application's login would issue it. */
export function mintToken(sub, { roles = [], expiresInSeconds = 600 } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const encode = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub, iat: now, exp: now + expiresInSeconds, roles })}`;
  return `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
}

/** The HTTP API as the application's backend calls it, with the API key. */
export async function api(method, relPath, body) {
  const res = await fetch(new URL(relPath, BASE_URL), {
    method,
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json };
}

export async function apiAccepted(method, relPath, body) {
  const res = await api(method, relPath, body);
  assert.equal(res.status, 202, `${method} ${relPath} answered ${res.status}: ${res.text}`);
  return res.json;
}

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROME_ARGS });
}

/**
 * The application's own web server on 127.0.0.1:APP_PORT (the second origin): answers GET of the
 * paths in `files`, each { type, body } or a function of the request's URL returning one;
 * anything else is a 404.
 */
export async function startAppServer(files) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, APP_ORIGIN);
    let file = files[url.pathname];
    if (typeof file === 'function') file = file(url);
    if (!file || req.method !== 'GET') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' }).end(file.body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(APP_PORT, '127.0.0.1', resolve);
  });
  return {
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Waits until `predicate(arg)` is true in the page; on timeout fails with `what` and what
 * `describe` (evaluated in the page) reports, so a failure says what the user would have seen.
 */
export async function waitInPage(page, predicate, arg, what, { timeout = WAIT, describe } = {}) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
  } catch (e) {
    let state = '';
    if (describe) {
      state = await page.evaluate(describe, arg).then((s) => JSON.stringify(s, null, 2))
        .catch((err) => `(page state unavailable: ${err.message})`);
    }
    throw new Error(`the page does not show ${what} within ${timeout} ms\npage state: ${state}\n${e.message.split('\n')[0]}`);
  }
}
