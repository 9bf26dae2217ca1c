/*
 * Switchboard JavaScript client: an ES module with no dependencies for browsers and Node.js 20+.
 *
 * It speaks the native protocol of /ws/channel (docs/protocol.md) and stays connected: it
 * reconnects with jittered exponential backoff, resubscribes every topic with `since` from the
 * last position it delivered, drops replayed duplicates, reports a gap it could not close as a
 * `recovery_failed` event, and acknowledges `ack: true` messages. When WebSocket does not get
 * through, it falls back to SockJS (xhr-streaming, then xhr-polling) on /sockjs/channel.
 *
 * Its retry and resume rules mirror the Java client (src/main/java/dev/switchboard/client:
 * RetryDecision, Backoff, TopicPositions, ClientStateMachine); change them together.
 *
 * The server serves this file at <context>/js/switchboard.js; clients/js/src is its only copy.
 */

/** Channel ids and topics (docs/protocol.md, Native endpoint). */
const NAME = /^[A-Za-z0-9._:-]{1,128}$/;
const TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling'];
/** Ack ids remembered so that a redelivery of a handled message is acked, not handled twice (as the Java client). */
const REMEMBERED_ACKS = 4096;
const OPEN = 1; // WebSocket.OPEN, also where no WebSocket global exists

// ---------------------------------------------------------------- retry rules (RetryDecision.java)

/** 'retry' | 'new-token' | 'stop' after an open session closed with `code`. */
function decisionForClose(code) {
  switch (code) {
    case 1000: return 'stop'; // normal closure
    case 1003: case 1009: return 'stop'; // we sent binary or a too large frame: retrying repeats it
    case 1008: return 'new-token'; // token expired while connected (or forbidden / abuse)
    case 4000: return 'stop'; // an operator disconnected this channel
    case 4009: return 'stop'; // replaced by a newer session on the same channel: the other one won
    // 1001 server stopping, 1006 connection lost, 1011 server fault, 1013 node cut off from Redis,
    // 4001 no heart-beat, 4008 slow consumer, 4010 messages lost between nodes (the resume then
    // answers recovered: false), 4029 rate limited, and codes we do not know: back off, come back
    default: return 'retry';
  }
}

/** The same after a refused handshake with HTTP `status` (0: no answer at all). */
function decisionForStatus(status) {
  if (status === 400 || status === 403) return 'stop'; // malformed request, origin or channel not permitted
  if (status === 401) return 'new-token'; // bad or expired token
  // 409 channel busy (the old session may still be closing), 429 rate limited, 5xx and no answer: retry
  return status >= 400 && status < 500 && status !== 409 && status !== 429 ? 'stop' : 'retry';
}

// ---------------------------------------------------------------- backoff (Backoff.java)

/**
 * Exponential growth from initialMs by multiplier per failed attempt, capped at maxMs, each delay
 * reduced by a random share of up to `jitter` ("equal jitter": with 0.5 a delay lies in
 * [base/2, base]) so that clients dropped together do not come back in step.
 */
class Backoff {
  #initial; #max; #multiplier; #jitter; #random;
  #attempts = 0;

