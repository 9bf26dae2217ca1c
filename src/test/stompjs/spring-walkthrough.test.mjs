// A Spring STOMP application's browser page moved to Switchboard with only its URL changed
// (issue 12, point 2). The page below is written the way the seed applications write it: a
// @stomp/stompjs Client with `Authorization: Bearer <jwt>` in its CONNECT headers, the echo
// walk-through (SEND `hello` to /app/echo, `reply: hello` on /topic/echo) and the call-centre
// pop-up on /user/queue/notifications, which the backend feeds with what was
// `convertAndSendToUser(user, "/queue/notifications", payload)` in Spring and is now
// `POST /api/v1/users/{user}/messages` with that same destination string.
//
// In Spring the page connected to the endpoint registered as `/ws` (`new SockJS('/ws')`, or a
// plain WebSocket to it); here it connects to `/ws/stomp` (plain WebSocket) or `/sockjs/stomp`
// (SockJS, with the sockjs-client package a Spring page loads).
//
// Inputs (environment): BASE_URL, SECRET, API_KEY, as for stomp.test.mjs.
// Every wait has a timeout; nothing waits a fixed time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { Client } from '@stomp/stompjs';
import SockJS from 'sockjs-client';
import { WebSocket } from 'ws';

// stompjs's documented set-up for Node, whose version 20 has no global WebSocket: a browser page
// has one, and `brokerURL` uses it.
if (typeof globalThis.WebSocket === 'undefined') {
  Object.assign(globalThis, { WebSocket });
}

const { BASE_URL, SECRET, API_KEY } = process.env;
if (!BASE_URL || !SECRET || !API_KEY) {
  throw new Error('Set BASE_URL (e.g. http://127.0.0.1:8080/), SECRET (HS256 secret) and API_KEY');
}
const BASE = BASE_URL.endsWith('/') ? BASE_URL : `${BASE_URL}/`;
const WAIT_MS = 10_000; // polling transports take a few round trips to open
const RUN = randomBytes(4).toString('hex');

// ---------------------------------------------------------------------------
// The page, as the Spring application has it; only the URL it is given differs
// ---------------------------------------------------------------------------

/**
 * The seed application's page script. `connectTo` is the only thing a migration changes:
 * `{ brokerURL }` for a plain WebSocket, `{ webSocketFactory }` for SockJS.
 */
function startPage({ connectTo, jwt, showEcho, popUp }) {
  const client = new Client({
    ...connectTo,
    connectHeaders: { Authorization: 'Bearer ' + jwt },
    onConnect: () => {
      client.subscribe('/user/queue/notifications', (message) => popUp(JSON.parse(message.body)));
      client.subscribe('/topic/echo', (message) => showEcho(message.body));
      client.publish({ destination: '/app/echo', body: 'hello' });
    },
  });
  client.activate();
  return client;
}

// ---------------------------------------------------------------------------
// What the test watches the page do
// ---------------------------------------------------------------------------

/** Values a callback produced, awaited one by one, each wait with a timeout; fail() ends every wait. */
class Seen {
  #items = [];
  #waiters = [];
  #failure = null;

  add = (item) => {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.#items.push(item);
  };

  fail(err) {
    this.#failure ??= err;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(err);
  }

