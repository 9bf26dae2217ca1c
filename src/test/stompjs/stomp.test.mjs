// Integration tests of Switchboard's STOMP endpoint (/ws/stomp) driven by the
// real third-party client @stomp/stompjs, plus a few raw-WebSocket checks for
// things a well-behaved client library cannot do (malformed frames, frames
// before CONNECT, a client that stops sending heart-beats).
//
// Inputs (environment): BASE_URL (e.g. http://127.0.0.1:8080/), SECRET (the
// server's HS256 JWT secret), API_KEY (the server's HTTP API key).
//
// Every wait is a promise with a timeout; the only fixed wait is in the
// heart-beat test, where "the connection stays up for 3 s" is the behaviour
// under test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { Client } from '@stomp/stompjs';
import { WebSocket } from 'ws';

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

const { BASE_URL, SECRET, API_KEY } = process.env;
if (!BASE_URL || !SECRET || !API_KEY) {
  throw new Error('Set BASE_URL (e.g. http://127.0.0.1:8080/), SECRET (HS256 secret) and API_KEY');
}
/** Base URL with a trailing slash, so relative paths resolve under the context root. */
const BASE = BASE_URL.endsWith('/') ? BASE_URL : `${BASE_URL}/`;
const STOMP_PROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];
const WAIT_MS = 5000; // default timeout of every single wait
/** Unique per run, so topic and user names never collide with other runs. */
const RUN = randomBytes(4).toString('hex');

const uniqueName = (prefix) => `${prefix}-${RUN}-${randomBytes(3).toString('hex')}`;

// ---------------------------------------------------------------------------
// Tokens and HTTP API
// ---------------------------------------------------------------------------

/** An HS256 JWT with claims sub, exp, iat and roles. */
function mintToken({ sub, roles = [], expiresInSeconds = 300, secret = SECRET } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const encode = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    sub,
    iat: now,
    exp: now + expiresInSeconds,
    roles,
  })}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** ws://host:port/<context>/ws/stomp, optionally with ?token=. */
