// A standalone server of a suite's own (java -jar JAR), for what the shared server cannot give:
// settings of its own (a small inbox), tokens for any user (the suite knows the secret), and a
// restart on the same port. As clients/js/test/support.mjs's OwnServer.
//
//   JAR  the standalone jar (default: the project's target/switchboard-standalone.jar)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const JAR = path.resolve(process.env.JAR || path.join(HERE, '..', '..', '..', 'target', 'switchboard-standalone.jar'));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function within(promise, what, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

export class OwnServer {
  #process;
  #exited;
  output = '';

  /**
   * Starts the jar with a fresh secret and API key plus `settings` (keys without "switchboard.").
   * devMode: no secret, as a new user starts it; the server makes one and prints DEV_TOKEN
   * (kept in devToken; token() cannot mint others then).
   */
  static async start(name, settings = {}, { devMode = false } = {}) {
    assert.ok(existsSync(JAR), `the standalone jar is missing: ${JAR} (build it with mvn -o -q -B package -DskipTests, or set JAR)`);
    const server = new OwnServer(name, {
      secret: randomBytes(32).toString('base64url'), apiKey: `key-${randomBytes(8).toString('hex')}`,
      settings, port: await freePort(), devMode,
    });
    await server.#launch();
    return server;
  }

  constructor(name, { secret, apiKey, settings, port, devMode }) {
    this.name = name;
    this.devMode = devMode;
    this.secret = devMode ? undefined : secret;
    this.apiKey = apiKey;
    this.settings = settings;
    this.port = port;
  }

  get url() { return `http://127.0.0.1:${this.port}/`; }

  async #launch() {
    const props = Object.entries({ ...(this.devMode ? {} : { 'jwt.secret': this.secret }), 'api.key': this.apiKey, ...this.settings })
      .map(([k, v]) => `-Dswitchboard.${k}=${v}`);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));
    const child = spawn('java', [`-Dswitchboard.port=${this.port}`, ...props, '-jar', JAR], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const started = new Promise((resolve, reject) => {
      const onData = (chunk) => {
        this.output += chunk;
        const token = /^DEV_TOKEN=(\S+)$/m.exec(this.output);
        if (token) this.devToken = token[1];
        if (/^Switchboard is running/m.test(this.output) && (!this.devMode || this.devToken)) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`server ${this.name} exited with ${code}:\n${this.output}`)));
    });
    await within(started, `server ${this.name} to start`, 120_000);
  }

  /** SIGTERM, as an operator stops it: every session is closed with 1001 first. */
  async stop() {
    if (this.#process.exitCode !== null) return;
    this.#process.kill('SIGTERM');
    await within(this.#exited, `server ${this.name} to stop`, 30_000);
  }

  /** The same server (port, secret, key, settings) started again: its memory is gone. */
  async restart() {
    await this.stop();
    const again = new OwnServer(`${this.name}-restarted`, this);
    await again.#launch();
    return again;
  }

  /** An HS256 JWT for `sub`, as the application's login would issue it. */
  token(sub, roles = []) {
    assert.ok(this.secret, 'a dev-mode server\'s secret is its own: use devToken');
    const now = Math.floor(Date.now() / 1000);
    const encode = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
    const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub, iat: now, exp: now + 600, roles })}`;
    return `${input}.${createHmac('sha256', this.secret).update(input).digest('base64url')}`;
  }

  /** The HTTP API as a backend calls it, with the API key. */
  async api(method, relPath, body) {
    const res = await fetch(new URL(relPath, this.url), {
      method,
      headers: { Authorization: `Bearer ${this.apiKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, text, json };
  }
}