  constructor({ initialMs = 200, maxMs = 10_000, multiplier = 2, jitter = 0.5 } = {}, random = Math.random) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) throw new RangeError('backoff needs 0 < initialMs <= maxMs');
    if (!(multiplier >= 1) || !(jitter >= 0 && jitter <= 1)) throw new RangeError('backoff needs multiplier >= 1 and jitter in [0, 1]');
    this.#initial = initialMs;
    this.#max = maxMs;
    this.#multiplier = multiplier;
    this.#jitter = jitter;
    this.#random = random;
  }

  /** The delay before the next attempt; each call counts one more failed attempt. */
  next() {
    const base = Math.min(this.#max, this.#initial * this.#multiplier ** this.#attempts);
    if (this.#attempts < 64) this.#attempts++; // beyond this the cap holds anyway
    return Math.round(base * (1 - this.#jitter * this.#random()));
  }

  /** After a good connection: start again from initialMs. */
  reset() { this.#attempts = 0; }
}

// ---------------------------------------------------------------- positions (TopicPositions.java)

/**
 * The last {epoch, offset} delivered per topic: what a reconnect resumes from and what is dropped
 * as already seen (docs/protocol.md, Delivery guarantees: offsets increase per topic within an epoch).
 */
class TopicPositions {
  #positions = new Map();
  /** Topics whose pending subscribe asked to resume from this position. */
  #resumeRequested = new Map();

  /** The position to send as `since` for `topic` now, or undefined; remembered until the answer. */
  resumeFrom(topic) {
    const position = this.#positions.get(topic);
    if (position === undefined) this.#resumeRequested.delete(topic);
    else this.#resumeRequested.set(topic, position);
    return position;
  }

  /**
   * Records a topic message: 'new', 'seen' for an offset at or below the last one seen in the same
   * epoch (a replay), or 'gap' for one past the next offset: within one session the server sends
   * every offset of a subscribed topic in order, so a skipped one was lost in transit (a polling
   * answer that died with its connection: SockJS has no acknowledgements). A gap is not recorded.
   */
  accept(topic, offset, epoch) {
    const last = this.#positions.get(topic);
    if (last !== undefined && last.epoch === epoch && offset <= last.offset) return 'seen';
    if (last !== undefined && last.epoch === epoch && offset > last.offset + 1) return 'gap';
    // Another epoch starts that epoch: the server lost its history, the `subscribed` answer says so.
    this.#positions.set(topic, { epoch, offset });
    return 'new';
  }

  /**
   * Records a `subscribed` answer. Returns { resumed, failure }: whether the request carried
   * `since`, and what could not be recovered (or null). A resume the server could not serve
   * reports the position last delivered; the stream continues after the server's position.
   */
  subscribed(topic, offset, epoch, recovered) {
    const asked = this.#resumeRequested.get(topic);
    this.#resumeRequested.delete(topic);
    const last = this.#positions.get(topic);
    if (recovered) {
      // The replay (offsets up to `offset`) arrived before this answer; keep the later position.
      if (last === undefined || last.epoch !== epoch || last.offset < offset) this.#positions.set(topic, { epoch, offset });
      return { resumed: asked !== undefined, failure: null };
    }
    this.#positions.set(topic, { epoch, offset });
    if (asked === undefined) return { resumed: false, failure: null };
    const seen = last !== undefined ? last : asked;
    return {
      resumed: true,
      failure: { topic, lastEpoch: seen.epoch, lastOffset: seen.offset, epoch, offset, epochChanged: seen.epoch !== epoch },
    };
  }

  /** Starts `topic` at a position kept elsewhere (e.g. across a page reload), as if delivered here. */
  seed(topic, epoch, offset) {
    this.#positions.set(topic, { epoch, offset });
  }

  position(topic) {
    const p = this.#positions.get(topic);
    return p === undefined ? undefined : { ...p };
  }

  forget(topic) {
    this.#positions.delete(topic);
    this.#resumeRequested.delete(topic);
  }
}

/** A bounded set of ids, oldest forgotten first. */
class RecentIds {
  #ids = new Set();
  #capacity;
  constructor(capacity) { this.#capacity = capacity; }
  add(id) {
    this.#ids.delete(id);
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value);
  }
  has(id) { return this.#ids.has(id); }
}

// ---------------------------------------------------------------- errors and messages

/**
 * What the 'error' event carries and what failed calls throw. `code` is the server's error code
 * for `error` frames (`forbidden`, `bad_request`, `not_found`, `too_large`, `rate_limited`,
 * `recovery_failed`, `internal`), else one of this client's: `not_connected`, `closed`,
 * `listener` (an event handler threw), `unreadable_frame`, `refused` (connect() gave up after a
 * refused handshake, see `status`), `disconnected` (connect() gave up after a close, see `closeCode`).
 */
export class SwitchboardError extends Error {
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    for (const [k, v] of Object.entries(details)) if (k !== 'cause' && v !== undefined) this[k] = v;
  }
}

/**
 * A delivered `message` frame. Exactly one of topic / user / channel is set, or broadcast is true.
 * `ack()` acknowledges an `ack: true` message (manual mode; in auto mode the client does it once
 * the handlers returned); it does nothing for others and when called twice.
 */
class Message {
  #ackFn;
  constructor(frame, redelivered, ackFn) {
    this.id = frame.id;
    this.topic = frame.topic;
    this.user = frame.user;
    this.channel = frame.channel;
    this.broadcast = frame.broadcast === true;
    this.destination = frame.destination;
    this.offset = frame.offset;
    this.epoch = frame.epoch;
    this.data = frame.data;
    this.ts = frame.ts;
    this.ackRequired = frame.ack === true && typeof frame.id === 'string';
    this.redelivered = redelivered;
    this.acked = false;
    this.#ackFn = ackFn;
  }

  ack() {
    if (!this.ackRequired || this.acked) return;
    this.acked = true;
    this.#ackFn(this.id);
  }
}

// ---------------------------------------------------------------- transports

/**
 * What every transport's connection offers the client: send(text), close(code, reason) (after
 * which it reports nothing), and attach(sink) with sink.frame(text), sink.alive() (a SockJS
 * heart-beat) and sink.closed(code, reason). Reports made before attach are kept until then.
 */
class Connection {
  #sink = null;
  #pending = [];
  #done = false;
  attach(sink) {
    this.#sink = sink;
    for (const [method, args] of this.#pending.splice(0)) sink[method](...args);
  }
  /** Whether close() was called or the connection reported its close. */
  get done() { return this.#done; }
  report(method, ...args) {
    if (this.#done) return;
    if (method === 'closed') this.#done = true;
    if (this.#sink) this.#sink[method](...args);
    else this.#pending.push([method, args]);
  }
  markDone() { this.#done = true; }
}

class WebSocketConnection extends Connection {
  #ws;
  constructor(ws) {
    super();
    this.#ws = ws;
    ws.onmessage = (ev) => {
      // Browsers, Node's global WebSocket and the ws package all hand text frames over as strings.
      if (typeof ev.data === 'string') this.report('frame', ev.data);
      else this.report('frame', null);
    };
    ws.onclose = (ev) => this.report('closed', ev.code || 1005, ev.reason || '');
    ws.onerror = () => {}; // the close event follows and decides
  }
  send(text) {
    if (this.#ws.readyState !== OPEN) throw new SwitchboardError('not_connected', 'the WebSocket is not open');
    this.#ws.send(text);
  }
  close(code, reason) {
    if (this.done) return;
    this.markDone();
    try { this.#ws.close(code, reason); } catch { /* closing already */ }
  }
}

/**
 * A SockJS 0.3.3 session over fetch (works with browsers' fetch and Node's): the receiving side
 * is one long POST to xhr_streaming read as a stream, re-opened whenever the server ends it, or
 * a series of POSTs to xhr (polling); sending is one xhr_send POST at a time, carrying everything
 * queued meanwhile, so frames keep their order.
 */
class SockJsConnection extends Connection {
  #fetch; #sessionUrl; #query; #receiver;
  #abort = new AbortController();
  #outbox = [];
  #sending = false;
  #opened = false;

  constructor(fetchFn, sessionUrl, query, streaming) {
    super();
    this.#fetch = fetchFn;
    this.#sessionUrl = sessionUrl;
    this.#query = query;
    this.#receiver = streaming ? 'xhr_streaming' : 'xhr';
  }

  #url(path) {
    return `${this.#sessionUrl}${path}?${this.#query}`;
  }

  /**
   * Creates the session and waits for its open frame. Resolves null once open, else a failure
   * { status, refused, error, message, reason } (refused: the server's own {"error"} answer).
   */
  async start(timeoutMs) {
    let timer;
    const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    const noOpen = { status: 0, reason: `no SockJS open frame within ${timeoutMs} ms` };
    try {
      const res = await Promise.race([this.#post(this.#receiver), timedOut]);
      if (res === 'timeout') {
        this.close();
        return noOpen;
      }
      if (res.status !== 200) {
        const failure = await refusalOf(res);
        this.close();
        return failure;
      }
      const outcome = new Promise((resolve) => { this.#startOutcome = resolve; });
      this.#receive(res); // reads this first response, then keeps receiving
      const result = await Promise.race([outcome, timedOut.then(() => noOpen)]);
      if (result !== null) this.close();
      return result;
    } catch (e) {
      this.close();
      return { status: 0, reason: `SockJS request failed: ${e.message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Settles start(): null once open, else the failure; later calls do nothing. */
  #startOutcome = () => {};

  /** Reports a lost session: to start() before the open frame, to the client after it. */
  #lost(code, reason) {
    if (this.#opened) {
      this.report('closed', code, reason);
    } else {
      this.#startOutcome({ status: 0, reason: `SockJS session closed before it opened: ${code} ${reason}` });
    }
  }

  #post(path, body) {
    return this.#fetch(this.#url(path), {
      method: 'POST',
      body,
      headers: body === undefined ? undefined : { 'Content-Type': 'text/plain;charset=UTF-8' },
      cache: 'no-store',
      signal: this.#abort.signal,
    });
  }

  async #receive(first) {
    let res = first;
    try {
      for (;;) {
        const ended = await this.#read(res);
        if (ended || this.done) return;
        if (!this.#opened) {
          this.#lost(1006, 'the first SockJS response ended without an open frame');
          return;
        }
        // The server ended this response (size or time limit, or one poll answered): ask again.
        res = await this.#post(this.#receiver);
        if (this.done) return;
        if (res.status !== 200) {
          this.#lost(1006, `SockJS session lost (HTTP ${res.status})`);
          return;
        }
      }
    } catch (e) {
      if (!this.done) this.#lost(1006, `SockJS connection lost: ${e.message}`);
    }
  }

  /** Reads one response's frames; true once a close frame ended the session. */
  async #read(res) {
    const decoder = new TextDecoder();
    let buffered = '';
    const handle = (line) => this.#frame(line);
    if (!res.body) {
      buffered = await res.text();
      return this.#lines(buffered + '\n', handle).closed;
    }
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        const { rest, closed } = this.#lines(buffered, handle);
        buffered = rest;
        if (closed) return true;
        if (this.done) return true;
      }
      buffered += decoder.decode();
      return this.#lines(buffered + (buffered ? '\n' : ''), handle).closed;
    } finally {
      try { reader.releaseLock(); } catch { /* a read still pending after an abort */ }
    }
  }

  #lines(text, handle) {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (handle(line)) return { rest: '', closed: true };
    }
    return { rest: text.slice(start), closed: false };
  }

  /** One SockJS frame (o, h, a[...], c[code,"reason"]); true if it closed the session. */
  #frame(line) {
    if (line === '' || this.done) return this.done;
    switch (line[0]) {
      case 'o':
        if (!this.#opened) {
          this.#opened = true;
          this.#startOutcome(null);
        }
        return false;
      case 'h': // also the streaming prelude of 2048 'h'
        if (this.#opened) this.report('alive');
        return false;
      case 'a': {
        let messages;
        try { messages = JSON.parse(line.slice(1)); } catch { messages = null; }
        if (!Array.isArray(messages)) {
          this.report('frame', null);
          return false;
        }
        for (const m of messages) this.report('frame', typeof m === 'string' ? m : null);
        return false;
      }
      case 'c': {
        let close;
        try { close = JSON.parse(line.slice(1)); } catch { close = null; }
        const code = Array.isArray(close) && Number.isInteger(close[0]) ? close[0] : 1006;
        const reason = Array.isArray(close) && typeof close[1] === 'string' ? close[1] : '';
        this.#abort.abort();
        this.#lost(code, reason);
        this.markDone();
        return true;
      }
      default:
        return false;
    }
  }

  send(text) {
    if (this.done) throw new SwitchboardError('not_connected', 'the SockJS session is closed');
    this.#outbox.push(text);
    this.#flush();
  }

  async #flush() {
    if (this.#sending || this.#outbox.length === 0 || this.done) return;
    this.#sending = true;
    const batch = this.#outbox.splice(0);
    try {
      const res = await this.#post('xhr_send', JSON.stringify(batch));
      if (res.status < 200 || res.status >= 300) {
        this.#abort.abort();
        this.report('closed', 1006, `SockJS send refused (HTTP ${res.status})`);
        return;
      }
    } catch (e) {
      if (!this.done) {
        this.#abort.abort();
        this.report('closed', 1006, `SockJS send failed: ${e.message}`);
      }
      return;
    } finally {
      this.#sending = false;
    }
    this.#flush();
  }

  /** SockJS has no client close frame: stop receiving; the server ends the session after its disconnect delay. */
  close() {
    if (this.done) return;
    this.markDone();
    this.#abort.abort();
  }
}

/** A refusal's details: the server's own answers carry {"error", "message"} JSON. */
async function refusalOf(res) {
  let body = null;
  try { body = JSON.parse(await res.text()); } catch { body = null; }
  const refused = body !== null && typeof body === 'object' && typeof body.error === 'string';
  return {
    status: res.status,
    refused,
    error: refused ? body.error : undefined,
    message: refused && typeof body.message === 'string' ? body.message : undefined,
    reason: refused ? `refused: ${res.status} ${body.error}` : `HTTP ${res.status}`,
  };
}

/** A random, unguessable SockJS session id (and a server id of three digits, as sockjs-client uses). */
function randomIds() {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  const session = Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  const server = String(((bytes[16] << 8) | bytes[17]) % 1000).padStart(3, '0');
  return { server, session };
}

/** The context root this module was served from (<context>/js/switchboard.js), if it was. */
function servedFrom() {
  try {
    const self = new URL(import.meta.url);
    if ((self.protocol === 'http:' || self.protocol === 'https:') && self.pathname.endsWith('/js/switchboard.js')) {
      return new URL('../', self);
    }
  } catch { /* not a URL we know */ }
  return null;
}

function contextRoot(url) {
  if (url === undefined || url === null) {
    const served = servedFrom();
    if (served) return served;
    throw new TypeError('url is required (the server\'s address with its context root, e.g. http://localhost:8080/)');
  }
  const base = new URL(String(url), globalThis.location?.href);
  if (base.protocol === 'ws:') base.protocol = 'http:';
  else if (base.protocol === 'wss:') base.protocol = 'https:';
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`url must be http(s) or ws(s): ${url}`);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return base;
}

// ---------------------------------------------------------------- the client

/**
 * A client of one channel. Events (client.on(name, handler), which returns a function that
 * removes the handler): connecting, open, subscribed, recovery_failed, message, closed,
 * reconnecting, expiring, refreshed, error, frame. See clients/js/README.md and switchboard.d.ts.
 *
 * Everything runs on the caller's event loop; handlers are called one at a time, in the order
 * things happened.
 */
export class SwitchboardClient {
  // settings
  #base; #channelId; #tokenSource; #ackMode; #transports; #WebSocket; #fetch; #backoff;
  #connectTimeoutMs; #shouldReconnect;
  // life
  #state = 'idle';
  #final = false; // close() was called
  #generation = 0; // bumps on connect() and close(): late results of older attempts are dropped
  #start = null; // { promise, resolve, reject, settled }
  #timer = null; // the scheduled reconnect
  #attempts = 0; // attempts since connect()
  #nextToken; // a token fetched while deciding to retry, for the next attempt
  // the current connection
  #conn = null;
  #connToken;
  #transport = null;
  #opened = false; // the current connection's transport opened
  #welcomed = false;
  #session = null; // the welcome frame
  #heartbeatTimer = null;
  #lastFrameAt = 0;
  #pongs = []; // pending pings, oldest first: { resolve, reject, sentAt } or null for the client's own
  // subscriptions and delivery
  #topics = new Map(); // topic -> { refs, handlers: Set }, in subscription order
  #positions = new TopicPositions();
  #unanswered = new Set();
  #handledAcks = new RecentIds(REMEMBERED_ACKS);
  #deliveredAcks = new RecentIds(REMEMBERED_ACKS);
  #listeners = new Map();

  /**
   * @param {object} options see switchboard.d.ts (SwitchboardOptions)
   */
  constructor(options = {}) {
    const {
      url, token, channelId, ack = 'auto', transports = TRANSPORTS, WebSocket: WebSocketCtor,
      fetch: fetchFn, backoff, random, connectTimeoutMs = 10_000, shouldReconnect,
    } = options;
    this.#base = contextRoot(url);
    if (typeof channelId !== 'string' || !NAME.test(channelId)) {
      throw new TypeError('channelId must match [A-Za-z0-9._:-]{1,128}');
    }
    if (typeof token !== 'string' && typeof token !== 'function') throw new TypeError('token must be a string or a function');
    if (ack !== 'auto' && ack !== 'manual') throw new TypeError("ack must be 'auto' or 'manual'");
    if (!Array.isArray(transports) || transports.length === 0 || transports.some((t) => !TRANSPORTS.includes(t))) {
      throw new TypeError(`transports must be a non-empty list of ${TRANSPORTS.join(', ')}`);
    }
    this.#channelId = channelId;
    this.#tokenSource = token;
    this.#ackMode = ack;
    this.#transports = [...new Set(transports)];
    this.#WebSocket = WebSocketCtor ?? globalThis.WebSocket;
    this.#fetch = fetchFn ?? globalThis.fetch?.bind(globalThis);
    this.#backoff = new Backoff(backoff, random);
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#shouldReconnect = shouldReconnect;
  }

  /** 'idle' | 'connecting' | 'open' | 'reconnecting' | 'stopped' (gave up; connect() may start again) | 'closed' (close() was called). */
  get state() { return this.#state; }

  /** The transport of the current connection ('websocket', 'xhr-streaming', 'xhr-polling') or null. */
  get transport() { return this.#opened ? this.#transport : null; }

  /** The current session's welcome ({ sessionId, channelId, user, heartbeatMs }) or null. */
  get session() { return this.#welcomed ? { ...this.#session } : null; }

  get channelId() { return this.#channelId; }

  /** The last { offset, epoch } delivered for `topic` (what a reconnect resumes from), or undefined. */
  position(topic) { return this.#positions.position(topic); }

  /** The subscribed topics, in subscription order. */
  get topics() { return [...this.#topics.keys()]; }

  on(event, handler) {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(handler);
    return () => this.off(event, handler);
  }

  off(event, handler) {
    this.#listeners.get(event)?.delete(handler);
  }

  /**
   * Starts connecting, and reconnecting until close() or a refusal that retrying cannot fix.
   * Resolves once a session is open and every subscription made before is answered; rejects
   * with a SwitchboardError if the client gives up first. While connecting or connected it
   * returns the same promise.
   */
  connect() {
    if (this.#final) return Promise.reject(new SwitchboardError('closed', 'the client is closed'));
    if (this.#state === 'connecting' || this.#state === 'open' || this.#state === 'reconnecting') {
      return this.#start.promise;
    }
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    promise.catch(() => {}); // a caller that does not await must not see an unhandled rejection
    this.#start = { promise, resolve, reject, settled: false };
    this.#generation++;
    this.#attempts = 0;
    this.#backoff.reset();
    this.#attempt(this.#generation);
    return promise;
  }

  /**
   * Subscribes to `topic`, now if connected and after every reconnect, resuming from the last
   * position delivered. `handler` (optional) gets this topic's messages. `options.since`
   * ({ offset, epoch }, e.g. kept across a page reload) is where a new subscription starts, as if
   * that position had been delivered here. Returns a function that ends this subscription; the
   * topic is unsubscribed once every subscribe() of it has ended.
   */
  subscribe(topic, handler, options = {}) {
    if (typeof topic !== 'string' || !NAME.test(topic)) throw new TypeError('topic must match [A-Za-z0-9._:-]{1,128}');
    if (handler !== undefined && handler !== null && typeof handler !== 'function') throw new TypeError('handler must be a function');
    const { since } = options ?? {};
    if (since !== undefined && (!Number.isInteger(since?.offset) || since.offset < 0 || typeof since.epoch !== 'string')) {
      throw new TypeError('since must be { offset: integer >= 0, epoch: string }');
    }
    let entry = this.#topics.get(topic);
    const isNew = entry === undefined;
    if (isNew) {
      entry = { refs: 0, handlers: new Set() };
      this.#topics.set(topic, entry);
      if (since !== undefined) this.#positions.seed(topic, since.epoch, since.offset);
    }
    entry.refs++;
    if (handler) entry.handlers.add(handler);
    if (isNew && this.#welcomed) this.#sendFrame(this.#subscribeRequest(topic));
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (this.#topics.get(topic) !== entry) return; // unsubscribed meanwhile
      if (handler) entry.handlers.delete(handler);
      if (--entry.refs === 0) this.unsubscribe(topic);
    };
  }

  /** Ends every subscription of `topic` and forgets its position; false if it was not subscribed. */
  unsubscribe(topic) {
    if (!this.#topics.delete(topic)) return false;
    this.#positions.forget(topic);
    if (this.#welcomed) {
      this.#sendFrame({ type: 'unsubscribe', topic });
      if (this.#unanswered.delete(topic) && this.#unanswered.size === 0) this.#established();
    }
    return true;
  }

  /** Publishes `data` to `topic` (needs role publisher or an open-publish rule). Throws if not connected: nothing is queued. */
  publish(topic, data) {
    this.#requireOpen();
    this.#sendFrame({ type: 'publish', topic, data });
  }

  /** Hands `data` to the server's handler for destination `to` (e.g. 'echo'). Throws if not connected. */
  send(to, data) {
    this.#requireOpen();
    this.#sendFrame({ type: 'send', to, data });
  }

  /** Sends a `ping`; resolves with the round trip in ms when the `pong` arrives, rejects if the connection ends first. */
  ping() {
    this.#requireOpen();
    return new Promise((resolve, reject) => {
      this.#pongs.push({ resolve, reject, sentAt: now() });
      this.#sendFrame({ type: 'ping' });
    });
  }

  /** Closes the session with 1000 and stops for good. */
  close(reason = 'client closed') {
    if (this.#final) return;
    this.#final = true;
    this.#generation++;
    const before = this.#state;
    const wasOpen = this.#opened;
    const transport = this.#transport;
    this.#cancelTimer();
    this.#dropConnection(1000, reason);
    this.#state = 'closed';
    this.#rejectStart(new SwitchboardError('closed', 'the client was closed'));
    if (before !== 'stopped' && before !== 'idle' && before !== 'closed') {
      this.#emit('closed', { code: 1000, reason, wasOpen, willRetry: false, transport });
    }
  }

  // ---------------------------------------------------------------- connecting

  async #attempt(generation) {
    this.#timer = null;
    if (generation !== this.#generation) return;
    this.#attempts++;
    this.#setState('connecting');
    let token;
    try {
      token = await this.#tokenForAttempt();
      if (typeof token !== 'string' || token === '') throw new TypeError('the token function returned no token');
    } catch (e) {
      if (generation !== this.#generation) return;
      // e.g. the token service is down: retry, it may recover
      this.#attemptFailed(generation, { status: 0, reason: `no token: ${e.message}` }, undefined);
      return;
    }
    if (generation !== this.#generation) return;
    let failure = { status: 0, reason: 'no transport available' };
    let lastStatus = 0;
    for (const name of this.#transports) {
      if (name === 'websocket' && typeof this.#WebSocket !== 'function') continue; // e.g. Node 20 without a WebSocket
      if (name !== 'websocket' && typeof this.#fetch !== 'function') continue;
      const result = name === 'websocket'
        ? await this.#tryWebSocket(generation, token)
        : await this.#trySockJs(generation, token, name === 'xhr-streaming');
      if (generation !== this.#generation) {
        result.conn?.close(1000, 'client closed');
        return;
      }
      if (result.conn) {
        this.#adopt(result.conn, name, token);
        return;
      }
      failure = result.failure;
      if (failure.status) lastStatus = failure.status;
      // The server said no (another transport gets the same answer), or did not answer at all.
      if (failure.refused || failure.unreachable) break;
    }
    // No transport connected and the server refused nothing: decide on the last HTTP status seen
    // (e.g. 404, a server without SockJS behind a WebSocket-blocking proxy), 0 if none.
    if (!failure.refused) failure = { ...failure, status: lastStatus };
    this.#attemptFailed(generation, failure, token);
  }

  async #tokenForAttempt() {
    if (this.#nextToken !== undefined) {
      const t = this.#nextToken;
      this.#nextToken = undefined;
      return t;
    }
    return typeof this.#tokenSource === 'function' ? await this.#tokenSource() : this.#tokenSource;
  }

  #query(token) {
    return `token=${encodeURIComponent(token)}&channelId=${encodeURIComponent(this.#channelId)}`;
  }

  /**
   * One WebSocket try. A refused handshake, which a browser reports only as 1006, is explained by
   * a plain GET of the same URL: the refusal's status, or 426 if the server would accept. On 426
   * the WebSocket is tried once more before falling back, so that a channel that was busy for a
   * moment (its old session still closing) does not send the client to SockJS.
   */
  async #tryWebSocket(generation, token) {
    let failure;
    for (let round = 0; round < 2; round++) {
      this.#emit('connecting', { transport: 'websocket', attempt: this.#attempts });
      const outcome = await this.#openWebSocket(token);
      if (outcome.conn || generation !== this.#generation) return outcome;
      if (typeof this.#fetch !== 'function') return outcome;
      failure = await this.#probe(token, outcome.failure);
      if (generation !== this.#generation || !failure.wouldAccept) return { failure };
    }
    return { failure };
  }

  #openWebSocket(token) {
    const url = new URL('ws/channel', this.#base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = this.#query(token);
    return new Promise((resolve) => {
      let ws;
      try {
        ws = new this.#WebSocket(url.href);
      } catch (e) {
        resolve({ failure: { status: 0, reason: `WebSocket failed: ${e.message}` } });
        return;
      }
      let settled = false;
      const settle = (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        settle({ failure: { status: 0, reason: `WebSocket not open within ${this.#connectTimeoutMs} ms` } });
        ws.onopen = ws.onclose = null;
        try { ws.close(); } catch { /* never opened */ }
      }, this.#connectTimeoutMs);
      ws.onerror = () => {};
      ws.onclose = (ev) => settle({ failure: { status: 0, reason: `WebSocket closed before it opened (${ev?.code ?? 1006})` } });
      ws.onopen = () => settle({ conn: new WebSocketConnection(ws) }); // takes over the handlers at once
    });
  }

  /** GET of the handshake URL without Upgrade (docs/protocol.md): what the server thinks of this handshake. */
  async #probe(token, wsFailure) {
    const url = new URL('ws/channel', this.#base);
    url.search = this.#query(token);
    let res;
    try {
      res = await this.#fetch(url.href, { method: 'GET', cache: 'no-store', signal: AbortSignal.timeout(this.#connectTimeoutMs) });
    } catch (e) {
      // No answer at all: no other transport gets through now either.
      return { status: 0, unreachable: true, reason: `${wsFailure.reason}; the server did not answer (${e.message})` };
    }
    const answer = await refusalOf(res);
    if (res.status === 426) {
      return { status: 0, wouldAccept: true, reason: `${wsFailure.reason} although the server would accept the handshake` };
    }
    if (answer.refused) return answer;
    // Not the server's answer (e.g. a proxy's page): this path is unusable here, try the next transport.
    return { status: res.status, reason: `${wsFailure.reason}; GET ${url.pathname} answered HTTP ${res.status}` };
  }

  async #trySockJs(generation, token, streaming) {
    const name = streaming ? 'xhr-streaming' : 'xhr-polling';
    this.#emit('connecting', { transport: name, attempt: this.#attempts });
    const { server, session } = randomIds();
    const sessionUrl = new URL(`sockjs/channel/${server}/${session}/`, this.#base).href;
    const conn = new SockJsConnection(this.#fetch, sessionUrl, this.#query(token), streaming);
    const failure = await conn.start(this.#connectTimeoutMs);
    if (failure === null) return { conn };
    return { failure };
  }

  #adopt(conn, transport, token) {
    this.#conn = conn;
    this.#connToken = token;
    this.#transport = transport;
    this.#opened = true;
    this.#welcomed = false;
    this.#lastFrameAt = now();
    conn.attach({
      frame: (text) => { if (this.#conn === conn) this.#frameArrived(text); },
      alive: () => { if (this.#conn === conn) this.#lastFrameAt = now(); },
      closed: (code, reason) => { if (this.#conn === conn) this.#connectionClosed(code, reason); },
    });
  }

  async #attemptFailed(generation, failure, token) {
    const status = failure.status || 0;
    const decision = decisionForStatus(status);
    const info = {
      code: 1006, reason: failure.message || failure.reason || 'connection failed', wasOpen: false,
      status, error: failure.error, message: failure.message, transport: null,
    };
    await this.#decide(generation, decision, token, info);
  }

  async #connectionClosed(code, reason) {
    const generation = this.#generation;
    const wasOpen = this.#opened;
    const transport = this.#transport;
    const token = this.#connToken;
    this.#dropConnection();
    await this.#decide(generation, decisionForClose(code), token, { code, reason, wasOpen, transport });
  }

  /** After a failed attempt or a close: retry after the backoff delay, or stop. */
  async #decide(generation, decision, usedToken, info) {
    let willRetry = await this.#shouldRetry(decision, usedToken);
    if (generation !== this.#generation) return;
    if (willRetry && this.#shouldReconnect) {
      try {
        willRetry = this.#shouldReconnect({ ...info }) !== false;
      } catch (e) {
        this.#emitError(new SwitchboardError('listener', `shouldReconnect threw: ${e.message}`, { cause: e }));
      }
    }
    this.#emit('closed', { ...info, willRetry });
    if (generation !== this.#generation) return; // a handler called close() or connect()
    if (!willRetry) {
      this.#setState('stopped');
      this.#rejectStart(info.wasOpen
        ? new SwitchboardError('disconnected', `closed by the server with ${info.code} ${info.reason}`.trim(), { closeCode: info.code })
        : new SwitchboardError('refused', `connecting failed: ${info.reason}`, { status: info.status, error: info.error }));
      return;
    }
    const delayMs = this.#backoff.next();
    this.#setState('reconnecting');
    this.#emit('reconnecting', { delayMs, attempt: this.#attempts + 1 });
    if (generation !== this.#generation) return;
    this.#timer = setTimeout(() => this.#attempt(generation), delayMs);
  }

  /** RETRY_WITH_NEW_TOKEN retries only with a token different from the refused one (ConnectionAttempts.java). */
  async #shouldRetry(decision, usedToken) {
    if (decision === 'stop') return false;
    if (decision === 'retry') return true;
    if (typeof this.#tokenSource !== 'function') return false;
    let fresh;
    try {
      fresh = await this.#tokenSource();
    } catch {
      return true; // the token source may recover: the next attempt asks it again
    }
    if (typeof fresh !== 'string' || fresh === '' || fresh === usedToken) return false;
    this.#nextToken = fresh;
    return true;
  }

  /** Forgets the current connection (closing it with `code` if given) and fails its pending pings. */
  #dropConnection(code, reason) {
    const conn = this.#conn;
    this.#conn = null;
    this.#opened = false;
    this.#welcomed = false;
    this.#session = null;
    this.#unanswered.clear();
    this.#stopHeartbeat();
    for (const p of this.#pongs.splice(0)) p?.reject(new SwitchboardError('not_connected', 'the connection closed before the pong'));
    if (conn && code !== undefined) conn.close(code, reason);
  }

  #cancelTimer() {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  #setState(state) { this.#state = state; }

  #established() {
    this.#backoff.reset();
    this.#attempts = 0;
    if (this.#start && !this.#start.settled) {
      this.#start.settled = true;
      this.#start.resolve();
    }
  }

  #rejectStart(error) {
    if (this.#start && !this.#start.settled) {
      this.#start.settled = true;
      this.#start.reject(error);
    }
  }

  // ---------------------------------------------------------------- heart-beat (HeartbeatWatchdog.java)

  /**
   * The server pings every heartbeatMs, but a browser answers WebSocket pings without telling the
   * page. So: a `ping` frame after an interval without frames, and the connection counts as lost
   * (1006) after two, as the server does with its peers.
   */
  #startHeartbeat(intervalMs) {
    this.#stopHeartbeat();
    if (!(intervalMs > 0)) return;
    const conn = this.#conn;
    this.#heartbeatTimer = setInterval(() => {
      if (this.#conn !== conn) return;
      const silent = now() - this.#lastFrameAt;
      if (silent >= 2 * intervalMs) {
        conn.close(1000, 'no frames from the server');
        this.#connectionClosed(1006, `no frames from the server for ${Math.round(silent)} ms`);
      } else if (silent >= intervalMs) {
        this.#pongs.push(null);
        this.#sendFrame({ type: 'ping' });
      }
    }, intervalMs);
  }

  #stopHeartbeat() {
    if (this.#heartbeatTimer !== null) {
      clearInterval(this.#heartbeatTimer);
      this.#heartbeatTimer = null;
    }
  }

  // ---------------------------------------------------------------- frames

  #requireOpen() {
    if (!this.#welcomed) throw new SwitchboardError('not_connected', `not connected (the client is ${this.#state})`);
  }

  #sendFrame(frame) {
    const conn = this.#conn;
    if (!conn) return false;
    try {
      conn.send(JSON.stringify(frame));
    } catch (e) {
      this.#emitError(e instanceof SwitchboardError ? e : new SwitchboardError('not_connected', `sending failed: ${e.message}`, { cause: e }));
      return false;
    }
    // The frame event is for debugging pages and consoles, which may show it: never a token.
    this.#emit('frame', { direction: 'out', frame: frame.type === 'refresh' ? { ...frame, token: '(hidden)' } : frame });
    return true;
  }

  #subscribeRequest(topic) {
    const since = this.#positions.resumeFrom(topic);
    return since === undefined
      ? { type: 'subscribe', topic }
      : { type: 'subscribe', topic, since: { offset: since.offset, epoch: since.epoch } };
  }

  #frameArrived(text) {
    this.#lastFrameAt = now();
    let frame;
    try {
      frame = text === null ? undefined : JSON.parse(text);
    } catch {
      frame = undefined;
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
      this.#emit('frame', { direction: 'in', text: text ?? '[binary frame]', invalid: true });
      this.#emitError(new SwitchboardError('unreadable_frame', 'the server sent a frame this client cannot read', { text }));
      return;
    }
    this.#emit('frame', { direction: 'in', frame });
    switch (frame.type) {
      case 'welcome': this.#welcome(frame); break;
      case 'subscribed': this.#subscribed(frame); break;
      case 'message': this.#deliver(frame); break;
      case 'error': this.#serverError(frame); break;
      case 'pong': this.#pong(); break;
      case 'expiring': this.#expiring(frame); break;
      case 'refreshed': this.#refreshed(frame); break;
      default: break; // frames of later protocol versions: the frame event shows them
    }
  }

  #welcome(frame) {
    const conn = this.#conn;
    this.#welcomed = true;
    this.#session = {
      sessionId: frame.sessionId, channelId: frame.channelId, user: frame.user, heartbeatMs: frame.heartbeatMs,
    };
    this.#setState('open');
    this.#emit('open', { ...this.#session, transport: this.#transport });
    if (this.#conn !== conn) return; // a handler closed it
    this.#unanswered = new Set(this.#topics.keys());
    for (const topic of this.#topics.keys()) this.#sendFrame(this.#subscribeRequest(topic));
    this.#startHeartbeat(frame.heartbeatMs);
    if (this.#unanswered.size === 0) this.#established();
  }

  #subscribed(frame) {
    const { topic, offset, epoch } = frame;
    if (!this.#topics.has(topic)) return; // unsubscribed meanwhile
    const { resumed, failure } = this.#positions.subscribed(topic, offset, epoch, frame.recovered === true);
    this.#emit('subscribed', { topic, offset, epoch, recovered: frame.recovered === true, resumed });
    if (failure) this.#emit('recovery_failed', failure);
    this.#answered(topic);
  }

  #answered(topic) {
    if (this.#unanswered.delete(topic) && this.#unanswered.size === 0) this.#established();
  }

  #serverError(frame) {
    const ref = frame.ref !== null && typeof frame.ref === 'object' ? frame.ref : undefined;
    this.#emitError(new SwitchboardError(String(frame.code ?? 'internal'), String(frame.message ?? 'error'), { ref, server: true }));
    const topic = ref?.topic;
    if (typeof topic === 'string' && frame.code === 'recovery_failed' && this.#topics.has(topic)) {
      const last = this.#positions.position(topic);
      this.#emit('recovery_failed', {
        topic, lastEpoch: last?.epoch, lastOffset: last?.offset, epoch: undefined, offset: undefined, epochChanged: true,
      });
    }
    // A refused subscription is answered too: it must not hold up connect().
    if (ref?.type === 'subscribe' && typeof topic === 'string') this.#answered(topic);
  }

  /**
   * The server says the session's token expires at `exp` (docs/protocol.md, Token lifecycle): a token
   * function is asked for a new one, which is sent as a `refresh` if it differs from the token in
   * use. Without one (a fixed token, or the function failed) the session runs out: it is closed
   * with 1008 and the client reconnects only if the function has a new token by then.
   */
  async #expiring(frame) {
    const conn = this.#conn;
    const exp = frame.exp;
    this.#emit('expiring', { exp });
    if (typeof this.#tokenSource !== 'function' || this.#conn !== conn) return;
    let fresh;
    try {
      fresh = await this.#tokenSource();
    } catch (e) {
      this.#emitError(new SwitchboardError('token', `the token function failed when the token was expiring: ${e.message}`, { cause: e }));
      return;
    }
    if (this.#conn !== conn || typeof fresh !== 'string' || fresh === '' || fresh === this.#connToken) return;
    // Remembered at once: if the session closes before the answer, a reconnect compares with this one.
    this.#connToken = fresh;
    this.#sendFrame({ type: 'refresh', token: fresh });
  }

  #refreshed(frame) {
    this.#emit('refreshed', { exp: frame.exp });
  }

  #pong() {
    const p = this.#pongs.shift();
    if (p) p.resolve(now() - p.sentAt);
  }

  /**
   * Hands a message to the handlers: topic messages only for subscribed topics and never twice
   * (replays after a resume are dropped). An `ack: true` message is acknowledged once every
   * handler returned (and every promise a handler returned resolved) in auto mode, by
   * message.ack() in manual mode; a redelivery of one handled before (its ack was lost with a
   * connection) is acknowledged again without calling the handlers (MessageDelivery.java).
   */
  #deliver(frame) {
    const { topic } = frame;
    const isTopicMessage = typeof topic === 'string' && typeof frame.offset === 'number' && typeof frame.epoch === 'string';
    if (isTopicMessage) {
      if (!this.#topics.has(topic)) return;
      const seen = this.#positions.accept(topic, frame.offset, frame.epoch);
      if (seen === 'seen') return;
      if (seen === 'gap') {
        // Resume from the last offset delivered: the reconnect's replay brings the lost ones and this one.
        const conn = this.#conn;
        const expected = this.#positions.position(topic).offset + 1;
        conn?.close(1000, 'a topic message was lost in transit');
        this.#connectionClosed(1006, `topic ${topic}: offset ${frame.offset} arrived where ${expected} was due; resuming`);
        return;
      }
    }
    const ackRequired = frame.ack === true && typeof frame.id === 'string';
    if (ackRequired && this.#handledAcks.has(frame.id)) {
      this.#sendFrame({ type: 'ack', id: frame.id });
      return;
    }
    const redelivered = ackRequired && this.#deliveredAcks.has(frame.id);
    if (ackRequired) this.#deliveredAcks.add(frame.id);
    const message = new Message(frame, redelivered, (id) => this.#ack(id));
    const handlers = [...(this.#listeners.get('message') ?? [])];
    if (typeof topic === 'string') handlers.push(...(this.#topics.get(topic)?.handlers ?? []));
    let ok = true;
    const pending = [];
    for (const handler of handlers) {
      try {
        const result = handler(message);
        if (result !== null && typeof result === 'object' && typeof result.then === 'function') pending.push(result);
      } catch (e) {
        ok = false;
        this.#listenerFailed('message', e);
      }
    }
    if (!message.ackRequired || this.#ackMode === 'manual' || !ok) return; // unacked: the server redelivers it later
    if (pending.length === 0) {
      message.ack();
      return;
    }
    Promise.all(pending).then(() => message.ack(), (e) => this.#listenerFailed('message', e));
  }

  #ack(id) {
    this.#handledAcks.add(id);
    // Any session of the same user (or channel) may ack; with none open, the redelivery after the
    // next welcome is acked on arrival.
    if (this.#welcomed) this.#sendFrame({ type: 'ack', id });
  }

  // ---------------------------------------------------------------- events

  #emit(event, payload) {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return;
    for (const handler of [...set]) {
      try {
        handler(payload);
      } catch (e) {
        this.#listenerFailed(event, e);
      }
    }
  }

  #listenerFailed(event, e) {
    if (event === 'error') return; // an error handler that throws: nothing sensible is left to tell
    this.#emitError(new SwitchboardError('listener', `a '${event}' handler threw: ${e?.message ?? e}`, { cause: e }));
  }

  #emitError(error) {
    if ((this.#listeners.get('error')?.size ?? 0) === 0) {
      console.error('switchboard:', error); // an error nobody listens to must not vanish
      return;
    }
    this.#emit('error', error);
  }
}

function now() {
  return globalThis.performance?.now?.() ?? Date.now();
}

export default SwitchboardClient;
