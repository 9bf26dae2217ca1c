// What the tests share: settings, tokens, the HTTP API, an event recorder, a TCP proxy that can
// cut connections, and standalone servers of the tests' own.
//
// Environment: BASE_URL (the shared server, e.g. http://127.0.0.1:8080/), SECRET (its HS256
// secret), API_KEY (its HTTP API key); JAR (the standalone jar, for tests that start and restart
// servers of their own; default ../../target/switchboard-standalone.jar).
//
// No fixed sleeps: every wait is for an event or a condition, with a timeout.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket as WsWebSocket } from 'ws';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const { SECRET, API_KEY } = process.env;
if (!process.env.BASE_URL || !SECRET || !API_KEY) {
  throw new Error('Set BASE_URL (e.g. http://127.0.0.1:8080/), SECRET (HS256 secret) and API_KEY');
}
/** The shared server's context root, with a trailing slash. */
export const BASE = withSlash(process.env.BASE_URL);
export const JAR = path.resolve(process.env.JAR || path.join(HERE, '..', '..', '..', 'target', 'switchboard-standalone.jar'));
/** What the shared server keeps per topic for resume (SWITCHBOARD_HISTORY_SIZE; .ci/run keeps the default). */
export const HISTORY_SIZE = Number(process.env.HISTORY_SIZE || 1000);
/** Node 20 has no WebSocket global unless flagged; the ws package is what a Node user passes in. */
export const WebSocket = globalThis.WebSocket ?? WsWebSocket;
export const WAIT_MS = 10_000;

const RUN = randomBytes(3).toString('hex');

function withSlash(u) { return u.endsWith('/') ? u : `${u}/`; }

/** A name no other test or run uses. */
export function unique(prefix) {
  return `${prefix}-${RUN}-${randomBytes(3).toString('hex')}`;
}