  next(label) {
    if (this.#items.length) return Promise.resolve(this.#items.shift());
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${label}`));
      }, WAIT_MS);
      const waiter = {
        resolve: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(new Error(`${err.message} (while waiting for ${label})`));
        },
      };
      this.#waiters.push(waiter);
    });
  }
}

/** An HS256 JWT with `sub` and `exp`, as the Spring application's login service minted it. */
function mintJwt(sub) {
  const now = Math.floor(Date.now() / 1000);
  const encode = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub, iat: now, exp: now + 300 })}`;
  return `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
}

/** The backend's `convertAndSendToUser(user, destination, data)`, now a call to the HTTP API. */
async function convertAndSendToUser(user, destination, data) {
  const res = await fetch(new URL(`api/v1/users/${encodeURIComponent(user)}/messages`, BASE), {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data, destination }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  assert.equal(res.status, 202, `POST users/${user}/messages answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/**
 * Runs the page against Switchboard as an agent would: connected, it shows the echo reply, and a
 * call the backend pushes pops up. `connectTo` is what the migrated page is given.
 */
async function walkThrough(t, connectTo) {
  const agent = `agent-${RUN}-${randomBytes(3).toString('hex')}`;
  const echoes = new Seen();
  const popUps = new Seen();
  const client = startPage({ connectTo, jwt: mintJwt(agent), showEcho: echoes.add, popUp: popUps.add });
  // Test harness, not page code: report a refused or lost connection at once instead of letting
  // stompjs reconnect until the waits time out.
  client.reconnectDelay = 0;
  client.debug = () => {};
  let closed = null;
  const fail = (err) => {
    echoes.fail(err);
    popUps.fail(err);
  };
  client.onStompError = (frame) => fail(new Error(`server sent ERROR ${frame.headers.message}: ${frame.body}`));
  client.onWebSocketClose = (event) => {
    closed = event;
    fail(new Error(`connection closed (code ${event.code}${event.reason ? `, ${event.reason}` : ''})`));
  };
  t.after(() => client.deactivate());

  // Other test files also send `hello` to /app/echo; every answer reads the same.
  assert.equal(await echoes.next('the echo reply on /topic/echo'), 'reply: hello');

  // The page subscribed to /user/queue/notifications before /topic/echo, and the server handles a
  // session's frames in order: a message on /topic/echo means the pop-up subscription is in place.
  const call = { caller: '+49 30 1234', queue: 'support' };
  const receipt = await convertAndSendToUser(agent, '/queue/notifications', call);
  assert.equal(receipt.sessions, 1, `the push reached ${receipt.sessions} sessions of ${agent}`);
  assert.deepEqual(await popUps.next('the call pop-up on /user/queue/notifications'), call);
  assert.equal(closed, null, 'the connection stayed open');
}

const stompUrl = () => {
  const url = new URL('ws/stomp', BASE);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
};
const sockJsUrl = () => new URL('sockjs/stomp', BASE).toString();

/** `webSocketFactory` as the Spring page passes it, remembering the SockJS object to check its transport. */
function sockJsFactory(options) {
  const sockets = [];
  const factory = () => {
    const socket = options ? new SockJS(sockJsUrl(), null, options) : new SockJS(sockJsUrl());
    sockets.push(socket);
    return socket;
  };
  return { factory, transport: () => sockets.at(-1)?.transport };
}

// ---------------------------------------------------------------------------
// The walk-through over each way a Spring page connects
// ---------------------------------------------------------------------------

test('a Spring page on a plain WebSocket works with brokerURL changed to /ws/stomp', async (t) => {
  await walkThrough(t, { brokerURL: stompUrl() });
});

test('a Spring page on SockJS works with the SockJS URL changed to /sockjs/stomp', async (t) => {
  const sockJs = sockJsFactory();
  await walkThrough(t, { webSocketFactory: sockJs.factory });
  // The server offers WebSocket in /info, so sockjs-client's first choice is taken.
  assert.equal(sockJs.transport(), 'websocket');
});

test('a Spring page on SockJS restricted to xhr-streaming works on /sockjs/stomp', async (t) => {
  const sockJs = sockJsFactory({ transports: ['xhr-streaming'] });
  await walkThrough(t, { webSocketFactory: sockJs.factory });
  assert.equal(sockJs.transport(), 'xhr-streaming');
});

test('a Spring page on SockJS restricted to xhr-polling works on /sockjs/stomp', async (t) => {
  const sockJs = sockJsFactory({ transports: ['xhr-polling'] });
  await walkThrough(t, { webSocketFactory: sockJs.factory });
  assert.equal(sockJs.transport(), 'xhr-polling');
});