function stompUrl({ token } = {}) {
  const url = new URL('ws/stomp', BASE);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

/** Calls the HTTP API with the API key; returns { status, json, text }. */
async function api(method, path, body) {
  const res = await fetch(new URL(path, BASE), {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function publishToTopic(topic, data) {
  const res = await api('POST', `api/v1/topics/${encodeURIComponent(topic)}/messages`, { data });
  assert.equal(res.status, 202, `POST topics/${topic}/messages answered ${res.status}: ${res.text}`);
  return res.json;
}

async function pushToUser(user, body) {
  const res = await api('POST', `api/v1/users/${encodeURIComponent(user)}/messages`, body);
  assert.equal(res.status, 202, `POST users/${user}/messages answered ${res.status}: ${res.text}`);
  return res.json;
}

// ---------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------

/**
 * A queue that consumers await item by item, with a timeout on each wait.
 * fail(err) ends it: items already queued are still handed out, then every
 * further wait rejects with err.
 */
class AsyncQueue {
  #items = [];
  #waiters = [];
  #failure = null;

  push(item) {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.#items.push(item);
  }

  fail(err) {
    if (this.#failure) return;
    this.#failure = err;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(err);
  }

  next(label, timeoutMs = WAIT_MS) {
    if (this.#items.length) return Promise.resolve(this.#items.shift());
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
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
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }
}

/** Resolves with the value of promise, or rejects after timeoutMs. */
function within(promise, label, timeoutMs = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const describeFrame = (frame) =>
  `${frame.command} ${JSON.stringify(frame.headers)}${frame.body ? ` body=${JSON.stringify(frame.body)}` : ''}`;

// ---------------------------------------------------------------------------
// stompjs sessions
// ---------------------------------------------------------------------------

/**
 * One connected @stomp/stompjs Client, with the ERROR frames and the socket
 * close it sees. Closed (DISCONNECT, or a forced close) when the test ends.
 */
class StompSession {
  constructor(client, user) {
    this.client = client;
    this.user = user;
    this.connectedFrame = null;
    this.errors = new AsyncQueue(); // ERROR frames from the server
    this.closeEvent = null;
    this.inboxes = new Set();
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  /** Subscribes, waits for the server's RECEIPT, returns the inbox of MESSAGE frames. */
  async subscribe(destination, headers = {}) {
    const inbox = new AsyncQueue();
    this.inboxes.add(inbox);
    const receipt = this.receipt(uniqueName('sub'));
    const subscription = this.client.subscribe(destination, (message) => inbox.push(message), {
      ...headers,
      receipt: receipt.id,
    });
    await receipt.received;
    inbox.subscription = subscription;
    inbox.destination = destination;
    return inbox;
  }

  /** Registers a receipt watcher; returns { id, received } (received: a promise of the RECEIPT frame). */
  receipt(id, timeoutMs = WAIT_MS) {
    const received = new Promise((resolve) => this.client.watchForReceipt(id, resolve));
    return { id, received: within(received, `RECEIPT ${id}`, timeoutMs) };
  }

  send(destination, body, headers = {}) {
    this.client.publish({ destination, body, headers });
  }

  nextError(timeoutMs = WAIT_MS) {
    return this.errors.next('an ERROR frame', timeoutMs);
  }

  waitClosed(timeoutMs = WAIT_MS) {
    return within(this.closed, 'the server to close the WebSocket', timeoutMs);
  }

  /** Graceful DISCONNECT (waits for its RECEIPT); falls back to dropping the socket. */
  async close() {
    if (this.closeEvent) return;
    try {
      await within(this.client.deactivate(), 'DISCONNECT receipt and close', 3000);
    } catch {
      await this.client.deactivate({ force: true }).catch(() => {});
    }
  }
}

/**
 * Connects a stompjs Client and waits for CONNECTED.
 *   auth: 'header' (Authorization: Bearer), 'passcode', or 'query' (?token=)
 * Rejects if the server answers with ERROR or closes first.
 */
async function connect(t, { user = uniqueName('user'), roles = [], auth = 'header', token, heartbeat } = {}) {
  token ??= mintToken({ sub: user, roles });
  const connectHeaders = {};
  if (auth === 'header') connectHeaders.Authorization = `Bearer ${token}`;
  if (auth === 'passcode') connectHeaders.passcode = token;
  const url = stompUrl(auth === 'query' ? { token } : {});

  const client = new Client({
    webSocketFactory: () => new WebSocket(url, STOMP_PROTOCOLS),
    connectHeaders,
    reconnectDelay: 0,
    debug: () => {},
    ...(heartbeat && { heartbeatIncoming: heartbeat.incoming, heartbeatOutgoing: heartbeat.outgoing }),
  });
  const session = new StompSession(client, user);

  const connected = new Promise((resolve, reject) => {
    client.onConnect = (frame) => {
      session.connectedFrame = frame;
      resolve(frame);
    };
    client.onStompError = (frame) => {
      session.errors.push(frame);
      const err = new Error(`server sent ERROR: ${describeFrame(frame)}`);
      for (const inbox of session.inboxes) inbox.fail(err);
      reject(err);
    };
    client.onWebSocketClose = (event) => {
      session.closeEvent = event;
      session.markClosed(event);
      const err = new Error(`WebSocket closed (code ${event.code}${event.reason ? `, ${event.reason}` : ''})`);
      session.errors.fail(err);
      for (const inbox of session.inboxes) inbox.fail(err);
      reject(err);
    };
  });
  t.after(() => session.close());
  client.activate();
  await within(connected, `CONNECTED for ${user} (auth: ${auth})`);
  return session;
}

/**
 * Connects with a token the server must refuse. Resolves with what happened:
 * { errorFrame, closeEvent, order } where order lists 'ERROR' / 'close' as seen.
 */
async function connectExpectingRefusal(t, token) {
  const order = [];
  let errorFrame;
  const client = new Client({
    webSocketFactory: () => new WebSocket(stompUrl(), STOMP_PROTOCOLS),
    connectHeaders: { Authorization: `Bearer ${token}` },
    reconnectDelay: 0,
    debug: () => {},
  });
  t.after(() => client.deactivate({ force: true }).catch(() => {}));
  const outcome = new Promise((resolve, reject) => {
    client.onConnect = (frame) => reject(new Error(`server accepted the token: ${describeFrame(frame)}`));
    client.onStompError = (frame) => {
      order.push('ERROR');
      errorFrame = frame;
    };
    client.onWebSocketClose = (closeEvent) => {
      order.push('close');
      resolve({ errorFrame, closeEvent, order });
    };
  });
  client.activate();
  return within(outcome, 'ERROR and close after a refused CONNECT');
}

/** Asserts that inbox's next MESSAGE has this body; returns the message. */
async function expectMessage(inbox, body, label = `MESSAGE ${JSON.stringify(body)} on ${inbox.destination}`) {
  const message = await inbox.next(label);
  assert.equal(message.body, body, `${label}: got ${describeFrame(message)}`);
  return message;
}

// ---------------------------------------------------------------------------
// Raw STOMP over WebSocket (for frames a library will not send)
// ---------------------------------------------------------------------------

/** Serializes a STOMP frame (headers not escaped: callers pass plain values). */
function stompFrame(command, headers = {}, body = '') {
  const lines = Object.entries(headers).map(([name, value]) => `${name}:${value}`);
  return `${command}\n${lines.map((l) => `${l}\n`).join('')}\n${body}\0`;
}

const unescapeHeader = (s) =>
  s.replace(/\\([\\cnr])/g, (_, c) => ({ '\\': '\\', c: ':', n: '\n', r: '\r' })[c]);

/** Incremental parser of server-to-client STOMP frames; counts heart-beat EOLs. */
class FrameParser {
  #buffer = Buffer.alloc(0);

  constructor(onFrame, onHeartbeat) {
    this.onFrame = onFrame;
    this.onHeartbeat = onHeartbeat;
  }

  push(chunk) {
    this.#buffer = Buffer.concat([this.#buffer, Buffer.from(chunk)]);
    for (;;) {
      // EOLs between frames are heart-beats
      if (this.#buffer[0] === 0x0a) {
        this.#buffer = this.#buffer.subarray(1);
        this.onHeartbeat();
        continue;
      }
      if (this.#buffer[0] === 0x0d && this.#buffer[1] === 0x0a) {
        this.#buffer = this.#buffer.subarray(2);
        this.onHeartbeat();
        continue;
      }
      const blankLine = /\r?\n\r?\n/.exec(this.#buffer.toString('latin1')); // latin1: string index = byte index
      if (!blankLine) return;
      const headerEnd = blankLine.index;
      const [command, ...headerLines] = this.#buffer
        .subarray(0, headerEnd)
        .toString('utf8')
        .split('\n')
        .map((line) => line.replace(/\r$/, ''));
      const headers = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        const name = unescapeHeader(line.slice(0, colon));
        if (!(name in headers)) headers[name] = unescapeHeader(line.slice(colon + 1));
      }
      const bodyStart = headerEnd + blankLine[0].length;
      let bodyEnd;
      if (headers['content-length'] !== undefined) {
        bodyEnd = bodyStart + Number(headers['content-length']);
        if (this.#buffer.length < bodyEnd + 1) return;
      } else {
        bodyEnd = this.#buffer.indexOf(0, bodyStart);
        if (bodyEnd < 0) return;
      }
      const body = this.#buffer.subarray(bodyStart, bodyEnd).toString('utf8');
      this.#buffer = this.#buffer.subarray(bodyEnd + 1);
      this.onFrame({ command, headers, body });
    }
  }
}

/**
 * Opens a plain `ws` WebSocket to the STOMP endpoint. Returns
 * { ws, send(text), nextFrame(label), waitClosed(), heartbeats(), pings() }.
 */
async function openRaw(t, url = stompUrl()) {
  const ws = new WebSocket(url, STOMP_PROTOCOLS);
  t.after(() => ws.terminate());
  const frames = new AsyncQueue();
  let heartbeats = 0;
  let pings = 0;
  const parser = new FrameParser(
    (frame) => frames.push(frame),
    () => heartbeats++,
  );
  ws.on('message', (data) => parser.push(data));
  ws.on('ping', () => pings++);
  const closed = new Promise((resolve) => {
    ws.on('close', (code, reason) => {
      frames.fail(new Error(`WebSocket closed (code ${code})`));
      resolve({ code, reason: reason.toString(), at: Date.now() });
    });
  });
  await within(
    new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    }),
    `WebSocket handshake to ${url}`,
  );
  return {
    ws,
    send: (text) => ws.send(text),
    nextFrame: (label, timeoutMs) => frames.next(label, timeoutMs),
    waitClosed: (timeoutMs = WAIT_MS) => within(closed, 'the server to close the WebSocket', timeoutMs),
    heartbeats: () => heartbeats,
    pings: () => pings,
  };
}

/** Raw CONNECT with a valid token; returns the CONNECTED frame. */
async function rawConnect(raw, { user = uniqueName('raw'), heartbeat = '0,0' } = {}) {
  raw.send(
    stompFrame('CONNECT', {
      'accept-version': '1.2',
      host: new URL(BASE).hostname,
      'heart-beat': heartbeat,
      Authorization: `Bearer ${mintToken({ sub: user })}`,
    }),
  );
  const frame = await raw.nextFrame('CONNECTED');
  assert.equal(frame.command, 'CONNECTED', `expected CONNECTED, got ${describeFrame(frame)}`);
  return frame;
}

/** Asserts the next frame is an ERROR with a message header and that the server then closes. */
async function expectErrorThenClose(raw, label) {
  const frame = await raw.nextFrame(`ERROR after ${label}`);
  assert.equal(frame.command, 'ERROR', `after ${label} expected ERROR, got ${describeFrame(frame)}`);
  assert.ok(frame.headers.message, `ERROR without a message header: ${describeFrame(frame)}`);
  await raw.waitClosed();
  return frame;
}

// ---------------------------------------------------------------------------
// 1. Authentication
// ---------------------------------------------------------------------------

test('1. connect with each auth form; a bad token gets ERROR then close', async (t) => {
  for (const auth of ['header', 'passcode', 'query']) {
    await t.test(`auth by ${auth}`, async (t) => {
      const user = uniqueName(`auth-${auth}`);
      const session = await connect(t, { user, auth });
      const { headers } = session.connectedFrame;
      assert.equal(headers['user-name'], user);
      assert.equal(headers.version, '1.2');
      assert.ok(headers.server?.startsWith('Switchboard/'), `server header: ${headers.server}`);
      assert.ok(headers['heart-beat'] !== undefined, 'CONNECTED has no heart-beat header');
      assert.equal(session.client.webSocket?.protocol, 'v12.stomp');
    });
  }

  const badTokens = {
    'wrong signature': mintToken({ sub: 'mallory', secret: `not-the-secret-${SECRET}` }),
    expired: mintToken({ sub: 'late-larry', expiresInSeconds: -300 }),
    garbage: 'not-a-jwt',
  };
  for (const [kind, token] of Object.entries(badTokens)) {
    await t.test(`refused: ${kind} token`, async (t) => {
      const { errorFrame, order } = await connectExpectingRefusal(t, token);
      assert.deepEqual(order, ['ERROR', 'close'], 'expected an ERROR frame, then the close');
      assert.ok(errorFrame.headers.message, `ERROR without message header: ${describeFrame(errorFrame)}`);
    });
  }
});

// ---------------------------------------------------------------------------
// 2. Application destination
// ---------------------------------------------------------------------------

test('2. SEND hello to /app/echo answers "reply: hello" on /topic/echo', async (t) => {
  const session = await connect(t);
  const echoes = await session.subscribe('/topic/echo');
  session.send('/app/echo', 'hello');
  await expectMessage(echoes, 'reply: hello');
});

// ---------------------------------------------------------------------------
// 3. Topics
// ---------------------------------------------------------------------------

test('3. topic pub/sub between two clients, and HTTP API -> STOMP', async (t) => {
  await t.test('STOMP publisher to STOMP subscriber', async (t) => {
    const topic = uniqueName('chat');
    const subscriber = await connect(t);
    const publisher = await connect(t, { roles: ['publisher'] });
    const inbox = await subscriber.subscribe(`/topic/${topic}`);
    publisher.send(`/topic/${topic}`, 'first', { 'content-type': 'text/plain' });
    publisher.send(`/topic/${topic}`, 'second', { 'content-type': 'text/plain' });
    const first = await expectMessage(inbox, 'first');
    assert.equal(first.headers.destination, `/topic/${topic}`);
    assert.equal(first.headers.subscription, inbox.subscription.id);
    assert.ok(first.headers['message-id'], 'MESSAGE without message-id');
    await expectMessage(inbox, 'second');
  });

  await t.test('HTTP API JSON data arrives as JSON text with content-type application/json', async (t) => {
    const topic = uniqueName('x');
    const subscriber = await connect(t);
    const inbox = await subscriber.subscribe(`/topic/${topic}`);
    const data = { price: 42.5, tags: ['a', 'b'], nested: { ok: true }, text: 'héllo' };
    await publishToTopic(topic, data);
    const message = await inbox.next(`API-published MESSAGE on /topic/${topic}`);
    assert.match(message.headers['content-type'] ?? '', /^application\/json/, describeFrame(message));
    assert.deepEqual(JSON.parse(message.body), data);
  });

  await t.test('HTTP API string data arrives as plain text', async (t) => {
    const topic = uniqueName('x');
    const subscriber = await connect(t);
    const inbox = await subscriber.subscribe(`/topic/${topic}`);
    await publishToTopic(topic, 'just words');
    const message = await expectMessage(inbox, 'just words');
    assert.match(message.headers['content-type'] ?? '', /^text\/plain/, describeFrame(message));
  });
});

test('3b. SEND to a topic without the publisher role gets ERROR "forbidden" then close', async (t) => {
  const session = await connect(t, { roles: [] });
  session.send(`/topic/${uniqueName('nope')}`, 'not allowed');
  const error = await session.nextError();
  assert.match(error.headers.message ?? '', /forbidden/i, describeFrame(error));
  await session.waitClosed();
});

// ---------------------------------------------------------------------------
// 4. User destinations
// ---------------------------------------------------------------------------

test('4. a push to user A reaches only A on /user/queue/calls', async (t) => {
  const alice = await connect(t, { user: uniqueName('alice') });
  const bob = await connect(t, { user: uniqueName('bob') });
  const aliceCalls = await alice.subscribe('/user/queue/calls');
  const bobCalls = await bob.subscribe('/user/queue/calls');

  await pushToUser(alice.user, { data: 'call for alice', destination: 'calls' });
  await expectMessage(aliceCalls, 'call for alice');

  // If bob had received alice's call, it would come before this one.
  await pushToUser(bob.user, { data: 'call for bob', destination: 'calls' });
  await expectMessage(bobCalls, 'call for bob', "bob's first MESSAGE (must be his own, not alice's)");
});

test('4b. a push without destination goes to /user/queue/messages', async (t) => {
  const alice = await connect(t, { user: uniqueName('alice') });
  const messages = await alice.subscribe('/user/queue/messages');
  const data = { kind: 'notice', n: 1 };
  await pushToUser(alice.user, { data });
  const message = await messages.next('MESSAGE on /user/queue/messages');
  assert.match(message.headers['content-type'] ?? '', /^application\/json/, describeFrame(message));
  assert.deepEqual(JSON.parse(message.body), data);
});

test("4c. subscribing to another user's queue gets ERROR then close", async (t) => {
  const mallory = await connect(t, { user: uniqueName('mallory') });
  mallory.client.subscribe(`/user/${uniqueName('alice')}/queue/calls`, () => {});
  const error = await mallory.nextError();
  assert.ok(error.headers.message, describeFrame(error));
  await mallory.waitClosed();
});

// ---------------------------------------------------------------------------
// 5. Receipts
// ---------------------------------------------------------------------------

test('5. receipts for SUBSCRIBE, SEND and DISCONNECT', async (t) => {
  const session = await connect(t);

  const subscribeReceipt = session.receipt('receipt-subscribe-1');
  session.client.subscribe('/topic/echo', () => {}, { receipt: subscribeReceipt.id });
  const frame = await subscribeReceipt.received;
  assert.equal(frame.command, 'RECEIPT');
  assert.equal(frame.headers['receipt-id'], 'receipt-subscribe-1');

  const sendReceipt = session.receipt('receipt-send-1');
  session.send('/app/echo', 'hello', { receipt: sendReceipt.id });
  assert.equal((await sendReceipt.received).headers['receipt-id'], 'receipt-send-1');

  const disconnectReceipt = new Promise((resolve) => {
    session.client.onDisconnect = resolve; // stompjs calls it with the DISCONNECT's RECEIPT
  });
  session.client.disconnectHeaders = { receipt: 'receipt-disconnect-1' };
  const deactivated = session.client.deactivate();
  const receipt = await within(disconnectReceipt, 'RECEIPT for DISCONNECT');
  assert.equal(receipt.command, 'RECEIPT');
  assert.equal(receipt.headers['receipt-id'], 'receipt-disconnect-1');
  await within(deactivated, 'the WebSocket to close after DISCONNECT');
});

// ---------------------------------------------------------------------------
// 6. client-individual acknowledgement
// ---------------------------------------------------------------------------

test('6. client-individual: NACK redelivers the same message; ACK does not', async (t) => {
  const topic = uniqueName('acks');
  const session = await connect(t);
  const inbox = await session.subscribe(`/topic/${topic}`, { ack: 'client-individual' });

  await publishToTopic(topic, 'job 1');
  const delivered = await expectMessage(inbox, 'job 1');
  assert.ok(delivered.headers.ack, `MESSAGE in client-individual mode without ack header: ${describeFrame(delivered)}`);
  delivered.nack();

  const redelivered = await expectMessage(inbox, 'job 1', 'redelivery of "job 1" after NACK');
  assert.equal(redelivered.headers['message-id'], delivered.headers['message-id']);
  assert.equal(redelivered.headers.redelivered, 'true', describeFrame(redelivered));
  redelivered.ack();

  await publishToTopic(topic, 'job 2');
  const job2 = await expectMessage(inbox, 'job 2', '"job 2" (not a redelivery of the ACKed "job 1")');
  job2.ack();

  // Had either ACK failed to stop redelivery, a redelivery could not be told
  // from a message that is simply late; the marker orders them.
  await publishToTopic(topic, 'marker');
  const marker = await expectMessage(inbox, 'marker', 'the marker (no redelivery of ACKed messages before it)');
  marker.ack();
});

// ---------------------------------------------------------------------------
// 7. Transactions
// ---------------------------------------------------------------------------

test('7. transactions: SENDs are delivered at COMMIT, dropped at ABORT', async (t) => {
  const topic = uniqueName('tx');
  const subscriber = await connect(t);
  const publisher = await connect(t, { roles: ['publisher'] });
  const inbox = await subscriber.subscribe(`/topic/${topic}`);
  const destination = `/topic/${topic}`;

  const committed = publisher.client.begin();
  publisher.send(destination, 'tx one', { transaction: committed.id });
  publisher.send(destination, 'tx two', { transaction: committed.id });
  // Sent after the two, outside the transaction: it must arrive first.
  publisher.send(destination, 'outside the transaction');
  await expectMessage(inbox, 'outside the transaction', 'the non-transactional SEND (before any COMMIT)');
  committed.commit();
  await expectMessage(inbox, 'tx one', 'first SEND of the committed transaction');
  await expectMessage(inbox, 'tx two', 'second SEND of the committed transaction');

  const aborted = publisher.client.begin();
  publisher.send(destination, 'aborted', { transaction: aborted.id });
  aborted.abort();
  publisher.send(destination, 'marker after abort');
  await expectMessage(inbox, 'marker after abort', 'the marker (the aborted SEND must never arrive)');
});

test('7b. transactions hold ACK and NACK until COMMIT; ABORT drops them', async (t) => {
  const topic = uniqueName('txack');
  const session = await connect(t);
  const inbox = await session.subscribe(`/topic/${topic}`, { ack: 'client-individual' });

  // A NACK in a transaction redelivers only at COMMIT: a message published after it comes first.
  await publishToTopic(topic, 'job 1');
  const job1 = await expectMessage(inbox, 'job 1');
  const nacked = session.client.begin();
  job1.nack({ transaction: nacked.id });
  await publishToTopic(topic, 'marker 1');
  (await expectMessage(inbox, 'marker 1', 'the marker (no redelivery before COMMIT)')).ack();
  nacked.commit();
  const redelivered = await expectMessage(inbox, 'job 1', 'redelivery of "job 1" at COMMIT of its NACK');
  assert.equal(redelivered.headers['message-id'], job1.headers['message-id']);

  // An ACK in an aborted transaction never happened: a later NACK still finds the message pending.
  const aborted = session.client.begin();
  redelivered.ack({ transaction: aborted.id });
  aborted.abort();
  redelivered.nack();
  const again = await expectMessage(inbox, 'job 1', 'redelivery after a NACK (the aborted ACK was dropped)');
  again.ack();
});

// ---------------------------------------------------------------------------
// 7c. Cross-protocol: STOMP and native clients share topics
// ---------------------------------------------------------------------------

/**
 * A native channel client (/ws/channel, docs/protocol.md) over a plain `ws`
 * WebSocket: returns { send(frame), next(label) } once `welcome` arrived.
 */
async function openNative(t, { user = uniqueName('native'), roles = [] } = {}) {
  const url = new URL('ws/channel', BASE);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', mintToken({ sub: user, roles }));
  url.searchParams.set('channelId', uniqueName('channel'));
  const ws = new WebSocket(url);
  t.after(() => ws.terminate());
  const frames = new AsyncQueue();
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  ws.on('close', (code) => frames.fail(new Error(`native WebSocket closed (code ${code})`)));
  await within(
    new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    }),
    'native WebSocket handshake',
  );
  const welcome = await frames.next('welcome');
  assert.equal(welcome.type, 'welcome', JSON.stringify(welcome));
  return { send: (frame) => ws.send(JSON.stringify(frame)), next: (label) => frames.next(label) };
}

test('7c. cross-protocol: STOMP SEND reaches native subscribers, native publish reaches STOMP', async (t) => {
  await t.test('STOMP -> native', async (t) => {
    const topic = uniqueName('cross');
    const native = await openNative(t);
    native.send({ type: 'subscribe', topic });
    const subscribed = await native.next('subscribed');
    assert.equal(subscribed.type, 'subscribed', JSON.stringify(subscribed));
    const publisher = await connect(t, { roles: ['publisher'] });
    publisher.send(`/topic/${topic}`, 'from stomp', { 'content-type': 'text/plain' });
    const message = await native.next('the STOMP SEND on the native side');
    assert.equal(message.type, 'message', JSON.stringify(message));
    assert.equal(message.topic, topic);
    assert.equal(message.data, 'from stomp', 'a text body that is not JSON is a JSON string');
  });

  await t.test('native -> STOMP', async (t) => {
    const topic = uniqueName('cross');
    const subscriber = await connect(t);
    const inbox = await subscriber.subscribe(`/topic/${topic}`);
    const native = await openNative(t, { roles: ['publisher'] });
    const data = { from: 'native', n: 1 };
    native.send({ type: 'publish', topic, data });
    const message = await inbox.next(`the native publish on /topic/${topic}`);
    assert.match(message.headers['content-type'] ?? '', /^application\/json/, describeFrame(message));
    assert.deepEqual(JSON.parse(message.body), data);
  });
});

// ---------------------------------------------------------------------------
// 8. Heart-beats
// ---------------------------------------------------------------------------

test('8. heart-beats: negotiated both ways, connection kept alive for 3 s', { timeout: 20_000 }, async (t) => {
  const session = await connect(t, { heartbeat: { incoming: 1000, outgoing: 1000 } });
  let heartbeatsReceived = 0;
  let heartbeatLost = false;
  session.client.onHeartbeatReceived = () => heartbeatsReceived++;
  session.client.onHeartbeatLost = () => (heartbeatLost = true);
  const header = session.connectedFrame.headers['heart-beat'];
  assert.match(header ?? '', /^\d+,\d+$/, `CONNECTED heart-beat header: ${header}`);
  const [serverSends] = header.split(',').map(Number);
  assert.ok(serverSends > 0, `client asked for heart-beats every 1000 ms but the server offers sx=${serverSends}`);

  // stompjs drops the socket if the server stays silent for 2 x max(1000, sx).
  await delay(3000);
  assert.ok(
    !session.closeEvent,
    heartbeatLost
      ? `stompjs dropped the connection: no server heart-beat (CONNECTED heart-beat:${header})`
      : `the server closed the connection (code ${session.closeEvent?.code})`,
  );
  assert.ok(session.client.connected, 'stompjs no longer connected');
  assert.ok(heartbeatsReceived >= 1, `no server heart-beat in 3 s (CONNECTED heart-beat:${header})`);
  t.diagnostic(`CONNECTED heart-beat:${header}; ${heartbeatsReceived} server heart-beats in 3 s`);
});

test('8b. a client that promised heart-beats and went silent is dropped', { timeout: 20_000 }, async (t) => {
  const raw = await openRaw(t);
  // cx=1000: the client promises a heart-beat every second; cy=0: none wanted from the server.
  const connected = await rawConnect(raw, { heartbeat: '1000,0' });
  const since = Date.now();
  const closed = await within(
    raw.waitClosed(10_000),
    `close of a silent client (CONNECTED heart-beat:${connected.headers['heart-beat']})`,
    10_000,
  ).catch((err) => {
    throw new Error(`${err.message}; server WebSocket pings seen: ${raw.pings()}`);
  });
  t.diagnostic(
    `dropped after ${closed.at - since} ms, close code ${closed.code}, CONNECTED heart-beat:${connected.headers['heart-beat']}`,
  );
});

// ---------------------------------------------------------------------------
// 9, 10. Protocol violations over a raw WebSocket
// ---------------------------------------------------------------------------

test('9. a malformed frame after CONNECT gets ERROR then close', async (t) => {
  const raw = await openRaw(t);
  await rawConnect(raw);
  raw.send('FOO\n\n\0');
  await expectErrorThenClose(raw, 'the unknown command FOO');
});

test('10. a frame before CONNECT gets ERROR then close', async (t) => {
  const raw = await openRaw(t);
  raw.send(stompFrame('SUBSCRIBE', { id: 'sub-0', destination: '/topic/echo' }));
  await expectErrorThenClose(raw, 'SUBSCRIBE before CONNECT');
});