/** An HS256 JWT, minted as a backend would. */
export function mintToken({ sub, roles = [], channels, expiresInSeconds = 600, secret = SECRET } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const encode = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const claims = { sub, iat: now, exp: now + expiresInSeconds, roles, jti: randomBytes(8).toString('hex') };
  if (channels) claims.channels = channels;
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** The HTTP API of the server at `base`, with the API key. */
export async function api(method, relPath, body, { base = BASE, apiKey = API_KEY } = {}) {
  const res = await fetch(new URL(relPath, base), {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
}

export async function publish(topic, data, options) {
  const res = await api('POST', `api/v1/topics/${encodeURIComponent(topic)}/messages`, { data }, options);
  assert.equal(res.status, 202, `POST topics/${topic}/messages answered ${res.status}: ${res.text}`);
  return res.json;
}

export async function pushToUser(user, body, options) {
  const res = await api('POST', `api/v1/users/${encodeURIComponent(user)}/messages`, body, options);
  assert.equal(res.status, 202, `POST users/${user}/messages answered ${res.status}: ${res.text}`);
  return res.json;
}

/** Resolves with `promise`'s value, or rejects after timeoutMs. */
export function within(promise, label, timeoutMs = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls an async condition (an HTTP resource, say) until it holds; fails after timeoutMs. */
export async function eventually(condition, label, timeoutMs = WAIT_MS, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await condition();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const EVENTS = ['connecting', 'open', 'subscribed', 'recovery_failed', 'message', 'closed', 'reconnecting', 'expiring',
  'refreshed', 'error'];

/**
 * Records every event of a client, in order, and lets a test wait for the next event of a kind
 * or for any condition (re-checked after each event). Its log goes into failure messages.
 */
export class Recorder {
  log = [];
  #queues = new Map();
  #waiters = new Set();

  constructor(client) {
    for (const type of EVENTS) {
      this.#queues.set(type, { items: [], takers: [] });
      client.on(type, (payload) => this.#record(type, payload));
    }
  }

  #record(type, payload) {
    this.log.push({ type, payload });
    const q = this.#queues.get(type);
    const taker = q.takers.shift();
    if (taker) taker(payload);
    else q.items.push(payload);
    // Once the client's other handlers (a topic's, say) have run too.
    queueMicrotask(() => { for (const w of [...this.#waiters]) w(); });
  }

  /** The next event of `type` not taken yet. */
  next(type, timeoutMs = WAIT_MS) {
    const q = this.#queues.get(type);
    if (q.items.length) return Promise.resolve(q.items.shift());
    let taker;
    const p = new Promise((resolve) => { taker = resolve; q.takers.push(taker); });
    return within(p, `event '${type}'`, timeoutMs).catch((e) => {
      q.takers.splice(q.takers.indexOf(taker), 1);
      throw new Error(`${e.message} (events so far: ${this.describe()})`);
    });
  }

  /** Events of `type` recorded and not taken yet, taking them. */
  drain(type) {
    return this.#queues.get(type).items.splice(0);
  }

  /** Waits until `condition()` holds, checking now and after every event (and its handlers). */
  waitFor(condition, label, timeoutMs = WAIT_MS) {
    if (condition()) return Promise.resolve();
    let check;
    const p = new Promise((resolve) => {
      check = () => { if (condition()) resolve(); };
      this.#waiters.add(check);
    });
    return within(p, label, timeoutMs)
      .catch((e) => { throw new Error(`${e.message} (events so far: ${this.describe()})`); })
      .finally(() => this.#waiters.delete(check));
  }

  count(type) {
    return this.log.filter((e) => e.type === type).length;
  }

  of(type) {
    return this.log.filter((e) => e.type === type).map((e) => e.payload);
  }

  describe(last = 12) {
    return this.log.slice(-last).map(({ type, payload }) => {
      if (type === 'message') return `message(${payload.topic ?? payload.user ?? payload.channel} #${payload.offset ?? ''})`;
      if (type === 'error') return `error(${payload.code}: ${payload.message})`;
      return `${type}(${JSON.stringify(payload)})`;
    }).join(', ');
  }
}

/**
 * A TCP proxy in front of a server: clients that connect through it lose their connections when
 * cut() is called (the client sees a connection lost without a close frame, 1006, as after a
 * network failure), and while refusing, new connections are closed at once.
 */
export class TcpProxy {
  #server;
  #targetPort;
  #sockets = new Set();
  #refusing = false;
  connections = 0;

  static async start(targetUrl) {
    const proxy = new TcpProxy(Number(new URL(targetUrl).port));
    await new Promise((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  constructor(targetPort) {
    this.#targetPort = targetPort;
    this.#server = net.createServer((downstream) => {
      if (this.#refusing) {
        downstream.destroy();
        return;
      }
      this.connections++;
      const upstream = net.connect(this.#targetPort, '127.0.0.1');
      const pair = [downstream, upstream];
      const kill = () => { for (const s of pair) { s.destroy(); this.#sockets.delete(s); } };
      for (const s of pair) {
        this.#sockets.add(s);
        s.on('error', kill);
        s.on('close', kill);
      }
      downstream.pipe(upstream);
      upstream.pipe(downstream);
    });
  }

  /** The proxy as a server URL (context root /). */
  get url() {
    return `http://127.0.0.1:${this.#server.address().port}/`;
  }

  /** Drops every connection through the proxy, both ways, without a close frame. */
  cut() {
    for (const s of [...this.#sockets]) s.destroy();
    this.#sockets.clear();
  }

  refuse(refusing) {
    this.#refusing = refusing;
  }

  async close() {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * A standalone server of a test's own (java -jar JAR), with the shared SECRET and API_KEY plus
 * `settings` (keys without the switchboard. prefix), on a free port or the given one.
 */
export class OwnServer {
  #process;
  #exited;
  output = '';

  static async start(name, settings = {}, port) {
    assert.ok(existsSync(JAR), `the standalone jar is missing: ${JAR} (build it with mvn -o -q -B package -DskipTests, or set JAR)`);
    const server = new OwnServer(name, settings, port ?? await freePort());
    await server.#launch();
    return server;
  }

  constructor(name, settings, port) {
    this.name = name;
    this.settings = settings;
    this.port = port;
  }

  get url() { return `http://127.0.0.1:${this.port}/`; }

  async #launch() {
    const props = Object.entries({ 'jwt.secret': SECRET, 'api.key': API_KEY, ...this.settings })
      .map(([k, v]) => `-Dswitchboard.${k}=${v}`);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));
    const child = spawn('java', [`-Dswitchboard.port=${this.port}`, ...props, '-jar', JAR], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const started = new Promise((resolve, reject) => {
      const onData = (chunk) => {
        this.output += chunk;
        if (/^Switchboard is running/m.test(this.output)) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`server ${this.name} exited with ${code}:\n${this.output}`)));
    });
    await within(started, `server ${this.name} to start`, 60_000);
  }

  /** SIGTERM, as an operator stops it: every session is closed with 1001 first. */
  async stop() {
    if (this.#process.exitCode !== null) return;
    this.#process.kill('SIGTERM');
    await within(this.#exited, `server ${this.name} to stop`, 30_000);
  }

  /** The same server started again on the same port (its memory, and so its history, is gone). */
  async restart() {
    await this.stop();
    const again = new OwnServer(`${this.name}-restarted`, this.settings, this.port);
    await again.#launch();
    return again;
  }
}
